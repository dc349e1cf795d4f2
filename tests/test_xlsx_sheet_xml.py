"""The worksheet XML of computed tabs: cell values, text safety, dates, formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sync.a1 import column_letter
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.sheet_xml import (
    appended_sheet_xml,
    cell_xml,
    fitted_width,
    sheet_xml,
    xml_safe_text,
)
from sync.contract.plan import PlanColumn, TabOutput
from sync.serials import to_serial

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters


@pytest.mark.parametrize(
    ("value", "date1904", "expected"),
    [
        # 2026-01-01 is serial 46023 (2025-01-01 = 45658, plus 365 days).
        (date(2026, 1, 1), False, 46023.0),
        # 2026-11-03 = 46023 + 304 days of Jan..Oct (31+28+31+30+31+30+31+31+30+31) + 2.
        (date(2026, 11, 3), False, 46329.0),
        # Noon is half a day: 46329 + 12/24.
        (datetime(2026, 11, 3, 12, 0), False, 46329.5),
        # 09:30 = 9.5 / 24 = 0.395833...
        (datetime(2026, 11, 3, 9, 30), False, 46329 + 9.5 / 24),
        # The 1904 system starts 1462 days later: 46329 - 1462.
        (date(2026, 11, 3), True, 44867.0),
    ],
)
def test_serial_numbers(value: date, date1904: bool, expected: float) -> None:
    assert to_serial(value, date1904) == pytest.approx(expected, abs=1e-9)


def test_text_that_looks_like_a_formula_stays_text() -> None:
    xml = cell_xml("A2", '=IMPORTXML("https://example.com", "//p")', 0)
    cell = ET.fromstring(xml.replace("<c ", f'<c xmlns="{MAIN[1:-1]}" ', 1))
    assert cell.get("t") == "inlineStr"
    assert cell.find(f"{MAIN}f") is None
    assert cell.findtext(f"{MAIN}is/{MAIN}t") == '=IMPORTXML("https://example.com", "//p")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (float("nan"), ""),
        (float("inf"), ""),
        (True, '<c r="B2" t="b"><v>1</v></c>'),
        (7, '<c r="B2"><v>7</v></c>'),
        (0.1, '<c r="B2"><v>0.1</v></c>'),
        (
            "a<b & c>d",
            '<c r="B2" t="inlineStr"><is><t xml:space="preserve">a&lt;b &amp; c&gt;d</t></is></c>',
        ),
    ],
)
def test_cell_values(value: object, expected: str) -> None:
    assert cell_xml("B2", value, 0) == expected


def test_characters_illegal_in_xml_are_dropped() -> None:
    assert xml_safe_text("bell\x07 tab\t vt\x0b ok") == "bell tab\t vt ok"
    assert xml_safe_text("x" * 40000) == "x" * 32767


def test_widths_fit_content_up_to_a_cap() -> None:
    assert fitted_width(10, ["abc"]) == 10  # declared width wins when content is short
    assert fitted_width(10, ["x" * 20]) == 22  # 20 characters + 2 of padding
    assert fitted_width(10, ["x" * 500]) == 60  # capped
    assert fitted_width(8, [1234567.5]) == 15  # "1,234,567.50" is 12, + a sign + 2 of padding
    assert fitted_width(4, ["商机编号"]) == 10  # 4 wide characters take 8 columns, + 2


def width_value_by_value(declared: float, values: list) -> float:
    """The reference: every value shaped as shown, one at a time."""
    import unicodedata

    def shown(value: object) -> int:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return len(f"{value:,.2f}") + 1
        text = str(value)
        return len(text) + sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")

    longest = max((shown(v) for v in values if v is not None), default=0)
    return float(min(max(declared, longest + 2), 60))


@pytest.mark.parametrize("values", [
    [0.0, -0.0], [-0.0, 0.0], [-0.001, 0.004], [999.995, 999.994, -9.995],  # sign, cents
    [9999999.999, 1e15, -1e15], [float("nan"), float("-inf"), 1.0], [10**20, -(10**17) - 1],
    [1, True], [True, 1], ["abc", 12345.678, None, "商机编号"], [date(2026, 1, 2), "x"],
    ["Ｆｕｌｌ", "ascii"], [None, None], [],
])
def test_widths_match_shaping_each_value(values: list) -> None:
    assert fitted_width(4, values) == width_value_by_value(4, values)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.none(), st.booleans(), st.integers(-(10**22), 10**22),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.text(alphabet="aZ 9,.商机ｆé", max_size=12)), max_size=30))
def test_widths_of_any_values_match_shaping_each(values: list) -> None:
    assert fitted_width(6, values) == width_value_by_value(6, values)


def test_sheet_has_frozen_bold_header_and_per_cell_formats() -> None:
    output = TabOutput(
        name="Dashboard",
        columns=[PlanColumn("KPI", "text", 26), PlanColumn("Value", "number", 14)],
        rows=[["Revenue", 1200.0], ["Win Rate", 0.25], ["Opened", date(2026, 11, 3)]],
        cell_types={(0, 1): "money", (1, 1): "percent"},
    )
    seen: list[tuple[str | None, bool]] = []

    def style_of(number_format: str | None, header: bool) -> int:
        seen.append((number_format, header))
        return len(set(seen))

    root = ET.fromstring(sheet_xml(output, output.rows, style_of))
    pane = root.find(f"{MAIN}sheetViews/{MAIN}sheetView/{MAIN}pane")
    assert pane is not None and pane.get("ySplit") == "1" and pane.get("state") == "frozen"
    assert (None, True) in seen
    assert ('"$"#,##0.00;-"$"#,##0.00', False) in seen  # B2: money override
    assert ("0.0%", False) in seen  # B3: percent override
    assert ("#,##0.0", False) in seen  # the column's own number type
    widths = [col.get("width") for col in root.iter(f"{MAIN}col")]
    assert widths == ["26.0", "14.0"]


def _blank_workbook(folder: Path) -> Path:
    path = folder / "book.xlsx"
    workbook = Workbook()
    workbook.active.title = "Settings"
    workbook.save(path)
    return path


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_any_text_round_trips(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "book.xlsx"
    path.unlink(missing_ok=True)
    _blank_workbook(tmp_path)
    output = TabOutput(
        name="Data Issues",
        columns=[PlanColumn("Problem", "text", 30)],
        rows=[[text] for text in texts],
    )
    backend = XlsxBackend(path)
    backend.write([output])
    grid = backend.read(["Data Issues"])["Data Issues"]
    expected = [xml_safe_text(text) or None for text in texts]
    read_back = [row[0] if row else None for row in grid[1:]]
    read_back += [None] * (len(expected) - len(read_back))  # trailing blank rows are trimmed
    assert read_back == expected


plain_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(plain_values, min_size=3, max_size=3), min_size=1, max_size=10))
def test_any_plain_values_round_trip(tmp_path: Path, rows: list[list[object]]) -> None:
    path = tmp_path / "book.xlsx"
    path.unlink(missing_ok=True)
    _blank_workbook(tmp_path)
    output = TabOutput(
        name="Funnel",
        columns=[PlanColumn(name, "text", 12) for name in ("A", "B", "C")],
        rows=rows,
    )
    backend = XlsxBackend(path)
    backend.write([output])
    grid = backend.read(["Funnel"])["Funnel"][1:]

    def expected(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)  # every number is a double in the file
        if isinstance(value, datetime) and value.time() == datetime.min.time():
            return value.date()  # midnight reads back as a date
        return value

    wanted = [[expected(v) for v in row] for row in rows]
    while wanted and all(v is None for v in wanted[-1]):
        wanted.pop()  # trailing blank rows are trimmed; the header keeps all 3 columns
    assert grid == wanted


LOG_OUTPUT = TabOutput(
    name="Stage Log", columns=[PlanColumn("Deal ID", "text", 12)], rows=[], currency="USD",
    append_only=True,
)


def _log_part(rows: str) -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:A3"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


@pytest.mark.parametrize(
    ("rows", "kept"),
    [
        # as Excel and LibreOffice write rows: kept byte for byte without parsing each row
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>Deal ID</t></is></c></row>'
         '<row r="2"><c r="A2"><v>7</v></c></row><row r="3"/>', True),
        # a row numbered after another attribute, or a prefixed row: still kept
        ('<row spans="1:1" r="1"><c r="A1"><v>1</v></c></row>', True),
        ('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>', True),
        # a row without a number: where it stands cannot be told, the tab is written whole
        ('<row r="1"><c r="A1"><v>1</v></c></row><row><c r="A2"><v>2</v></c></row>', False),
        ('<row r="1"><c r="A1"><v>1</v></c></row><row spans="1:1"/>', False),
    ],
)
def test_a_log_with_nothing_to_append_is_kept_unless_a_row_has_no_number(rows, kept):
    part = _log_part(rows)
    result = appended_sheet_xml(part, LOG_OUTPUT, [], [0], lambda fmt, header: 0)
    assert result == (part if kept else None)


@pytest.mark.parametrize(("xml", "found"), [
    (b'<c r="A1"><f>SUM(B1:B3)</f><v>6</v></c>', True),
    (b'<x:c r="A1"><x:f t="shared" ref="A1:A3" si="0">B1</x:f></x:c>', True),
    (b'<c r="A1"><f\n>B1</f></c>', True),
    (b'<c r="A1" t="inlineStr"><is><t>&lt;f&gt; Note:f x</t></is></c>', False),
    (b'<font><b/></font><fill/><c r="A1"><v>1</v></c>', False),
    (b'<worksheet xmlns:foo="x"><sheetFormatPr/></worksheet>', False),
])
def test_a_formula_is_found_with_or_without_a_prefix(xml: bytes, found: bool) -> None:
    import re

    from sync.backends.xlsx.write import _has_formula

    assert _has_formula(xml) is found
    assert _has_formula(xml) is (re.search(rb"<(?:[\w.-]+:)?f[\s>]", xml) is not None)
