"""No worksheet crashes the reader, and both readers agree where calamine may read.

Each example is a real .xlsx package written from raw worksheet XML: numbers (huge,
negative, in date cells), shared and inline strings, booleans, error values, formulas
without a result, merged ranges and cells far below or right of the data.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.a1 import column_letter
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.read import WorkbookReader
from sync.contract.grid import STRAY_GAP_ROWS, CellError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>'
    ),
}
SHARED = ["Acme", "Globex", " spaced ", "_x0041_"]
ERRORS = ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NULL!", "#NUM!", "#GETTING_DATA"]

numbers = st.one_of(
    st.integers(-(10**6), 10**7).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["-1e15", "1E+308", "45000.5", "-0.5", "0", "2958466"]),
)
cell_xml = st.one_of(
    numbers.map(lambda v: f"<v>{v}</v>"),
    numbers.map(lambda v: ("s1", f"<v>{v}</v>")),  # date-styled
    st.integers(0, len(SHARED) - 1).map(lambda i: ("ts", f"<v>{i}</v>")),
    st.text(max_size=8).map(lambda t: ("tinlineStr", f"<is><t>{_escape(t)}</t></is>")),
    st.booleans().map(lambda b: ("tb", f"<v>{int(b)}</v>")),
    st.sampled_from(ERRORS).map(lambda e: ("te", f"<v>{e}</v>")),
    st.just(("f", "<f>SUM(A1:A3)</f>")),
)


def _escape(text: str) -> str:
    cleaned = "".join(c for c in text if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF)
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(ref: str, spec: Any) -> str:
    if isinstance(spec, str):
        return f'<c r="{ref}">{spec}</c>'
    kind, body = spec
    if kind == "f":
        return f'<c r="{ref}">{body}</c>'
    attribute = ' s="1"' if kind == "s1" else f' t="{kind[1:]}"'
    return f'<c r="{ref}"{attribute}>{body}</c>'


@st.composite
def worksheets(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int, int]], list[int]]:
    width = draw(st.integers(1, 5))
    height = draw(st.integers(1, 8))
    rows: dict[int, dict[int, Any]] = {1: {c: ("ts", "<v>0</v>") for c in range(1, width + 1)}}
    for row in range(2, height + 2):
        for column in range(1, width + 2):
            if draw(st.booleans()):
                rows.setdefault(row, {})[column] = draw(cell_xml)
    far_rows = draw(
        st.lists(
            st.sampled_from([1048576, height + 1 + STRAY_GAP_ROWS + 1, 5000]),
            max_size=2,
            unique=True,
        )
    )
    for far in far_rows:
        rows.setdefault(far, {})[draw(st.sampled_from([1, 14, 16384]))] = "<v>1</v>"
    merges = draw(
        st.lists(
            st.tuples(
                st.integers(2, height + 2),
                st.integers(1, width + 1),
                st.integers(0, 3),
                st.integers(0, 2),
            ),
            max_size=2,
        )
    )
    rects = []
    for top, left, down, right in merges:
        rect = (top, left, top + down, left + right)
        if (down or right) and not any(_overlap(rect, other) for other in rects):
            rects.append(rect)
    body = "".join(
        f'<row r="{row}">'
        + "".join(_cell(f"{column_letter(c - 1)}{row}", spec) for c, spec in sorted(cells.items()))
        + "</row>"
        for row, cells in sorted(rows.items())
    )
    merged = "".join(
        f'<mergeCell ref="{column_letter(left - 1)}{top}:{column_letter(right - 1)}{bottom}"/>'
        for top, left, bottom, right in rects
    )
    xml = f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData>'
    if rects:
        xml += f'<mergeCells count="{len(rects)}">{merged}</mergeCells>'
    return xml + "</worksheet>", rects, far_rows


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _package(path: Path, sheet: str) -> None:
    shared = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in SHARED)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in PARTS.items():
            package.writestr(name, content)
        package.writestr("xl/worksheets/sheet1.xml", sheet)
        package.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{shared}</sst>')


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(worksheets())
def test_no_worksheet_crashes_the_reader(tmp_path: Path, example: Any) -> None:
    sheet, rects, far_rows = example
    path = tmp_path / "random.xlsx"
    _package(path, sheet)
    grid = XlsxBackend(path).read(["Orders"])["Orders"]
    assert grid[0] == ["Acme"] * len(grid[0])
    assert all(len(row) == len(grid[0]) for row in grid)
    assert {row for row, _, _ in grid.stray} >= {r for r in far_rows if r > len(grid)}
    for top, left, bottom, right in rects:
        if top <= len(grid) and left <= len(grid[0]):
            value = grid[top - 1][left - 1]
            for row in grid[top - 1 : bottom]:
                assert row[left - 1 : right] == [value] * len(row[left - 1 : right])
    for row in grid:
        for value in row:
            assert value is None or isinstance(value, str | int | float | bool | object)
            if isinstance(value, CellError):
                assert value in ERRORS or value.is_formula
    # Where calamine may read the tab, the streaming reader gives the same grid.
    with zipfile.ZipFile(path) as archive:
        reader = WorkbookReader(archive, str(path), path)
        fast = reader.grid("Orders")
        reader.path = None
        slow = reader.grid("Orders")
        reader.close()
    assert slow == fast and slow.merged == fast.merged and slow.stray == fast.stray
