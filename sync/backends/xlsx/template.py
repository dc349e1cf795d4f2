"""New workbooks: the input tabs with headers, help notes (with an example), dropdowns and
default rows, as `sync/contract/template.py` describes them, in openpyxl objects.

Only ever writes a file that does not exist yet, so openpyxl (which drops charts and
images it does not know) never re-saves an owner's workbook: to add tabs to an existing
workbook, `init` copies the parts of a template built here into the owner's package.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sync.a1 import quote_tab
from sync.backends.xlsx.sheet_xml import xml_safe_text
from sync.backends.xlsx.styles import HEADER_FILL_RGB
from sync.contract.plan import fitted_width
from sync.contract.template import (
    RANGE_SOURCES,
    SOURCE_ROWS,
    Dropdown,
    TemplateColumn,
    TemplateTab,
    default_currency,
    template_setting,
    template_tab,
)
from sync.errors import WorkbookError
from sync.i18n import _
from sync.schema import SettingSpec, TabSpec, input_tabs, settings_specs

NOTE_AUTHOR = "SalesOps Sheets"
VALIDATED_ROWS = 5000  # dropdowns cover this many data rows
ListSource = tuple[str, int]  # a tab's name and the 0-based column holding the choices


def create_template(path: str | os.PathLike[str], locale: str = "en") -> Path:
    """Create a new workbook with every input tab and its default rows."""
    return write_input_workbook(path, {}, locale)


def write_input_workbook(
    path: str | os.PathLike[str], grids: Mapping[str, Sequence[Sequence[Any]]], locale: str = "en"
) -> Path:
    """Create a new workbook with every input tab, filled with `grids` (row 1 = headers)."""
    target = Path(path)
    if target.exists():
        raise WorkbookError(_(
            "{path} already exists: choose another file name, or move the existing file "
            "away first (nothing was written).").format(path=target))
    if not target.parent.is_dir():
        raise WorkbookError(_("the folder {folder} does not exist: create it first.").format(
            folder=target.parent))
    _save_new(input_workbook(grids, locale), target)
    return target


def input_workbook(
    grids: Mapping[str, Sequence[Sequence[Any]]],
    locale: str = "en",
    tabs: Sequence[str] | None = None,
    sources: Mapping[str, ListSource | None] | None = None,
) -> Workbook:
    """A workbook (in memory) with the input tabs named in `tabs` (default: all of them).

    `sources` says where a dropdown fed by another tab finds its choices when that tab
    already exists in the owner's workbook ("reps" -> ("team", 0)); None: no dropdown.
    """
    workbook = Workbook()
    currency = _currency(grids.get("Settings"), locale)
    specs = [spec for spec in input_tabs() if tabs is None or spec.tab in tabs]
    for position, spec in enumerate(specs):
        sheet = workbook.active if position == 0 else workbook.create_sheet()
        assert sheet is not None
        sheet.title = spec.tab
        template = template_tab(spec, locale, currency)
        _fill_tab(sheet, spec, template, grids.get(spec.tab), locale, sources or {})
    return workbook


def template_bytes(
    locale: str, tabs: Sequence[str], sources: Mapping[str, ListSource | None]
) -> bytes:
    """The .xlsx bytes of a template holding only `tabs` (see `input_workbook`)."""
    buffer = io.BytesIO()
    input_workbook({}, locale, tabs, sources).save(buffer)
    return buffer.getvalue()


def builtin_format_code(format_id: int) -> str | None:
    """The format code of a number format Excel knows by its id (None: unknown id)."""
    return BUILTIN_FORMATS.get(format_id)


def list_sources() -> dict[str, tuple[str, str]]:
    """Dropdowns fed by another tab: kind -> (tab, header of the column with the choices)."""
    return dict(RANGE_SOURCES)


def _fill_tab(
    sheet: Worksheet,
    spec: TabSpec,
    template: TemplateTab,
    grid: Sequence[Sequence[Any]] | None,
    locale: str,
    sources: Mapping[str, ListSource | None],
) -> None:
    columns: list[TemplateColumn | None] = list(template.columns)
    if grid:
        rows, extra_headers = _rows_from_grid(spec, grid)
        columns += [None] * len(extra_headers)
    else:
        rows, extra_headers = [list(row) for row in template.rows], []
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL_RGB)
    headers = [column.header for column in template.columns] + extra_headers
    for index, (column, header) in enumerate(zip(columns, headers, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, fill
        if column is not None and column.note:
            cell.comment = _note(column.note)
        width = column.width if column is not None else fitted_width(12, [header])
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    formats = [column.number_format if column is not None else None for column in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            _set_value(sheet.cell(row=row_number, column=index), value, formats[index - 1])
    for index, column in enumerate(template.columns, start=1):
        if column.dropdown is None:
            continue
        validation = _validation(column.dropdown, sources)
        if validation is not None:
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
            sheet.add_data_validation(validation)
    if spec.tab == "Settings":
        _settings_notes_and_lists(sheet, rows, locale)


def _rows_from_grid(
    spec: TabSpec, grid: Sequence[Sequence[Any]]
) -> tuple[list[list[Any]], list[str]]:
    """The grid's data rows in the template's column order, the owner's columns after."""
    header_row = [str(value).strip() if value is not None else "" for value in grid[0]]
    by_label = {}
    for index, column in enumerate(spec.columns):
        for label in (column.header, column.zh, *column.aliases):
            by_label[label.casefold()] = index
    positions: dict[int, int] = {}
    extra_headers: list[str] = []
    for source, header in enumerate(header_row):
        target = by_label.get(header.casefold())
        if target is not None and target not in positions.values():
            positions[source] = target
        elif header:
            positions[source] = len(spec.columns) + len(extra_headers)
            extra_headers.append(header)
    width = len(spec.columns) + len(extra_headers)
    rows = []
    for source_row in grid[1:]:
        row: list[Any] = [None] * width
        for source, value in enumerate(source_row):
            if source in positions:
                row[positions[source]] = value
        rows.append(row)
    return rows, extra_headers


def _settings_notes_and_lists(sheet: Worksheet, rows: list[list[Any]], locale: str) -> None:
    """A help note on each setting's name, and a dropdown on the values that are choices."""
    by_name: dict[str, SettingSpec] = {}
    for spec in settings_specs():
        by_name[spec.key.casefold()] = spec
        by_name[spec.zh.casefold()] = spec
    for row_number, row in enumerate(rows, start=2):
        key = str(row[0]).strip().casefold() if row and row[0] is not None else ""
        if key not in by_name:
            continue
        setting = template_setting(by_name[key], locale)
        if setting.note:
            sheet.cell(row=row_number, column=1).comment = _note(setting.note)
        if setting.dropdown is not None:
            validation = _validation(setting.dropdown, {})
            assert validation is not None  # a list of choices needs no source tab
            validation.add(f"B{row_number}")
            sheet.add_data_validation(validation)


def _validation(
    dropdown: Dropdown, sources: Mapping[str, ListSource | None]
) -> DataValidation | None:
    """The data validation of a dropdown: its list, or the range of its source tab."""
    if dropdown.source is None:
        formula = '"' + ",".join(dropdown.choices) + '"'
    else:
        source_tab, position = dropdown.source_tab, dropdown.source_position
        if dropdown.source in sources:
            found = sources[dropdown.source]
            if found is None:
                return None  # the owner's tab has no such column: no list to offer
            source_tab, position = found
        letter = get_column_letter(position + 1)
        last = SOURCE_ROWS[dropdown.source] + 1
        formula = f"{quote_tab(source_tab)}!${letter}$2:${letter}${last}"
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        errorStyle="stop" if dropdown.strict else "warning",
        showErrorMessage=True,
        error=dropdown.message,
    )


def _note(text: str) -> Comment:
    note = Comment(text, NOTE_AUTHOR)
    note.width, note.height = 240, 90
    return note


def _set_value(cell: Cell, value: Any, number_format_code: str | None) -> None:
    if isinstance(value, str):
        cell.value = xml_safe_text(value)
        cell.data_type = "s"  # text that starts with `=` stays text, not a formula
        return
    cell.value = value
    if number_format_code and isinstance(value, int | float | date) and not isinstance(value, bool):
        cell.number_format = number_format_code


def _currency(grid: Sequence[Sequence[Any]] | None, locale: str = "en") -> str:
    for row in (grid or [])[1:]:
        if len(row) >= 2 and str(row[0]).strip().casefold() in ("currency", "货币") and row[1]:
            return str(row[1]).strip().upper()
    return default_currency(locale)


def _save_new(workbook: Workbook, target: Path) -> None:
    """Save to a temp file beside `target`, then link it in only if `target` is still free."""
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        workbook.save(temp)
        os.chmod(temp, 0o644)  # mkstemp makes it private; a workbook is an ordinary file
        try:
            os.link(temp, target)
        except FileExistsError as error:
            raise WorkbookError(_(
                "{path} already exists: choose another file name (nothing was written).").format(
                path=target)) from error
        except OSError:
            os.replace(temp, target)  # a file system without hard links
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
