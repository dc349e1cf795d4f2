"""spreadsheets.batchUpdate: apply each request to a copy, commit only if all succeed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.sheets_emulator.state import (
    Layer,
    RequestError,
    Sheet,
    Spreadsheet,
    apply_mask,
    cell_fields,
    check_rect,
    grid_rect,
    split_fields,
    write_cell_data,
)
from tests.sheets_emulator.values import from_extended

Handler = Callable[[Spreadsheet, dict[str, Any]], dict[str, Any] | None]


def apply_requests(book: Spreadsheet, requests: list[dict[str, Any]]) -> tuple[Spreadsheet, list]:
    """Apply the requests to a copy of `book`; return the copy and the replies."""
    working = book.clone()
    replies = []
    for index, request in enumerate(requests):
        ((kind, body),) = request.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise RequestError(
                f"Invalid requests[{index}].{kind}: the emulator does not implement it"
            )
        try:
            reply = handler(working, body)
        except RequestError as error:
            raise RequestError(f"Invalid requests[{index}].{kind}: {error}") from error
        replies.append({kind: reply} if reply else {})
    return working, replies


def _grid_properties(properties: dict[str, Any]) -> dict[str, Any]:
    grid = {"rowCount": 1000, "columnCount": 26}
    grid.update(properties.get("gridProperties", {}))
    return grid


def add_sheet(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    properties = copy.deepcopy(body.get("properties", {}))
    title = properties.get("title") or f"Sheet{len(book.sheets) + 1}"
    if any(sheet.title.lower() == title.lower() for sheet in book.sheets):
        raise RequestError(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sheet_id = properties.get("sheetId")
    if sheet_id is None:
        sheet_id = book.new_id()
    elif any(sheet.sheet_id == sheet_id for sheet in book.sheets):
        raise RequestError(f"Sheet with id {sheet_id} already exists.")
    index = properties.get("index", len(book.sheets))
    properties.update(
        title=title,
        sheetId=sheet_id,
        index=index,
        sheetType="GRID",
        gridProperties=_grid_properties(properties),
    )
    book.sheets.insert(index, Sheet(properties))
    _reindex(book)
    return {"properties": copy.deepcopy(properties)}


def _reindex(book: Spreadsheet) -> None:
    for position, sheet in enumerate(book.sheets):
        sheet.properties["index"] = position


def delete_sheet(book: Spreadsheet, body: dict[str, Any]) -> None:
    sheet = book.sheet_by_id(body["sheetId"])
    if len(book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    _reindex(book)


def update_sheet_properties(book: Spreadsheet, body: dict[str, Any]) -> None:
    new = body.get("properties", {})
    sheet = book.sheet_by_id(new.get("sheetId", 0))
    fields = split_fields(body.get("fields", ""))
    if not fields:
        raise RequestError("At least one field must be specified.")
    if "title" in fields or "*" in fields:
        title = new.get("title", "")
        if any(
            other is not sheet and other.title.lower() == title.lower() for other in book.sheets
        ):
            raise RequestError(f'A sheet with the name "{title}" already exists.')
    merged = apply_mask(sheet.properties, new, tuple(fields))
    merged["sheetId"] = sheet.sheet_id
    merged["gridProperties"] = {**_grid_properties({}), **merged.get("gridProperties", {})}
    sheet.properties = merged
    # Shrinking the grid drops the cells outside it.
    del sheet.rows[sheet.row_count :]
    for index, cells in enumerate(sheet.rows):
        if len(cells) > sheet.column_count:
            del sheet.row_for_write(index)[sheet.column_count :]


def update_cells(book: Spreadsheet, body: dict[str, Any]) -> None:
    if ("range" in body) == ("start" in body):
        raise RequestError("Exactly one of 'range' or 'start' must be set.")
    if "range" in body:
        sheet = book.sheet_by_id(body["range"].get("sheetId", 0))
        rect = grid_rect(sheet, body["range"])
        top, left = rect[0], rect[2]
    else:
        sheet = book.sheet_by_id(body["start"].get("sheetId", 0))
        top, left = body["start"].get("rowIndex", 0), body["start"].get("columnIndex", 0)
        rect = None
    fields = cell_fields(body.get("fields", ""))
    rows = body.get("rows", [])
    height = len(rows)
    width = max((len(row.get("values", [])) for row in rows), default=0)
    if rect is None:
        rect = (top, top + height, left, left + width)
        check_rect(sheet, rect)
    elif height > rect[1] - rect[0] or width > rect[3] - rect[2]:
        raise RequestError("The rows and values do not fit in the given range.")
    if fields == ["userEnteredValue"]:
        _write_values(sheet, rect, top, left, rows)
        return
    for row_index in range(rect[0], rect[1]):
        data = rows[row_index - top].get("values", []) if row_index - top < height else []
        for column_index in range(rect[2], rect[3]):
            offset = column_index - left
            cell = data[offset] if offset < len(data) else None
            write_cell_data(sheet, row_index, column_index, cell, fields)


def _write_values(sheet: Sheet, rect: tuple[int, int, int, int], top: int, left: int, rows) -> None:
    """The common case, values only: splice whole row slices (fast for big writes)."""
    first, last = rect[2], rect[3]
    for row_index in range(rect[0], rect[1]):
        offset = row_index - top
        data = rows[offset].get("values", []) if offset < len(rows) else []
        values = [from_extended((c or {}).get("userEnteredValue")) for c in data]
        values = values[first - left : last - left]
        values.extend([None] * (last - first - len(values)))
        cells = sheet.row_for_write(row_index)
        if len(cells) < last:
            cells.extend([None] * (last - len(cells)))
        cells[first:last] = values


def repeat_cell(book: Spreadsheet, body: dict[str, Any]) -> None:
    sheet = book.sheet_by_id(body["range"].get("sheetId", 0))
    rect = grid_rect(sheet, body["range"])
    cell = body.get("cell", {})
    for path in cell_fields(body.get("fields", "")):
        head, _, rest = path.partition(".")
        if head == "userEnteredFormat":
            sheet.formats.append(Layer(rect, (rest,), cell.get("userEnteredFormat")))
        elif head == "dataValidation":
            sheet.validations.append((rect, cell.get("dataValidation")))
        else:
            for row in range(rect[0], rect[1]):
                for column in range(rect[2], rect[3]):
                    write_cell_data(sheet, row, column, cell, [path])


def append_dimension(book: Spreadsheet, body: dict[str, Any]) -> None:
    sheet = book.sheet_by_id(body.get("sheetId", 0))
    length = int(body.get("length", 0))
    if length < 1:
        raise RequestError("length must be at least 1")
    key = "rowCount" if body.get("dimension") == "ROWS" else "columnCount"
    sheet.properties["gridProperties"][key] += length


def update_dimension_properties(book: Spreadsheet, body: dict[str, Any]) -> None:
    dimension = body.get("range", {})
    sheet = book.sheet_by_id(dimension.get("sheetId", 0))
    fields = split_fields(body.get("fields", ""))
    if fields != ["pixelSize"]:
        raise RequestError("The emulator only stores pixelSize of dimensions")
    if dimension.get("dimension") == "COLUMNS":
        end = dimension.get("endIndex", sheet.column_count)
        check_rect(sheet, (0, 0, dimension.get("startIndex", 0), end))
        for column in range(dimension.get("startIndex", 0), end):
            sheet.column_pixels[column] = body["properties"]["pixelSize"]


def add_protected_range(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    protected = copy.deepcopy(body.get("protectedRange", {}))
    sheet = book.sheet_by_id(protected.get("range", {}).get("sheetId", 0))
    grid_rect(sheet, protected.get("range", {}))
    protected["protectedRangeId"] = book.new_id()
    sheet.protected_ranges.append(protected)
    return {"protectedRange": copy.deepcopy(protected)}


def set_data_validation(book: Spreadsheet, body: dict[str, Any]) -> None:
    sheet = book.sheet_by_id(body["range"].get("sheetId", 0))
    rect = grid_rect(sheet, body["range"])
    rule = body.get("rule")
    if rule:
        condition = rule.get("condition", {})
        if condition.get("type") in ("ONE_OF_LIST", "ONE_OF_RANGE") and not condition.get("values"):
            raise RequestError("Invalid ConditionValue: the condition needs values")
    sheet.validations.append((rect, copy.deepcopy(rule)))


def _check_chart_sources(book: Spreadsheet, spec: dict[str, Any]) -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sources":
                    for grid_range in value:
                        grid_rect(book.sheet_by_id(grid_range.get("sheetId", 0)), grid_range)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)


def add_chart(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    chart = copy.deepcopy(body.get("chart", {}))
    _check_chart_sources(book, chart.get("spec", {}))
    anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {})
    sheet = book.sheet_by_id(anchor.get("sheetId", 0))
    chart.setdefault("chartId", book.new_id())
    sheet.charts.append(chart)
    return {"chart": copy.deepcopy(chart)}


def _find_chart(book: Spreadsheet, chart_id: int) -> tuple[Sheet, dict[str, Any]]:
    for sheet in book.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == chart_id:
                return sheet, chart
    raise RequestError(f"No chart with id: {chart_id}")


def update_chart_spec(book: Spreadsheet, body: dict[str, Any]) -> None:
    _, chart = _find_chart(book, body.get("chartId", 0))
    _check_chart_sources(book, body.get("spec", {}))
    chart["spec"] = copy.deepcopy(body.get("spec", {}))


def delete_embedded_object(book: Spreadsheet, body: dict[str, Any]) -> None:
    sheet, chart = _find_chart(book, body.get("objectId", 0))
    sheet.charts.remove(chart)


def update_spreadsheet_properties(book: Spreadsheet, body: dict[str, Any]) -> None:
    fields = split_fields(body.get("fields", ""))
    book.properties = apply_mask(book.properties, body.get("properties", {}), tuple(fields))


def merge_cells(book: Spreadsheet, body: dict[str, Any]) -> None:
    """Merge a range (whole, by columns or by rows); only each merge's top-left value stays."""
    sheet = book.sheet_by_id(body["range"].get("sheetId", 0))
    top, bottom, left, right = grid_rect(sheet, body["range"])
    kind = body.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ALL":
        pieces = [(top, bottom, left, right)]
    elif kind == "MERGE_COLUMNS":
        pieces = [(top, bottom, column, column + 1) for column in range(left, right)]
    elif kind == "MERGE_ROWS":
        pieces = [(row, row + 1, left, right) for row in range(top, bottom)]
    else:
        raise RequestError(f"Invalid value at 'merge_type' ({kind})")
    for piece in pieces:
        if (piece[1] - piece[0]) * (piece[3] - piece[2]) < 2:
            raise RequestError("Must specify a range with more than one cell to merge.")
        if any(_overlaps(piece, _merge_rect(merge)) for merge in sheet.merges):
            raise RequestError("You can't merge cells that overlap an existing merge.")
        for row in range(piece[0], piece[1]):
            for column in range(piece[2], piece[3]):
                if (row, column) != (piece[0], piece[2]):
                    sheet.set_value(row, column, None)
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": piece[0],
                "endRowIndex": piece[1],
                "startColumnIndex": piece[2],
                "endColumnIndex": piece[3],
            }
        )


def unmerge_cells(book: Spreadsheet, body: dict[str, Any]) -> None:
    """Undo every merge that lies inside the range."""
    sheet = book.sheet_by_id(body["range"].get("sheetId", 0))
    rect = grid_rect(sheet, body["range"])
    sheet.merges = [merge for merge in sheet.merges if not _overlaps(_merge_rect(merge), rect)]


def _merge_rect(merge: dict[str, int]) -> tuple[int, int, int, int]:
    return (
        merge["startRowIndex"],
        merge["endRowIndex"],
        merge["startColumnIndex"],
        merge["endColumnIndex"],
    )


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


HANDLERS: dict[str, Handler] = {
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "appendDimension": append_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "addProtectedRange": add_protected_range,
    "setDataValidation": set_data_validation,
    "addChart": add_chart,
    "updateChartSpec": update_chart_spec,
    "deleteEmbeddedObject": delete_embedded_object,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
}
