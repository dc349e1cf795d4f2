"""The worksheet XML of a computed tab: values, formats, frozen header, widths."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np

from sync.a1 import column_letter
from sync.contract.plan import TabOutput, fitted_width, number_format
from sync.serials import to_serial

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAX_TEXT = 32767  # Excel's limit for one cell's text
# Characters XML 1.0 forbids; an owner's pasted text can carry them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def xml_safe_text(text: str) -> str:
    """Text that can stand in XML and fit in a cell."""
    return _ILLEGAL_XML.sub("", text)[:MAX_TEXT]


def escape(text: str) -> str:
    """Escape text for an XML element or a double-quoted attribute."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")  # a bare carriage return would be read back as a newline
    )


def escape_cell_text(text: str) -> str:
    """Escape cell text, protecting literal `_xHHHH_` that readers decode as a character."""
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F\g<0>", text)
    return escape(text)


def cell_xml(ref: str, value: Any, style: int, date1904: bool = False) -> str:
    """One `<c>` element, or '' for an empty cell."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{s}><v>{to_serial(value, date1904)!r}</v></c>'
    # Inline strings are never formulas, so `=IMPORTXML(...)` stays text.
    return f'<c r="{ref}"{s} t="inlineStr"><is>{_text_element(str(value))}</is></c>'


@lru_cache(maxsize=65536)
def _text_element(text: str) -> str:
    # Computed tabs repeat the same names and labels on many rows: escape each once.
    return f'<t xml:space="preserve">{escape_cell_text(xml_safe_text(text))}</t>'


def sheet_xml(
    output: TabOutput,
    rows: Sequence[Sequence[Any]],
    style_of: Callable[[str | None, bool], int],
    date1904: bool = False,
    drawing_rel_id: str | None = None,
) -> bytes:
    """The worksheet part of a computed tab: header row, then `rows`."""
    width = len(output.columns)
    last = f"{column_letter(max(width - 1, 0))}{len(rows) + 1}"
    letters = [column_letter(i) for i in range(width)]
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        # A tab with charts prints on one page, the way an owner hands a dashboard round.
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if drawing_rel_id else "",
        f'<dimension ref="A1:{last}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    values = _column_values(rows, width)
    if width:
        parts.append("<cols>")
        for index, column in enumerate(output.columns):
            # The width fits the header and the first thousand rows' values.
            sample = values[index][:_WIDTH_ROWS]
            if _ABSENT in sample:  # a short row has no cell in this column
                sample = [value for value in sample if value is not _ABSENT]
            fitted = fitted_width(column.width, [column.header, *sample])
            parts.append(
                f'<col min="{index + 1}" max="{index + 1}" width="{fitted}" customWidth="1"/>'
            )
        parts.append("</cols>")
    parts.append("<sheetData>")
    header_style = style_of(None, True)
    header = "".join(
        cell_xml(f"{letters[i]}1", column.header, header_style)
        for i, column in enumerate(output.columns)
    )
    parts.append(f'<row r="1">{header}</row>')
    parts.extend(_data_rows(output, values, len(rows), style_of, date1904))
    parts.append("</sheetData>")
    # No autoFilter: without a `_xlnm._FilterDatabase` name per tab in workbook.xml it does
    # not work in LibreOffice and can crash Excel on sort, and that name would pin the
    # tab's position, which the owner may change.
    parts.append(
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    )
    if drawing_rel_id:
        parts.append('<pageSetup orientation="portrait" fitToWidth="1" fitToHeight="1"/>')
        parts.append(f'<drawing r:id="{drawing_rel_id}"/>')
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")




_FAST_KINDS = {float: "float", int: "int", str: "str"}


def _cell_format(output: TabOutput, formats: list[str | None], row: int, column: int,
                 value: Any) -> str | None:
    fmt = output.cell_format(row, column) if (row, column) in output.cell_types else formats[column]
    if fmt is None and isinstance(value, date):
        # A date in an untyped column would otherwise show as a bare serial number.
        fmt = number_format("datetime" if isinstance(value, datetime) else "date", "")
    return fmt


_WIDTH_ROWS = 1000


def _column_values(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """The values of each column, top to bottom (`_ABSENT` past the end of a short row)."""
    if rows and min(map(len, rows)) >= width:  # the usual case: every row is whole
        return [list(map(itemgetter(index), rows)) for index in range(width)]
    return [[row[index] if index < len(row) else _ABSENT for row in rows]
            for index in range(width)]


def _data_rows(
    output: TabOutput,
    values: list[list[Any]],
    count: int,
    style_of: Callable[[str | None, bool], int],
    date1904: bool,
) -> list[str]:
    """The `<row>` elements of the data rows, built a column at a time.

    A column of one plain kind (floats, whole numbers or text, with blanks) and one format
    is written by one comprehension over its values; any other column cell by cell with
    `cell_xml`. Styles are asked for in the order a row-by-row pass would first meet them,
    so styles.xml and every `s=` index come out the same.
    """
    if not count:
        return []
    formats = [number_format(c.type, output.currency) for c in output.columns]
    overridden = {column for _, column in output.cell_types}
    # per column: one format for every row, or a format per row
    column_formats: list[Any] = []
    column_kinds = [set(map(type, column)) - {type(None)} for column in values]
    for index, (column, kinds) in enumerate(zip(values, column_kinds, strict=True)):
        if (
            index not in overridden
            and not any(issubclass(k, date) for k in kinds)
            and _Absent not in kinds
        ):
            column_formats.append(formats[index])
        else:
            column_formats.append([
                _ABSENT if value is _ABSENT else _cell_format(output, formats, row, index, value)
                for row, value in enumerate(column)
            ])
    styles = _styles_in_row_order(column_formats, count, style_of)
    cells: list[list[str]] = []
    numbers = range(2, count + 2)
    for index, column in enumerate(values):
        letter = column_letter(index)
        fmt = column_formats[index]
        kinds = column_kinds[index]
        kind = _FAST_KINDS.get(next(iter(kinds))) if len(kinds) == 1 else None
        if not isinstance(fmt, list) and (kind is not None or not kinds):
            style = styles[fmt]
            s = f' s="{style}"' if style else ""
            if kind == "float":
                finite = np.isfinite(np.array(column, dtype=float)).tolist()
                cells.append([
                    f'<c r="{letter}{n}"{s}><v>{text}</v></c>' if ok else ""
                    for n, text, ok in zip(numbers, map(repr, column), finite, strict=True)
                ])
            elif kind == "int":
                cells.append([
                    "" if value is None else f'<c r="{letter}{n}"{s}><v>{value}</v></c>'
                    for n, value in zip(numbers, column, strict=True)
                ])
            elif kind == "str":
                cells.append([
                    "" if value is None
                    else f'<c r="{letter}{n}"{s} t="inlineStr"><is>{_text_element(value)}</is></c>'
                    for n, value in zip(numbers, column, strict=True)
                ])
            else:
                cells.append([""] * count)
            continue
        per_row = fmt if isinstance(fmt, list) else [fmt] * count
        cells.append([
            "" if value is _ABSENT
            else cell_xml(f"{letter}{n}", value, styles[row_fmt], date1904)
            for n, value, row_fmt in zip(numbers, column, per_row, strict=True)
        ])
    return [
        f'<row r="{n}">{"".join(row)}</row>'
        for n, row in zip(numbers, zip(*cells, strict=True) if cells else [()] * count,
                          strict=True)
    ]


class _Absent:
    """A cell past the end of a short row: written as nothing, and no style asked for."""


_ABSENT = _Absent()


def _styles_in_row_order(
    column_formats: Sequence[Any],
    count: int,
    style_of: Callable[[str | None, bool], int],
) -> dict[Any, int]:
    """The style of every format used, asked for in row-major order of first use."""
    wanted: set[Any] = set()
    for fmt in column_formats:
        wanted.update(fmt if isinstance(fmt, list) else [fmt])
    wanted.discard(_ABSENT)  # a cell past a short row's end is not written
    styles: dict[Any, int] = {}
    for row in range(count):
        for fmt in column_formats:
            row_fmt = fmt[row] if isinstance(fmt, list) else fmt
            if row_fmt not in styles and row_fmt is not _ABSENT:
                styles[row_fmt] = style_of(row_fmt, False)
        if len(styles) == len(wanted):
            break
    return styles


_ROW = re.compile(rb"<(?P<p>(?:[\w.-]+:)?)row\b(?P<attrs>[^>]*?)(?:/>|>.*?</(?P=p)row>)", re.S)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)\b")
_DIMENSION = re.compile(rb'(<dimension\b[^>]*?\bref=")([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def appended_sheet_xml(
    xml: bytes,
    output: TabOutput,
    rows: Sequence[Sequence[Any]],
    positions: Sequence[int],
    style_of: Callable[[str | None, bool], int],
    date1904: bool = False,
) -> bytes | None:
    """The worksheet with `rows` added under its last row that holds a value, every other
    byte as it was.

    `rows` hold `output`'s columns in order; `positions` says which column of the tab each
    goes to (the owner may have added or moved columns). Empty rows in the way (a height,
    a style) give way to the new rows. None when the part is not one this can edit safely.
    """
    # (a byte search first: only a part holding `:sheetData` can have the prefix)
    if (b":sheetData" in xml and re.search(rb"<[\w.-]+:sheetData\b", xml)
            or b"</sheetData>" not in xml):
        return None  # a namespace prefix: the new rows would need it too
    if not rows and _every_row_numbered(xml):
        return xml  # nothing to add (a sync that saw no stage change): no row to parse
    matches = list(_ROW.finditer(xml))
    numbers = [_ROW_NUMBER.search(m["attrs"]) for m in matches]
    if any(number is None for number in numbers):
        return None  # rows without a number: where each stands cannot be told
    rows_at = [(m, int(n.group(1))) for m, n in zip(matches, numbers, strict=True) if n]
    last = max((r for m, r in rows_at if _HAS_VALUE.search(m.group(0))), default=0)
    if not rows:
        return xml
    first, stop = last + 1, last + 1 + len(rows)
    formats = [number_format(column.type, output.currency) for column in output.columns]
    order = sorted(range(len(positions)), key=lambda index: positions[index])
    added = []
    for offset, row in enumerate(rows):
        number = first + offset
        cells = []
        for index in order:
            value = row[index] if index < len(row) else None
            fmt = formats[index]
            if fmt is None and isinstance(value, date):
                fmt = number_format("datetime" if isinstance(value, datetime) else "date", "")
            ref = f"{column_letter(positions[index])}{number}"
            cells.append(cell_xml(ref, value, style_of(fmt, False), date1904))
        added.append(f'<row r="{number}">{"".join(cells)}</row>')
    new = "".join(added).encode("utf-8")
    # Rebuild sheetData: rows before the new ones, the new ones, the empty rows after them.
    before = [m for m, r in rows_at if r < first]
    after = [m for m, r in rows_at if r >= stop]
    start = matches[0].start() if matches else xml.index(b"</sheetData>")
    end = matches[-1].end() if matches else start
    body = (
        xml[start:before[-1].end()] if before else b""
    ) + new + b"".join(m.group(0) for m in after)
    xml = xml[:start] + body + xml[end:]
    return _widen_dimension(xml, stop - 1, max(positions, default=0) + 1)


_ROW_OPENING = re.compile(rb"<row[\s/>]")
_NUMBERED_ROW_OPENING = re.compile(rb'<row r="\d+"')
_PREFIXED_ROW = re.compile(rb"<[\w.-]+:row\b")


def _every_row_numbered(xml: bytes) -> bool:
    """Whether every row opens as `<row r="N"`, as Excel and LibreOffice write them (two
    byte-speed counts instead of parsing each row); False says only "look closer"."""
    return (
        len(_ROW_OPENING.findall(xml)) == len(_NUMBERED_ROW_OPENING.findall(xml))
        and (b":row" not in xml or _PREFIXED_ROW.search(xml) is None)
    )


def _widen_dimension(xml: bytes, last_row: int, last_column: int) -> bytes:
    """The `<dimension>` reference grown to cover the new rows (nothing else changes)."""
    found = _DIMENSION.search(xml)
    if not found:
        return xml
    top_left = found.group(2) + found.group(3)
    end_letters = found.group(4) or found.group(2)
    end_row = int(found.group(5) or found.group(3))
    columns = max(_column_number(end_letters), last_column)
    reference = top_left + b":" + column_letter(columns - 1).encode() + str(
        max(end_row, last_row)
    ).encode()
    return xml[: found.start()] + found.group(1) + reference + b'"' + xml[found.end() :]
