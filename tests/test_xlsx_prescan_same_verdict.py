"""The worksheet scan gives the verdict it gave before its searches were merged and skipped.

`reference_can_read` is the scan as it was written first (one search per question, every
block); the scan in `prescan` must agree with it on every sheet XML, cut into blocks of
any size.
"""

from __future__ import annotations

import io
import re
from typing import IO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.backends.xlsx import prescan
from sync.backends.xlsx.prescan import (
    _DIMENSION,
    _ERROR_CELL,
    _ODD_SPACING,
    _ROW_NUMBER,
    _ROW_NUMBER_FIRST,
    _TWO_LETTER_COLUMN,
    _UNCACHED,
    _UNCACHED_SHARED,
    _WIDE_COLUMN,
    DENSE_FACTOR,
    OVERLAP,
    SPARE_CELLS,
    _date_value_found,
    _date_values,
    _plain_utf8,
    calamine_can_read,
)


def reference_can_read(stream: IO[bytes], date_kinds: dict[int, int], chunk_size: int) -> bool:
    chunk = stream.read(chunk_size)
    if not _plain_utf8(chunk):
        return False
    date_values = _date_values(date_kinds)
    max_row = rows_seen = rows_numbered = cells = 0
    columns, wide_or_beyond = _reference_declared_width(chunk)
    carry = tail = b""
    while chunk:
        data = carry + chunk
        cut = data.rfind(b">") + 1
        block, carry = data[:cut], data[cut:]
        window = tail + block
        beyond = wide_or_beyond.search(block)
        if beyond is not None and beyond.group(1) is None:
            columns, wide_or_beyond = 26, _WIDE_COLUMN
            beyond = _WIDE_COLUMN.search(block)
        spaced = block.count(b"\n") > 2 or b"\t" in block or b"\r" in block
        if (
            beyond is not None
            or (spaced and any(odd in block for odd in _ODD_SPACING))
            or any(error in block for error in _ERROR_CELL)
            or (b"<f" in window and (_UNCACHED.search(window) or _UNCACHED_SHARED.search(window)))
            or _date_value_found(date_values, window)
        ):
            return False
        for letters in set(_TWO_LETTER_COLUMN.findall(block)):
            upper = letters.upper()
            columns = max(columns, (upper[0] - 64) * 26 + upper[1] - 64)
        seen = block.count(b"<row ") + block.count(b"<row>")
        numbers = _ROW_NUMBER_FIRST.findall(block)
        if len(numbers) != seen:
            numbers = _ROW_NUMBER.findall(block)
        if numbers:
            max_row = max(max_row, *map(int, numbers))
        rows_numbered += len(numbers)
        rows_seen += seen
        cells += block.count(b"<c ")
        tail = block[-OVERLAP:]
        chunk = stream.read(chunk_size)
    if rows_numbered != rows_seen:
        return False
    return max_row * columns <= DENSE_FACTOR * cells + SPARE_CELLS


def _reference_declared_width(head: bytes) -> tuple[int, re.Pattern[bytes]]:
    match = _DIMENSION.search(head)
    if match is None:
        return 26, _WIDE_COLUMN
    last = match.group(1).upper()
    width = ord(last) - 64
    if width >= 26:
        return 26, _WIDE_COLUMN
    letters = bytes(range(ord(last) + 1, ord("Z") + 1))
    beyond = re.escape(letters) + re.escape(letters.lower())
    return width, re.compile(rb" r=[\"'](?:([A-Za-z]{3})|[" + beyond + rb"]\d)")


_quote = st.sampled_from(['"', "'"])
_space = st.sampled_from([" "] * 12 + ["\n", "\t", "\r"])
_column = st.sampled_from(
    ["A", "B", "C", "D", "H", "I", "Z", "a", "h", "AB", "ZZ", "ab", "ABC", "XFD"]
)
_row_number = st.sampled_from([*range(1, 41), 999, 999, 50_000, 1_048_576])
_value = st.sampled_from(
    ["<v>1</v>"] * 30
    + ["<v>45000</v>", "<v>-1</v>", "<v>1234567</v>", "<v>1e5</v>", "<v> 3</v>", "<v>2.5</v>",
     "<f>SUM(A1)</f><v>3</v>", "<f>NA()</f>", "<f>X</f><v></v>", '<f t="shared" si="0"/>',
     '<f t="shared" si="0"/><v>1</v>', "<is><t>it's</t></is>", "<v>#N/A</v>", ""]
)


@st.composite
def _cell(draw: st.DrawFn, row: int) -> str:
    quote = draw(_quote)
    space = draw(_space)
    ref = f"{space}r={quote}{draw(_column)}{row}{quote}" if draw(st.integers(0, 5)) else ""
    style = draw(st.sampled_from([""] * 4 + [' s="1"', " s='1'", ' s="2"', "\ns=\"1\""]))
    kind = draw(
        st.sampled_from([""] * 6 + [' t="e"', " t='e'", ' t="s"', ' t="inlineStr"', '\nt="e"'])
    )
    return f"<c{ref}{style}{kind}>{draw(_value)}</c>"


@st.composite
def _row(draw: st.DrawFn) -> str:
    number = draw(_row_number)
    quote = draw(_quote)
    opening = draw(
        st.sampled_from(
            [f'<row r="{number}">'] * 6
            + [f"<row r={quote}{number}{quote}>", "<row>",
             f'<row spans="1:3" r="{number}">', f'<row\nr="{number}">', f'<row  r="{number}">']
        )
    )
    cells = draw(st.lists(_cell(number), max_size=4))
    return opening + "".join(cells) + "</row>"


@st.composite
def _sheet_xml(draw: st.DrawFn) -> bytes:
    root = draw(st.sampled_from(['<worksheet xmlns="m">'] * 5 + ['<x:worksheet xmlns:x="m">']))
    dimension = draw(st.sampled_from(["", '<dimension ref="A1:C9"/>', "<dimension ref='A1:H9'/>",
                                      '<dimension ref="A1"/>', '<dimension ref="A1:AB9"/>']))
    rows = draw(st.lists(_row(), max_size=8))
    gaps = draw(st.sampled_from(["", "", "", "\n", "\n\n\n", "\t"]))
    breaks = draw(st.sampled_from(["", '<rowBreaks count="1"><brk id="3"/></rowBreaks>']))
    closing = "</x:worksheet>" if root.startswith("<x:") else "</worksheet>"
    xml = (
        f'<?xml version="1.0"?>{gaps}{root}{dimension}<sheetData>{gaps.join(rows)}</sheetData>'
        + breaks
    )
    return (xml + closing).encode()


@settings(max_examples=600, deadline=None)
@given(
    _sheet_xml(),
    st.sampled_from([{}, {1: 1}, {1: 1, 2: 2}]),
    st.sampled_from([23, 64, 200, 1 << 22]),
)
def test_the_scan_agrees_with_the_first_one(
    xml: bytes, date_kinds: dict[int, int], chunk_size: int
) -> None:
    expected = reference_can_read(io.BytesIO(xml), date_kinds, chunk_size)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prescan, "CHUNK", chunk_size)
        assert calamine_can_read(io.BytesIO(xml), date_kinds) is expected


def test_the_generated_sheets_reach_both_verdicts() -> None:
    """The generator above makes sheets calamine may read and sheets it may not."""
    plain = b'<worksheet xmlns="m"><dimension ref="A1:C9"/><sheetData>'
    readable = plain + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    far = plain + b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>'
    for xml, verdict in ((readable, True), (far, False)):
        assert reference_can_read(io.BytesIO(xml), {}, 1 << 22) is verdict
        assert calamine_can_read(io.BytesIO(xml), {}) is verdict


@pytest.mark.parametrize(
    ("cells", "verdict"),
    [
        # Declared three wide, one cell in ZZ: 999 rows x 702 columns = 701,298 cells to
        # allocate > 4 x 2 cells + 200,000 spare.
        ('<c r="A1"><v>1</v></c></row><row r="999"><c r="ZZ999"><v>1</v></c>', False),
        # ... while in C the rectangle is 999 x 3 = 2,997 cells <= 200,008.
        ('<c r="A1"><v>1</v></c></row><row r="999"><c r="C999"><v>1</v></c>', True),
        # Two letters within the declared width's letters (AB after A1:C9): 999 x 28 =
        # 27,972 cells <= 200,008.
        ('<c r="A1"><v>1</v></c></row><row r="999"><c r="AB999"><v>1</v></c>', True),
    ],
)
def test_two_letter_columns_widen_the_rectangle(cells: str, verdict: bool) -> None:
    xml = (
        '<worksheet xmlns="m"><dimension ref="A1:C9"/><sheetData><row r="1">'
        + cells
        + "</row></sheetData></worksheet>"
    ).encode()
    assert reference_can_read(io.BytesIO(xml), {}, 1 << 22) is verdict
    assert calamine_can_read(io.BytesIO(xml), {}) is verdict
