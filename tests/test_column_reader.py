"""Reading column by column gives what reading cell by cell gives, for every input tab.

`read_rows` types the clean cells of each column in bulk and sends only the rows with a
problem or a caveat through the Pydantic row model; `read_rows_by_model` sends every row
through it. Hypothesis builds grids whose columns hold one kind of cell (the bulk case)
or a mix (numbers, dates, date-times, padded text, currency and percent text, Chinese
amounts and dates, full-width digits, blanks, error cells, yes/no, huge numbers) and
checks both readings value for value, row for row and Data Issue for Data Issue; and each
cell of the bulk reading against `read_cell`. The Stage Log read by columns is checked
against each cell read on its own.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.contract.grid import CellError
from sync.contract.tables import frame_from_columns
from sync.read.cells import CellError as Unreadable
from sync.read.cells import cell_text, is_blank
from sync.read.column_cells import read_column
from sync.read.columns import ReadContext, read_cell
from sync.read.fastpath import SLOW
from sync.read.headers import match_headers
from sync.read.percents import decide_percent_points
from sync.read.rows import read_rows, read_rows_by_model
from sync.read.rules import check_unique
from sync.read.validate import read_stage_log
from sync.schema import input_tabs, tab_spec

TABS = [spec.tab for spec in input_tabs() if spec.tab != "Settings"]

numbers = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: round(x, 2)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0.0, 1.0, 0.25, 1.5, 25.0, 150.0, -3.0, 2.0**53, -(2.0**60), 1e308, 46000.0,
                     46000.5, 17850.0, 5.0]),
)
days = st.one_of(st.dates(min_value=date(1890, 1, 1), max_value=date(2210, 1, 1)),
                 st.sampled_from([date(2026, 11, 3), date(2025, 1, 31), date(1899, 12, 31)]))
moments = st.one_of(
    st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2210, 1, 1)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                 timezones=st.just(timezone(timedelta(hours=8)))),
)
padded = st.builds(lambda left, text, right: left + text + right,
                   st.sampled_from(["", " ", "  ", "\t", "\u3000"]),
                   st.sampled_from(["Ana Ruiz", "acme ltd", "D-0001", "0001", "Won", "won",
                                    "Lead", "Open", "Revenue", "收入", "Company", "公司", "张伟",
                                    "North", "x"]),
                   st.sampled_from(["", " ", "\n"]))
typed_text = st.sampled_from([
    "$1,200", "¥1200", "1,200.50", "(1,200)", "USD 1,200", "-$3.5", "1.2k", "1e400", "∞",
    "25%", "150%", " 7.5 % ", "x%", "0.25", "25", "8万", "1.5万", "2亿", "１２００", "￥３００",
    "2026-11-03", "2026/11/3", "3/11/2026", "31/02/2026", "3 March 2026", "Mar 3, 2026",
    "2026年3月5日", "２０２６年３月５日", "2026-11-03 14:30", "Yes", "no", "Y", "TRUE", "1", "是",
    "否", "maybe", "9" * 40,
])
# ISO dates as text, as `salesops import` writes them: real days and moments, and text
# that only looks like one (no such day, no such hour, a year out of range, padding).
iso_texts = st.one_of(
    days.map(date.isoformat),
    st.datetimes(min_value=datetime(1890, 1, 1), max_value=datetime(2210, 1, 1)).map(
        lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(1800, 2300), st.integers(0, 13),
              st.integers(0, 32)),
    st.sampled_from(["2011-02-30", "2011-12-09 24:00:00", "2011-12-09 12:60:00",
                     "2011-12-09 12:50", " 2011-12-09", "2011-12-09 ", "２０１１-12-09",
                     "2011-12-09T12:50:00", "2011-2-9", "2011-12-09 12:50:00.5"]),
)
blanks = st.sampled_from([None, "", " ", "  \t", float("nan")])
errors = st.sampled_from([CellError(text) for text in ("#N/A", "#DIV/0!", "#REF!", "#VALUE!",
                                                       "#NAME?", "=SUM(A1:A3)", " ")])
cells = st.one_of(blanks, numbers, days, moments, padded, typed_text, iso_texts, errors,
                  st.booleans(), st.text(max_size=6))
# One kind of cell per column (with blanks) is what a real workbook holds: the bulk case.
kinds = [numbers, days, moments, padded, typed_text, iso_texts, st.booleans(), errors, cells]


@st.composite
def columns_of(draw: Any, count: int) -> list[Any]:
    """The cells of one column: one kind with some blanks, or any mix."""
    kind = draw(st.sampled_from(kinds))
    return draw(st.lists(st.one_of(kind, kind, kind, st.none()), min_size=count,
                         max_size=count))


@st.composite
def tab_grids(draw: Any, tab: str) -> list[list[Any]]:
    """A header row in some order (with an owner's column) and rows, ragged at times."""
    spec = tab_spec(tab)
    headers = draw(st.permutations([*spec.headers, "Owner's note"]))
    if draw(st.booleans()):  # a tab without some optional columns
        kept = [header for header in headers
                if draw(st.booleans()) or header in {c.header for c in spec.columns
                                                     if c.required}]
        headers = kept
    count = draw(st.integers(0, 25))
    columns = [draw(columns_of(count)) for _ in headers]
    rows = [[column[index] for column in columns] for index in range(count)]
    if draw(st.booleans()):  # rows cut short, as a backend hands in a ragged sheet
        cuts = draw(st.lists(st.integers(0, len(headers)), min_size=count, max_size=count))
        rows = [row[:cut] for row, cut in zip(rows, cuts, strict=True)]
    return [list(headers), *rows]


def both_readings(tab: str, grid: list[list[Any]], context: ReadContext):
    spec = tab_spec(tab)
    headers = match_headers(spec, list(grid[0]))
    return spec, read_rows(spec, grid, headers, context), read_rows_by_model(spec, grid, headers,
                                                                             context)


def assert_same_rows(by_columns, by_model) -> None:
    assert by_columns.rows == by_model.rows
    assert by_columns.columns.keys() == by_model.columns.keys()
    for name, values in by_model.columns.items():
        assert by_columns.columns[name] == values, name
        assert [type(value) for value in by_columns.columns[name]] == [
            type(value) for value in values], name
    assert by_columns.issues == by_model.issues
    assert by_columns.left_out == by_model.left_out
    assert dict(by_columns.raw.items()) == dict(by_model.raw.items())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), tab=st.sampled_from(TABS),
       date_format=st.sampled_from(["YMD", "DMY", "MDY"]))
def test_columns_read_like_every_row_through_the_row_model(data, tab, date_format) -> None:
    grid = data.draw(tab_grids(tab))
    context = ReadContext(date_format)
    spec, by_columns, by_model = both_readings(tab, grid, context)
    assert_same_rows(by_columns, by_model)
    for rows in (by_columns, by_model):  # the rules that follow see the same rows
        check_unique(spec, rows)
        decide_percent_points(spec, rows)
    assert_same_rows(by_columns, by_model)
    pd.testing.assert_frame_equal(
        frame_from_columns(tab, by_columns.columns, by_columns.rows),
        frame_from_columns(tab, by_model.columns, by_model.rows))


all_columns = [column for spec in (*input_tabs(), tab_spec("Stage Log"))
               for column in spec.columns]


@settings(max_examples=400, deadline=None)
@given(column=st.sampled_from(all_columns), data=st.data(),
       date_format=st.sampled_from(["YMD", "DMY", "MDY"]))
def test_each_cell_read_in_bulk_is_what_read_cell_gives(column, data, date_format) -> None:
    values = data.draw(columns_of(data.draw(st.integers(1, 30))))
    context = ReadContext(date_format)
    read = read_column(column, values, context)
    assert read.blank.tolist() == [is_blank(value) for value in values]
    assert read.slow.tolist() == [value is SLOW for value in read.typed]
    for value, typed in zip(values, read.typed, strict=True):
        if typed is SLOW:
            continue  # the row model decides it
        warnings: list[str] = []
        full = read_cell(column, value, context, warnings.append)
        assert (typed, type(typed)) == (full, type(full))
        assert warnings == []


date_columns = [column for column in all_columns if column.type == "date"]


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(date_columns), data=st.data(),
       date_format=st.sampled_from(["YMD", "DMY", "MDY"]))
def test_iso_date_text_read_in_bulk_is_what_read_cell_gives(column, data, date_format) -> None:
    # A date column of text: ISO days and moments (read in bulk), text that only looks
    # like them, and now and then a blank or other text (read one at a time).
    values = data.draw(st.lists(st.one_of(iso_texts, iso_texts, iso_texts, blanks.filter(
        lambda blank: isinstance(blank, str)), typed_text), min_size=1, max_size=40))
    context = ReadContext(date_format)
    read = read_column(column, values, context)
    assert read.blank.tolist() == [is_blank(value) for value in values]
    assert read.slow.tolist() == [value is SLOW for value in read.typed]
    for value, typed in zip(values, read.typed, strict=True):
        warnings: list[str] = []
        try:
            full = read_cell(column, value, context, warnings.append)
        except (Unreadable, ValueError):
            assert typed is SLOW  # only the row model may explain a cell that fails
            continue
        if typed is not SLOW:
            assert (typed, type(typed)) == (full, type(full))
            assert warnings == []


moment_columns = [column for column in all_columns if column.type in ("date", "datetime")]
# Serial numbers as the Sheets API sends dates and date-times: whole days (as int and as
# float), any moment, moments on a whole or half second and one step either side of them
# (where rounding to the second could go either way), and numbers that are no date.
serials = st.one_of(
    st.integers(-5, 120_000),
    st.floats(min_value=-5, max_value=120_000),
    st.builds(lambda seconds, half: (seconds + half) / 86_400, st.integers(0, 109_575 * 86_400),
              st.sampled_from([0.0, 0.5])),
    st.builds(lambda seconds, towards: float(np.nextafter((seconds + 0.5) / 86_400, towards)),
              st.integers(0, 109_575 * 86_400), st.sampled_from([0.0, 1e6])),
    st.sampled_from([1, 2, 60, 61, 366, 46000, 46000.5, 109574.99999999, 109575, 1e300,
                     float("inf"), float("-inf"), float("nan"), 10**400]),
)


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(moment_columns), data=st.data())
def test_serial_numbers_read_in_bulk_are_what_read_cell_gives(column, data) -> None:
    # One exact type per column, as a Sheets batchGet gives: whole numbers or floats.
    kind = data.draw(st.sampled_from([int, float]))
    values = data.draw(st.lists(serials.filter(lambda value: type(value) is kind),
                                min_size=1, max_size=40))
    context = ReadContext()
    read = read_column(column, values, context)
    assert read.blank.tolist() == [is_blank(value) for value in values]
    for value, typed in zip(values, read.typed, strict=True):
        try:
            full = read_cell(column, value, context, lambda _: None)
        except Unreadable:
            assert typed is SLOW  # only the row model may explain a cell that fails
            continue
        # a serial that reads is read in bulk, to the same moment to the microsecond
        assert (typed, type(typed)) == (full, type(full)), value


def test_a_column_of_iso_date_text_is_read_in_bulk_exactly() -> None:
    # The day of an ISO date or moment; 2011-02-30 is no day, 24:00 no hour and 1899 is
    # before the first year, so the row model explains them; a blank in a required column
    # is its business too; a padded date is read one at a time, as read_cell reads it.
    order_date = tab_spec("Orders").column("Date")
    values = ["2011-12-09", "2011-12-09 12:50:00", "2011-02-30", "2011-12-09 24:00:00",
              "1899-12-31", " 2011-12-09 ", ""]
    read = read_column(order_date, values, ReadContext())
    assert read.typed == [date(2011, 12, 9), date(2011, 12, 9), SLOW, SLOW, SLOW,
                          date(2011, 12, 9), SLOW]
    assert read.blank.tolist() == [False] * 6 + [True]
    assert read.slow.tolist() == [False, False, True, True, True, False, True]
    whole = read_column(order_date, ["2010-12-01"] * 3 + ["2011-12-09 12:50:00"], ReadContext())
    assert whole.typed == [date(2010, 12, 1)] * 3 + [date(2011, 12, 9)]
    assert not whole.slow.any() and not whole.blank.any()


def test_a_column_of_one_kind_is_read_in_bulk_exactly() -> None:
    # 2026-11-03 in every spelling a calamine grid holds it, in a date column: the date
    # cells and the date-time cell read as the day; the serial number (46329 days after
    # 1899-12-30 is 2026-11-03) and the text go one at a time; the blank is blank.
    created = tab_spec("Pipeline").column("Created")
    values = [date(2026, 11, 3), datetime(2026, 11, 3, 14, 30), 46329.0, "2026-11-03", None]
    read = read_column(created, values, ReadContext())
    assert read.typed == [date(2026, 11, 3)] * 4 + [SLOW]  # Created is required
    assert read.blank.tolist() == [False, False, False, False, True]
    # Amount (money, 0 or more): -5 is below the minimum, so the row model explains it.
    amount = tab_spec("Pipeline").column("Amount")
    read = read_column(amount, [1200.0, -5.0, float("nan"), "1,200.50", "8万"], ReadContext())
    assert read.typed == [1200.0, SLOW, None, 1200.5, 80000.0]
    # An id column: a whole number loses its `.0`, text is trimmed, an error cell is slow.
    deal_id = tab_spec("Orders").column("Deal ID")
    read = read_column(deal_id, [17850.0, " D-1 ", CellError("#N/A"), True], ReadContext())
    assert read.typed == ["17850", "D-1", SLOW, "TRUE"]


STAGE_LOG = tab_spec("Stage Log")


def log_cell_by_cell(grid: list[list[Any]], context: ReadContext):
    """The Stage Log read one cell at a time: the reference for the column reading."""
    headers = match_headers(STAGE_LOG, list(grid[0]))
    rows, issues = [], []
    for offset, cells in enumerate(grid[1:]):
        raw = {name: cells[index] if index < len(cells) else None
               for name, index in headers.positions.items()}
        if all(is_blank(value) for value in raw.values()):
            continue
        row: dict[str, Any] = {"row": offset + 2}
        for column in STAGE_LOG.columns:
            try:
                row[column.field] = read_cell(column, raw.get(column.field), context,
                                              lambda _: None)
            except (Unreadable, ValueError):
                row[column.field] = None
            if row[column.field] is None and column.field in ("deal_id", "changed_at"):
                issues.append((offset + 2, column.header, cell_text(raw.get(column.field))))
        rows.append(row)
    return rows, [*((issue.row, issue.column, issue.value) for issue in headers.issues), *issues]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), date_format=st.sampled_from(["YMD", "DMY", "MDY"]))
def test_the_stage_log_read_by_columns_is_read_cell_by_cell(data, date_format) -> None:
    grid = data.draw(tab_grids("Stage Log"))
    context = ReadContext(date_format)
    log, issues = read_stage_log(grid, context)
    rows, expected_issues = log_cell_by_cell(grid, context)
    if not rows and all(is_blank(cell) for row in grid for cell in row):
        return  # an empty log: nothing read, nothing to compare
    assert log["row"].tolist() == [row["row"] for row in rows]
    for name in ("deal_id", "from_stage", "to_stage"):
        assert log[name].tolist() == [row[name] for row in rows]
    expected_times = pd.to_datetime(pd.Series([row["changed_at"] for row in rows], dtype=object))
    pd.testing.assert_series_equal(log["changed_at"], expected_times, check_names=False)
    assert [(issue.row, issue.column, issue.value) for issue in issues] == expected_issues
