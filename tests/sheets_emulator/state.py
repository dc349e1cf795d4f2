"""The emulated spreadsheets: tabs, cell values, format layers, charts, protections.

Cell values are stored compactly (a Python value per cell: `str`, number, `bool`,
`Formula` or None) so benchmarks can hold a million cells; formats, notes and data
validations are stored as layers over rectangles, applied in order, the way repeatCell
and updateCells paint them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from tests.sheets_emulator.values import extended_value, from_extended

Rect = tuple[int, int, int, int]  # start_row, end_row, start_column, end_column


class RequestError(ValueError):
    """A request the API would refuse (400), with Google's wording."""


@dataclass
class Layer:
    """Formats painted over a rectangle: `fields` under userEnteredFormat ('' = all)."""

    rect: Rect
    fields: tuple[str, ...]
    value: dict[str, Any] | None


@dataclass
class Sheet:
    """One tab."""

    properties: dict[str, Any]
    rows: list[list[Any]] = field(default_factory=list)
    formats: list[Layer] = field(default_factory=list)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    validations: list[tuple[Rect, dict[str, Any] | None]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    column_pixels: dict[int, int] = field(default_factory=dict)
    merges: list[dict[str, int]] = field(default_factory=list)  # GridRanges, as the API lists
    # Copy-on-write: a clone shares row lists with its original until it writes to one.
    owned_rows: set[int] | None = None

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def row_count(self) -> int:
        return self.properties["gridProperties"]["rowCount"]

    @property
    def column_count(self) -> int:
        return self.properties["gridProperties"]["columnCount"]

    def clone(self) -> Sheet:
        """A copy whose cells can change without touching this one."""
        return Sheet(
            properties=copy.deepcopy(self.properties),
            rows=list(self.rows),
            formats=list(self.formats),
            notes=dict(self.notes),
            validations=list(self.validations),
            charts=copy.deepcopy(self.charts),
            protected_ranges=copy.deepcopy(self.protected_ranges),
            column_pixels=dict(self.column_pixels),
            merges=copy.deepcopy(self.merges),
            owned_rows=set(),
        )

    def row_for_write(self, row: int) -> list[Any]:
        """The cells of a row, copied first if still shared with the original."""
        while len(self.rows) <= row:
            self.rows.append([])
            if self.owned_rows is not None:
                self.owned_rows.add(len(self.rows) - 1)
        if self.owned_rows is not None and row not in self.owned_rows:
            self.rows[row] = list(self.rows[row])
            self.owned_rows.add(row)
        return self.rows[row]

    def value(self, row: int, column: int) -> Any:
        """The stored value of a cell (None when empty)."""
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def set_value(self, row: int, column: int, value: Any) -> None:
        """Store a value, growing the ragged row lists as needed."""
        if value is None and (row >= len(self.rows) or column >= len(self.rows[row])):
            return
        cells = self.row_for_write(row)
        if len(cells) <= column:
            cells.extend([None] * (column + 1 - len(cells)))
        cells[column] = value

    def formats_over(self, rect: Rect) -> list[list[dict[str, Any]]]:
        """The effective userEnteredFormat of every cell of a rectangle."""
        top, bottom, left, right = rect
        grid: list[list[dict[str, Any]]] = [[{}] * (right - left) for _ in range(bottom - top)]
        composed: dict[tuple[int, int], dict[str, Any]] = {}
        for index, layer in enumerate(self.formats):
            r0, r1, c0, c1 = layer.rect
            for row in range(max(top, r0), min(bottom, r1)):
                cells = grid[row - top]
                for column in range(max(left, c0), min(right, c1)):
                    before = cells[column - left]
                    key = (id(before), index)
                    if key not in composed:
                        composed[key] = apply_mask(before, layer.value, layer.fields)
                    cells[column - left] = composed[key]
        return grid

    def format_at(self, row: int, column: int) -> dict[str, Any]:
        """The effective userEnteredFormat of one cell."""
        return self.formats_over((row, row + 1, column, column + 1))[0][0]

    def validation_at(self, row: int, column: int) -> dict[str, Any] | None:
        """The data validation rule of one cell."""
        rule = None
        for (r0, r1, c0, c1), value in self.validations:
            if r0 <= row < r1 and c0 <= column < c1:
                rule = value
        return rule

    def data_extent(self) -> tuple[int, int]:
        """(rows, columns) up to the last non-empty cell."""
        last_row, last_column = 0, 0
        for index, cells in enumerate(self.rows):
            width = len(cells)
            while width and cells[width - 1] in (None, ""):
                width -= 1
            if width:
                last_row = index + 1
                last_column = max(last_column, width)
        return last_row, last_column


def get_path(data: dict[str, Any] | None, path: str) -> Any:
    """The value at a dotted path, or None."""
    node: Any = data
    for part in path.split(".") if path else []:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def apply_mask(target: dict[str, Any], source: dict[str, Any] | None, fields: tuple[str, ...]):
    """A copy of `target` with each masked path taken from `source` (absent = cleared)."""
    if "" in fields or "*" in fields:
        return copy.deepcopy(source) if source else {}
    result = copy.deepcopy(target)
    for path in fields:
        parts = path.split(".")
        new = get_path(source, path)
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if new is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = copy.deepcopy(new)
    return result


def split_fields(mask: str) -> list[str]:
    """`a,b(c,d)` -> [`a`, `b.c`, `b.d`] (Google field-mask shorthand; `b/c` is `b.c`)."""
    paths: list[str] = []
    stack: list[str] = []
    token = ""
    for char in mask.replace(" ", "").replace("/", ".") + ",":
        if char == "(":
            stack.append(token)
            token = ""
        elif char in ",)":
            if token:
                paths.append(".".join([*stack, token]))
            token = ""
            if char == ")":
                stack.pop()
        else:
            token += char
    return paths


@dataclass
class Spreadsheet:
    """One spreadsheet: its properties, tabs and who may open it."""

    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet] = field(default_factory=list)
    editors: set[str] = field(default_factory=set)
    next_id: int = 1000

    def sheet(self, title: str) -> Sheet:
        """The tab with this exact title."""
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise RequestError(f"Unable to parse range: {title}")

    def sheet_by_id(self, sheet_id: int) -> Sheet:
        """The tab with this id."""
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise RequestError(f"No grid with id: {sheet_id}")

    def new_id(self) -> int:
        """A fresh id for a sheet, chart or protected range."""
        self.next_id += 1
        return self.next_id

    def clone(self) -> Spreadsheet:
        """A copy to apply a batchUpdate to (committed only if every request succeeds)."""
        return Spreadsheet(
            self.spreadsheet_id,
            copy.deepcopy(self.properties),
            [sheet.clone() for sheet in self.sheets],
            set(self.editors),
            self.next_id,
        )


def grid_rect(sheet: Sheet, grid_range: dict[str, Any]) -> Rect:
    """A GridRange as a rectangle, checked against the grid's limits."""
    rect = (
        int(grid_range.get("startRowIndex", 0)),
        int(grid_range.get("endRowIndex", sheet.row_count)),
        int(grid_range.get("startColumnIndex", 0)),
        int(grid_range.get("endColumnIndex", sheet.column_count)),
    )
    check_rect(sheet, rect)
    return rect


def check_rect(sheet: Sheet, rect: Rect) -> None:
    """Refuse a rectangle outside the grid, as the API does."""
    top, bottom, left, right = rect
    if top < 0 or left < 0 or bottom < top or right < left:
        raise RequestError("Invalid range: start index must be before end index.")
    if bottom > sheet.row_count or right > sheet.column_count:
        from tests.sheets_emulator.a1 import format_a1

        shown = format_a1(sheet.title, top, left, max(bottom, top + 1), max(right, left + 1))
        raise RequestError(
            f"Range ({shown}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
        )


def write_cell_data(
    sheet: Sheet, row: int, column: int, cell: dict[str, Any] | None, fields: list[str]
) -> None:
    """Apply the masked fields of a CellData JSON to one cell."""
    cell = cell or {}
    for path in fields:
        head, _, rest = path.partition(".")
        if head == "userEnteredValue":
            sheet.set_value(row, column, from_extended(cell.get("userEnteredValue")))
        elif head == "note":
            if cell.get("note"):
                sheet.notes[(row, column)] = cell["note"]
            else:
                sheet.notes.pop((row, column), None)
        elif head == "dataValidation":
            sheet.validations.append(
                ((row, row + 1, column, column + 1), cell.get("dataValidation"))
            )
        elif head == "userEnteredFormat":
            sheet.formats.append(
                Layer((row, row + 1, column, column + 1), (rest,), cell.get("userEnteredFormat"))
            )
        elif head in ("textFormatRuns", "pivotTable", "dataSourceTable", "chipRuns", "hyperlink"):
            raise RequestError(f"The emulator does not store CellData.{head}")
        else:
            raise RequestError(f"Invalid field mask: {path} is not a settable field of CellData")


def cell_fields(mask: str) -> list[str]:
    """The CellData paths a fields mask selects (`*` = every stored field)."""
    if mask.strip() == "*":
        return ["userEnteredValue", "userEnteredFormat", "note", "dataValidation"]
    paths = split_fields(mask)
    if not paths:
        raise RequestError("At least one field must be specified in 'fields'.")
    return paths


def cell_json(sheet: Sheet, row: int, column: int, fmt: dict[str, Any]) -> dict[str, Any]:
    """The CellData JSON of a stored cell (includeGridData answers)."""
    from tests.sheets_emulator.values import render

    value = sheet.value(row, column)
    data: dict[str, Any] = {}
    extended = extended_value(value)
    if extended:
        data["userEnteredValue"] = extended
        data["formattedValue"] = render(value, fmt.get("numberFormat"))
    if fmt:
        data["userEnteredFormat"] = fmt
    if (row, column) in sheet.notes:
        data["note"] = sheet.notes[(row, column)]
    rule = sheet.validation_at(row, column)
    if rule:
        data["dataValidation"] = rule
    return data
