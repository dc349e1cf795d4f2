"""The sheet XML written a column at a time is the XML a cell-by-cell writer gives.

`reference_rows` is the writer as it was, one `cell_xml` call per cell; hypothesis builds
computed tabs of every kind of column (floats with NaN and infinities, whole numbers,
text that needs escaping, booleans, dates, error text, blanks, short rows, cells whose
type is overridden) and checks that the worksheet bytes and the order in which styles are
first asked for (which sets every `s=` index and styles.xml) are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.a1 import column_letter
from sync.backends.xlsx.sheet_xml import cell_xml, sheet_xml
from sync.contract.grid import CellError
from sync.contract.plan import PlanColumn, TabOutput, number_format

TYPES = ["money", "percent", "number", "integer", "date", "datetime", "text"]


def reference_rows(
    output: TabOutput, rows: Sequence[Sequence[Any]], style_of: Callable[[str | None, bool], int],
    date1904: bool,
) -> str:
    """The data rows as the writer made them before: a call per cell."""
    width = len(output.columns)
    letters = [column_letter(i) for i in range(width)]
    column_formats = [number_format(c.type, output.currency) for c in output.columns]
    parts = []
    for row_index, row in enumerate(rows):
        cells = []
        for col_index, value in enumerate(row[:width]):
            if (row_index, col_index) in output.cell_types:
                fmt = output.cell_format(row_index, col_index)
            else:
                fmt = column_formats[col_index]
            if fmt is None and isinstance(value, date):
                fmt = number_format("datetime" if isinstance(value, datetime) else "date", "")
            style = style_of(fmt, False)
            cells.append(cell_xml(f"{letters[col_index]}{row_index + 2}", value, style, date1904))
        parts.append(f'<row r="{row_index + 2}">{"".join(cells)}</row>')
    return "".join(parts)


class Styles:
    """Style indexes handed out in the order first asked for, as the xlsx styles part does."""

    def __init__(self) -> None:
        self.asked: list[tuple[str | None, bool]] = []

    def __call__(self, fmt: str | None, header: bool) -> int:
        if (fmt, header) not in self.asked:
            self.asked.append((fmt, header))
        return self.asked.index((fmt, header))


floats = st.floats(allow_nan=True, allow_infinity=True)
texts = st.text(alphabet=st.sampled_from("ab <&>\"'_x0041_\r\n\x01中"), max_size=12)
cell = st.one_of(
    st.none(), floats, st.integers(-10**18, 10**18), texts, st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.sampled_from([CellError("#N/A"), CellError("#DIV/0!")]),
)


def column_values(kind: str, count: int) -> st.SearchStrategy[list[Any]]:
    """A column of one plain kind with blanks (the fast path), or of anything."""
    one = {"float": floats, "int": st.integers(-10**6, 10**6), "text": texts, "any": cell}[kind]
    return st.lists(st.one_of(st.none(), one), min_size=count, max_size=count)


@st.composite
def tabs(draw: st.DrawFn) -> TabOutput:
    width = draw(st.integers(1, 5))
    count = draw(st.integers(0, 12))
    types = draw(st.lists(st.sampled_from(TYPES), min_size=width, max_size=width))
    kinds = draw(st.lists(st.sampled_from(["float", "int", "text", "any"]), min_size=width,
                          max_size=width))
    columns = [draw(column_values(kind, count)) for kind in kinds]
    rows = [[column[r] for column in columns] for r in range(count)]
    for row in rows:  # now and then a short or a long row
        cut = draw(st.integers(0, width + 1))
        if cut < width and draw(st.booleans()) and draw(st.booleans()):
            del row[cut:]
        elif cut > width:
            row.append("past the last column")
    overrides = draw(st.dictionaries(
        st.tuples(st.integers(0, max(count - 1, 0)), st.integers(0, width - 1)),
        st.sampled_from(TYPES), max_size=4,
    ))
    return TabOutput(
        name="Tab", columns=[PlanColumn(f"H{i}", t, 10) for i, t in enumerate(types)],
        rows=rows, currency=draw(st.sampled_from(["USD", "EUR", "XYZ"])), cell_types=overrides,
    )


@settings(max_examples=300, deadline=None)
@given(output=tabs(), date1904=st.booleans())
def test_column_at_a_time_xml_equals_cell_by_cell(output: TabOutput, date1904: bool) -> None:
    new_styles, old_styles = Styles(), Styles()
    xml = sheet_xml(output, output.rows, new_styles, date1904).decode()
    old_styles(None, True)  # the header's style is asked for first, as sheet_xml does
    expected = reference_rows(output, output.rows, old_styles, date1904)
    data = xml[xml.index("</row>") + len("</row>"):xml.index("</sheetData>")]
    assert data == expected
    assert new_styles.asked == old_styles.asked
