"""One worksheet's cells, read as a stream: only the used cells cost memory.

The worksheet XML is parsed as it is unpacked (expat, namespace-aware, so a prefixed
`<x:c>` or a Strict namespace reads the same). The header row decides the grid's width:
cells to the right of the last header belong to no column and are dropped as they are
read; cells more than STRAY_GAP_ROWS rows below the last data row are kept apart as stray
cells. A far-away cell therefore costs nothing, wherever it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any
from xml.parsers import expat

from sync.backends.grid_shape import (
    column_number,
    header_width,
    known_columns,
    with_merges,
)
from sync.backends.xlsx.formats import date_value
from sync.contract.grid import STRAY_GAP_ROWS, CellError, TabGrid

MAIN_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_ROW, _CELL, _VALUE, _FORMULA, _INLINE, _TEXT, _PHONETIC, _MERGE = range(8)
_LOCAL_TAGS = {
    "row": _ROW,
    "c": _CELL,
    "v": _VALUE,
    "f": _FORMULA,
    "is": _INLINE,
    "t": _TEXT,
    "rPh": _PHONETIC,
    "mergeCell": _MERGE,
}
TAGS = {
    f"{namespace}}}{local}": code
    for namespace in MAIN_NAMESPACES
    for local, code in _LOCAL_TAGS.items()
} | _LOCAL_TAGS
_ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REFERENCE = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(!])")
_QUOTED = re.compile(r'("[^"]*"|\'[^\']*\')')
_DIGITS = "0123456789"


class SheetXmlError(ValueError):
    """The worksheet XML cannot be parsed."""


def decode_escapes(text: str) -> str:
    """Text with the `_xHHHH_` escapes of OOXML strings decoded (`_x000D_` is a CR)."""
    if "_x" not in text:
        return text
    return _ESCAPED_CHARACTER.sub(lambda match: chr(int(match.group(1), 16)), text)


def shift_formula(formula: str, rows: int, columns: int) -> str:
    """A shared formula as it reads in a cell `rows` down and `columns` right of its master."""

    def shift(match: re.Match[str]) -> str:
        fixed_column, letters, fixed_row, digits = match.groups()
        column = column_number(letters)
        if column == 0 or column > 16384:
            return match.group(0)
        if not fixed_column:
            column += columns
        row = int(digits) + (0 if fixed_row else rows)
        if column < 1 or row < 1:
            return "#REF!"
        return f"{fixed_column}{_letters(column)}{fixed_row}{row}"

    parts = _QUOTED.split(formula)
    return "".join(
        part if index % 2 else _REFERENCE.sub(shift, part) for index, part in enumerate(parts)
    )


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


def read_sheet(
    stream: IO[bytes],
    shared_strings: list[str],
    date_kinds: dict[int, int],
    date1904: bool = False,
) -> TabGrid:
    """The grid of one worksheet part: row 1 first, as wide as the header row."""
    rows: dict[int, list[Any]] = {}
    stray: list[tuple[int, int, Any]] = []
    merges: list[str] = []
    masters: dict[str, tuple[str, int, int]] = {}  # shared formula id -> text, row, column
    text: list[str] = []
    inline: list[str] = []
    cells: dict[int, Any] = {}
    width = -1  # unknown until the first row with a value
    first_row = 0
    last_data_row = 0
    row_number = 0
    column = 0
    cell_type: str | None = None
    style = 0
    value_text: str | None = None
    formula: str | None = None
    formula_attributes: tuple[str | None, str | None] = (None, None)
    collecting = False
    in_inline = False
    in_phonetic = False
    stray_mode = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal row_number, column, cell_type, style, value_text, formula, collecting
        nonlocal in_inline, in_phonetic, formula_attributes
        tag = TAGS.get(name)
        if tag is None:
            return
        if tag == _CELL:
            ref = attributes.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                column = known_columns.get(letters) or column_number(letters)
            else:
                column += 1
            cell_type = attributes.get("t")
            given_style = attributes.get("s")
            style = int(given_style) if given_style and given_style.isdigit() else 0
            value_text = None
            formula = None
        elif tag == _VALUE:
            text.clear()
            collecting = True
        elif tag == _ROW:
            given = attributes.get("r")
            row_number = int(given) if given and given.isdigit() else row_number + 1
            column = 0
        elif tag == _TEXT:
            if in_inline and not in_phonetic:
                text.clear()
                collecting = True
        elif tag == _INLINE:
            in_inline = True
            inline.clear()
        elif tag == _FORMULA:
            text.clear()
            collecting = True
            formula_attributes = (attributes.get("t"), attributes.get("si"))
        elif tag == _PHONETIC:
            in_phonetic = True
        elif tag == _MERGE:
            merges.append(attributes.get("ref", ""))

    def end(name: str) -> None:
        nonlocal value_text, formula, collecting, in_inline, in_phonetic
        tag = TAGS.get(name)
        if tag is None:
            return
        if tag == _VALUE:
            value_text = "".join(text)
            collecting = False
        elif tag == _CELL:
            value = cell_value()
            if value is not None and value != "":
                cells[column] = value
        elif tag == _ROW:
            if cells:
                end_row()
        elif tag == _TEXT:
            if collecting and in_inline:
                inline.append("".join(text))
                collecting = False
        elif tag == _INLINE:
            in_inline = False
        elif tag == _FORMULA:
            formula = "".join(text)
            collecting = False
            kind, shared_id = formula_attributes
            if kind == "shared" and shared_id is not None:
                if formula:
                    masters[shared_id] = (formula, row_number, column)
                elif shared_id in masters:
                    master, master_row, master_column = masters[shared_id]
                    formula = shift_formula(master, row_number - master_row, column - master_column)
        elif tag == _PHONETIC:
            in_phonetic = False

    def characters(data: str) -> None:
        if collecting:
            text.append(data)

    def cell_value() -> Any:
        if formula is not None and not value_text and cell_type not in ("str", "inlineStr"):
            return CellError("=" + formula)  # a formula never calculated: no cached value
        if cell_type is None or cell_type == "n":
            if value_text is None:
                return None
            try:
                number = float(value_text)
            except ValueError:
                return value_text.strip() or None
            kind = date_kinds.get(style) if date_kinds else None
            return date_value(number, kind, date1904) if kind else number
        if cell_type == "s":
            try:
                return shared_strings[int(value_text or "")]
            except (ValueError, IndexError):
                return None
        if cell_type == "inlineStr":
            return decode_escapes("".join(inline)) if inline else value_text
        if cell_type == "str":
            return decode_escapes(value_text) if value_text else None
        if cell_type == "b":
            return (value_text or "").strip() in ("1", "true")
        if cell_type == "e":
            return CellError((value_text or "").strip() or "#VALUE!")
        if cell_type == "d":
            return _iso_moment(value_text or "")
        return value_text

    def end_row() -> None:
        nonlocal width, first_row, last_data_row, stray_mode
        if width < 0:
            # The first row with a value sets the width: row 1 when the headers are where
            # they belong; if rows were inserted above them, the reader still sees them.
            width = header_width(cells)
            first_row = row_number
        if stray_mode or (last_data_row and row_number > last_data_row + STRAY_GAP_ROWS):
            stray_mode = True
            stray.extend((row_number, at, value) for at, value in sorted(cells.items()))
        else:
            if row_number == first_row:
                far = sorted(cells.items())
                stray.extend((row_number, at, value) for at, value in far if at > width)
            line = [None] * width
            for at, value in cells.items():
                if at <= width and at > 0:
                    line[at - 1] = value
            if any(value is not None for value in line):
                rows[row_number] = line
                last_data_row = max(last_data_row, row_number)
        cells.clear()

    parser = streaming_parser(start, end, characters, "the worksheet")
    try:
        parser.ParseFile(stream)
    except expat.ExpatError as error:
        raise SheetXmlError(str(error)) from error
    width = max(width, 0)
    grid = [rows.get(number) or [None] * width for number in range(1, last_data_row + 1)]
    return with_merges(grid, width, merges, stray)


def streaming_parser(
    start: Callable[..., None], end: Callable[..., None], characters: Callable[[str], None],
    part: str,
) -> Any:
    """An expat parser for a big part read as a stream, namespaced, refusing a DOCTYPE.

    Spreadsheet XML never declares a DOCTYPE; one that does may define entities that
    expand without end, so `part` ("the worksheet") is refused with a `SheetXmlError`.
    """

    def refuse(*_: Any) -> None:
        raise SheetXmlError(f"{part} declares a DOCTYPE, which spreadsheet XML never does")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = refuse
    return parser


def _iso_moment(text: str) -> Any:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if "T" not in text and ":" not in text:
        return moment.date()
    return moment.replace(tzinfo=None)
