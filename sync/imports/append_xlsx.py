"""Append imported rows to an input tab of an .xlsx file, losslessly and atomically.

Only the tab's worksheet part changes, and in it only what must: new `<row>` elements go
in after the owner's last data row and the `<dimension>` grows to cover them. Every other
part keeps its original zip bytes (see `rawzip`), and every existing row its bytes.
Text is written as inline strings (`t="inlineStr"`): never a formula, and the shared
strings part stays as it was. A date takes the style of the cell above it when that cell
holds a date, else a plain date style the workbook already has (the styles part is only
read), so it looks like the owner's dates; a workbook with no date style at all gets ISO
text (`2026-11-03`), which the reader reads as the same date.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sync.a1 import column_letter
from sync.backends.xlsx.file import check_writable, read_for_update, replace_file
from sync.backends.xlsx.guard import check_not_locked, check_workbook_file
from sync.backends.xlsx.package import STYLES_REL, Package
from sync.backends.xlsx.rawzip import read_members
from sync.backends.xlsx.sheet_xml import escape_cell_text
from sync.backends.xlsx.write import MAIN_NS, WorkbookIndex
from sync.errors import WorkbookError
from sync.imports.plan import as_cell
from sync.schema.tabs import find_tab
from sync.serials import to_serial

_ROW = re.compile(rb"<(?P<p>[\w.-]+:)?row\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?row\s*>)",
                  re.S)
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?:[\w.-]+:)?c\s*>)",
                   re.S)
_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)\b")
_R = re.compile(rb'\br="([A-Z]*)(\d+)"')
_S = re.compile(rb'\bs="(\d+)"')
_T = re.compile(rb'\bt="(\w+)"')
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class AppendConflictError(WorkbookError):
    """The tab changed between reading and appending: nothing was written."""


def _column_index(letters: bytes) -> int:
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number - 1


def _rows(sheet_data: bytes) -> list[tuple[int, re.Match[bytes]]]:
    """Each `<row>` of the sheet data with its 1-based number (implicit numbers counted)."""
    rows, number = [], 0
    for match in _ROW.finditer(sheet_data):
        found = _R.search(match.group("attrs"))
        number = int(found.group(2)) if found else number + 1
        rows.append((number, match))
    return rows


def _date_styles(row: re.Match[bytes] | None) -> dict[int, bytes]:
    """Column -> style of the numeric, styled cells of the owner's last data row."""
    styles: dict[int, bytes] = {}
    if row is None or not row.group("body"):
        return styles
    for index, cell in enumerate(_CELL.finditer(row.group("body"))):
        attrs = cell.group("attrs")
        ref, style, kind = _R.search(attrs), _S.search(attrs), _T.search(attrs)
        column = _column_index(ref.group(1)) if ref and ref.group(1) else index
        numeric = kind is None or kind.group(1) == b"n"
        if style and numeric and b"<" in (cell.group("body") or b""):
            styles[column] = style.group(1)
    return styles


def existing_date_style(styles_xml: bytes | None) -> bytes | None:
    """The index of a plain date style already in the workbook's styles, if there is one."""
    if not styles_xml:
        return None
    root = ET.fromstring(styles_xml)
    codes = {element.get("numFmtId"): element.get("formatCode", "")
             for element in root.iter(f"{{{MAIN_NS}}}numFmt")}
    xfs = next(root.iter(f"{{{MAIN_NS}}}cellXfs"), None)
    for index, xf in enumerate(xfs if xfs is not None else []):
        number_format = xf.get("numFmtId", "0")
        code = codes.get(number_format, "").lower()
        is_date = number_format == "14" or (
            "y" in code and "d" in code and "h" not in code and '"' not in code)
        if is_date and xf.get("fontId", "0") == "0" and xf.get("fillId", "0") == "0":
            return str(index).encode()
    return None


def _cell_xml(ref: str, value: Any, date_style: bytes | None, date1904: bool) -> str:
    value = as_cell(value)
    if isinstance(value, date | datetime) and not isinstance(value, bool):
        if date_style is not None:
            number = to_serial(value, date1904)
            return f'<c r="{ref}" s="{date_style.decode()}"><v>{number!r}</v></c>'
        value = value.isoformat() if not isinstance(value, datetime) else value.isoformat(" ")
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape_cell_text(_ILLEGAL_XML.sub("", str(value)))
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def rows_xml(rows: Sequence[list[Any]], first_row: int, prefix: str,
             date_styles: dict[int, bytes], date1904: bool) -> bytes:
    """The `<row>` elements of the appended rows."""
    out = []
    for offset, cells in enumerate(rows):
        number = first_row + offset
        parts = [
            _cell_xml(f"{column_letter(index)}{number}", value, date_styles.get(index), date1904)
            for index, value in enumerate(cells) if value is not None and value != ""
        ]
        if prefix:
            parts = [part.replace("<c ", f"<{prefix}c ").replace("</c>", f"</{prefix}c>")
                     .replace("<v>", f"<{prefix}v>").replace("</v>", f"</{prefix}v>")
                     .replace("<is>", f"<{prefix}is>").replace("</is>", f"</{prefix}is>")
                     .replace("<t>", f"<{prefix}t>").replace("<t ", f"<{prefix}t ")
                     .replace("</t>", f"</{prefix}t>") for part in parts]
        out.append(f'<{prefix}row r="{number}">{"".join(parts)}</{prefix}row>')
    return "".join(out).encode("utf-8")


def append_to_sheet_xml(xml: bytes, rows: Sequence[list[Any]], first_row: int,
                        date1904: bool = False, date_style: bytes | None = None) -> bytes:
    """The worksheet XML with `rows` added from `first_row` on; existing rows untouched."""
    opened = re.search(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>", xml)
    if opened is None:
        raise WorkbookError("the tab has no sheet data: open the workbook and save it again")
    prefix = (opened.group(1) or b"").decode()
    if opened.group(2):  # `<sheetData/>`: an empty tab
        xml = xml[:opened.start()] + f"<{prefix}sheetData></{prefix}sheetData>".encode() + \
            xml[opened.end():]
        opened = re.search(rb"<([\w.-]+:)?sheetData\b[^>]*?>", xml)
        assert opened is not None
    closing = xml.index(f"</{prefix}sheetData>".encode(), opened.end())
    data = xml[opened.end():closing]
    last_row = len(rows) and first_row + len(rows) - 1
    insert_at, above = 0, None
    replace: list[tuple[int, int]] = []
    for number, match in _rows(data):
        has_value = bool(match.group("body") and _VALUE.search(match.group("body")))
        if number < first_row:
            insert_at, above = match.end(), (match if has_value else above)
            continue
        if has_value and number <= last_row:
            raise AppendConflictError(
                f"row {number} of the tab is no longer empty (the workbook changed since it "
                "was read): nothing was written; import again"
            )
        if number <= last_row:  # an empty, formatted row where an imported one goes
            replace.append((match.start(), match.end()))
    styles = _date_styles(above)
    if date_style is not None:
        width = max((len(row) for row in rows), default=0)
        styles = {column: styles.get(column, date_style) for column in range(width)}
    new = rows_xml(rows, first_row, prefix, styles, date1904)
    for start, end in reversed(replace):
        data = data[:start] + data[end:]
        if start < insert_at:
            insert_at -= end - start
    data = data[:insert_at] + new + data[insert_at:]
    xml = xml[:opened.end()] + data + xml[closing:]
    return _grown_dimension(xml, last_row, max((len(row) for row in rows), default=0))


def _grown_dimension(xml: bytes, last_row: int, width: int) -> bytes:
    found = re.search(
        rb'(<(?:[\w.-]+:)?dimension\b[^>]*\bref=")([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', xml
    )
    if found is None or not last_row:
        return xml
    left, top = found.group(2), found.group(3)
    right = (found.group(4) or left).decode()
    bottom = max(int(found.group(5) or top), last_row)
    if width and _column_index(right.encode()) < width - 1:
        right = column_letter(width - 1)
    ref = left + top + f":{right}{bottom}".encode()
    return xml[:found.start()] + found.group(1) + ref + b'"' + xml[found.end():]


def append_xlsx(path: str | Path, tab: str, rows: Sequence[list[Any]], first_row: int) -> None:
    """Append `rows` to tab `tab` of the workbook at `path`, from sheet row `first_row`."""
    target = Path(path)
    check_workbook_file(target)
    check_not_locked(target)
    check_writable(target)
    content, state = read_for_update(target)
    package = Package(read_members(io.BytesIO(content)))
    del content  # the members hold their own bytes
    index = WorkbookIndex(package)
    title = find_tab(list(index.sheets), tab)
    part = index.sheet_part(title) if title else None
    if part is None:
        raise WorkbookError(f"{path} has no {tab} tab: run `salesops init` to see its layout")
    xml = package.read(part)
    styles = next(iter(index.targets(STYLES_REL).values()), None)
    date_style = existing_date_style(package.read(styles) if styles else None)
    package.put(part, append_to_sheet_xml(xml, rows, first_row, index.date1904, date_style))
    # The sync's own temp file, fsync, check-unchanged and rename, reused as is.
    replace_file(target, package.save, state, again="import")
