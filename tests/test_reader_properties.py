"""Invariants of the reader: no input crashes it or the engine behind it, and what it returns
is well formed."""

from datetime import date, datetime, timedelta

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sync.a1 import column_letter
from sync.backends.base import CellError, TabGrid
from sync.backends.xlsx import XlsxBackend
from sync.backends.xlsx_template import write_input_workbook
from sync.engine import compute_tabs, sync_workbook
from sync.read import validate_workbook
from sync.read.cells import format_number, parse_date, parse_number, parse_percent, parse_text
from sync.read.columns import ReadContext, read_cell
from sync.read.fastpath import SLOW, fast_reader
from sync.read.headers import header_key, match_headers
from sync.schema import computed_tabs, input_tabs, settings_specs, tab_spec

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30)

cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["", " ", "1,200.50", "$1,200", "(1,200)", "1.2k", "25%", "31/02/2026",
                     "2026-11-03", "3/11/2026", "Yes", "否", "Won", "lost", "0001", "∞", "1e400",
                     "2026年11月3日", "Company", "9" * 400, "3 March 2026", "Mar 3, 2026",
                     "3-Mar-2026", "31 Feb 2026"]),
    st.sampled_from([CellError(text) for text in ("#N/A", "#DIV/0!", "#REF!", "#VALUE!",
                                                  "#NAME?", "=SUM(A1:A3)", "=")]),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


@st.composite
def tab_grids(draw, spec_name: str):
    """A header row in a random order (with an unknown column) and ragged random rows."""
    spec = tab_spec(spec_name)
    headers = draw(st.permutations([*spec.headers, "Owner's note"]))
    if spec_name == "Settings":
        keys = st.sampled_from([s.key for s in settings_specs()] + ["Nonsense"])
        rows = draw(st.lists(st.lists(st.one_of(keys, cells), max_size=4), max_size=6))
    else:
        rows = draw(st.lists(st.lists(cells, max_size=len(headers) + 2), max_size=6))
    grid = [list(headers), *rows]
    if not draw(st.booleans()):
        return grid
    # As a backend hands it in: merged ranges and far-away cells, which are not rows.
    ranges = st.tuples(st.integers(1, 10), st.integers(0, 12), st.integers(0, 3),
                       st.integers(0, 3)).map(
        lambda r: f"{column_letter(r[1])}{r[0]}:{column_letter(r[1] + r[3])}{r[0] + r[2]}")
    far = st.tuples(st.integers(1_000, 1_048_576), st.integers(1, 16_384), cells)
    return TabGrid(grid, merged=draw(st.lists(ranges, max_size=3)),
                   stray=draw(st.lists(far, max_size=3)))


workbooks = st.fixed_dictionaries(
    {},
    optional={
        **{spec.tab: tab_grids(spec.tab) for spec in input_tabs()},
        "Stage Log": tab_grids("Stage Log"),
    },
)


def assert_well_formed(tables, issues):
    for issue in issues:
        assert issue.severity in ("Error", "Warning")
        assert issue.problem and issue.problem[0] not in " \n"
        assert issue.row is None or issue.row >= 1
        assert type(issue.value) is str  # an error cell shows as plain text
        if issue.column:
            known = {spec.tab: set(spec.headers) for spec in (*input_tabs(), tab_spec("Stage Log"))}
            assert issue.column in known[issue.tab] or issue.tab == "Settings"
    for spec in input_tabs():
        if spec.tab == "Settings":
            continue
        frame = getattr(tables, spec.tab.lower().replace(" ", "_"))
        assert list(frame.columns) == [*(c.field for c in spec.columns), "row"]
        assert frame["row"].is_unique and (frame["row"] >= 2).all()
        for column in spec.columns:
            if column.type in ("date", "datetime"):
                assert pd.api.types.is_datetime64_any_dtype(frame[column.field])
            if column.type in ("number", "integer", "money", "percent"):
                assert frame[column.field].dtype == "float64"
        error_rows = {i.row for i in issues if i.tab == spec.tab and i.severity == "Error"}
        assert not error_rows & set(frame["row"]) or spec.tab == "Stages"
    assert {"Won", "Lost"} <= set(tables.stages["type"])
    assert pd.api.types.is_datetime64_any_dtype(tables.stage_log["changed_at"])


def assert_every_problem_reported(grids, issues):
    """Every merged range, stray cell and error cell in a read column is a Data Issue."""
    for spec in input_tabs():
        grid = grids.get(spec.tab)
        if grid is None:
            continue
        problems = [issue.problem for issue in issues if issue.tab == spec.tab]
        if isinstance(grid, TabGrid):
            assert sum("is a merged range" in p for p in problems) == len(grid.merged)
            assert sum("is not read as data" in p for p in problems) == len(grid.stray)
        if spec.tab == "Settings":
            continue
        headers = match_headers(spec, list(grid[0]))
        if headers.missing_required:
            continue
        reported = {(issue.row, issue.column) for issue in issues if issue.tab == spec.tab}
        for offset, cells in enumerate(grid[1:]):
            for name, index in headers.positions.items():
                if index < len(cells) and isinstance(cells[index], CellError):
                    header = next(c.header for c in spec.columns if c.field == name)
                    assert (offset + 2, header) in reported


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks)
def test_no_input_crashes_the_reader(grids):
    tables, issues = validate_workbook(grids, today=TODAY)
    assert_well_formed(tables, issues)
    assert_every_problem_reported(grids, issues)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.lists(st.lists(cells, max_size=5), max_size=4),
                       max_size=4))
def test_any_tab_names_and_shapes(grids):
    tables, issues = validate_workbook(grids, today=TODAY)
    assert_well_formed(tables, issues)


def assert_computed_whole(computed):
    """Every computed tab is planned, with its declared headers, and none of them failed."""
    failures = [issue.problem for issue in computed.issues
                if "could not be computed" in issue.problem]
    assert failures == []
    assert [output.name for output in computed.outputs] == [spec.tab for spec in computed_tabs()]
    for output in computed.outputs:
        assert output.headers[: len(tab_spec(output.name).headers)] == tab_spec(output.name).headers
        assert all(len(row) == len(output.columns) for row in output.rows)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks)
def test_no_input_makes_the_engine_fail(grids):
    # Random cell values in every column of every input tab (and the Stage Log) go through
    # the whole computation: each computed tab comes out, and no step had to be skipped.
    tables, issues = validate_workbook(grids, today=TODAY)
    assert_computed_whole(compute_tabs(tables, issues, NOW))


class RandomCellsWorkbook(XlsxBackend):
    """A real .xlsx file whose input tabs read as the given random grids."""

    def __init__(self, path, grids):
        super().__init__(path)
        self.grids = grids

    def today(self):
        return TODAY

    def read(self, tabs):
        # The file holds a Settings tab (a workbook with no input tab is refused).
        found = {"Settings": [["Setting", "Value"]]}
        return {**found, **{name: grid for name, grid in self.grids.items() if name in tabs}}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(grids=workbooks)
def test_no_input_makes_a_sync_fail(tmp_path, grids):
    # The same random values, synced for real into a workbook file and read back.
    path = tmp_path / "random.xlsx"
    path.unlink(missing_ok=True)
    write_input_workbook(path, {"Settings": [["Setting", "Value"]]})
    report = sync_workbook(RandomCellsWorkbook(path, grids), now=NOW)
    assert report.tabs_written == [spec.tab for spec in computed_tabs()]
    assert not [issue for issue in report.issues if "could not be computed" in issue.problem]
    book = CalamineWorkbook.from_path(str(path))
    written = book.get_sheet_by_name("Data Issues").to_python()
    assert written[0] == tab_spec("Data Issues").headers
    assert len(written) == len(report.issues) + 1


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda x: round(x, 2)))
def test_numbers_written_with_separators_read_back(number):
    written = f"{number:,.2f}"
    assert parse_number(written) == float(f"{number:.2f}")
    assert parse_number(f"${written}" if number >= 0 else f"-${written[1:]}") == float(
        f"{number:.2f}")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_dates_read_back_in_every_spelling(day):
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(day.isoformat()) == day
    assert parse_date(serial) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}", "DMY") == day
    assert parse_date(f"{day.month}/{day.day}/{day.year}", "MDY") == day
    assert parse_date(f"{day.year}/{day.month}/{day.day}", "YMD") == day
    assert parse_date(datetime.combine(day, datetime.min.time()) + timedelta(hours=23)) == day


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_fractions_stay_fractions_and_text_percent_is_points(fraction):
    assert parse_percent(fraction, 1) == fraction
    assert parse_percent(f"{format_number(fraction * 100)}%", 1) == float(
        format_number(fraction * 100)) / 100


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_in_text_columns_lose_the_decimal_part(number):
    assert parse_text(float(number)) == str(number)


@given(st.text(max_size=20))
def test_header_key_is_idempotent(text):
    assert header_key(header_key(text)) == header_key(text)


all_columns = [column for spec in (*input_tabs(), tab_spec("Stage Log")) for column in spec.columns]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(all_columns), cells, st.sampled_from(["YMD", "DMY", "MDY"]))
def test_the_fast_path_reads_exactly_like_the_full_reader(column, value, date_format):
    context = ReadContext(date_format=date_format)
    fast = fast_reader(column, context)(value)
    if fast is SLOW:
        return
    warnings: list[str] = []
    assert fast == read_cell(column, value, context, warnings.append)
    assert type(fast) is type(read_cell(column, value, context, warnings.append))
    assert warnings == []
