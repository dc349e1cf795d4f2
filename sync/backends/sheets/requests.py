"""Write-plan pieces as Sheets API v4 batchUpdate requests (plain dicts)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sync.backends.sheets.diff import Block
from sync.contract.plan import TabOutput, number_format
from sync.serials import to_serial

PROTECTION_NOTE = "Computed by SalesOps Sheets: edits here are replaced on the next sync."
# Google documents no hard body limit, but large bodies get slow and time out; keep each
# batchUpdate under this many bytes (section "Large writes" of docs/google-sheets.md).
MAX_BODY_BYTES = 2_000_000
_FORMAT_TYPES = {
    "money": "CURRENCY",
    "percent": "PERCENT",
    "number": "NUMBER",
    "integer": "NUMBER",
    "date": "DATE",
    "datetime": "DATE_TIME",
}
_DATE_PATTERN = number_format("date", "USD")
_DATETIME_PATTERN = number_format("datetime", "USD")


def encode(body: Any) -> bytes:
    """A request body as sent: compact JSON, ASCII only (so its length is its byte size)."""
    return json.dumps(body, separators=(",", ":"), allow_nan=False).encode("ascii")


def extended_value(value: Any) -> dict[str, Any] | None:
    """The ExtendedValue of a plain value; None leaves the cell empty.

    Text is always `stringValue`, so `=IMPORTXML(...)` written by the engine stays text.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, date):
        return {"numberValue": to_serial(value)}
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return {"numberValue": value}
    if value == "":
        return None
    return {"stringValue": str(value)}


def cell(value: Any) -> dict[str, Any]:
    """A CellData carrying only a value ({} clears the cell under a userEnteredValue mask)."""
    extended = extended_value(value)
    return {"userEnteredValue": extended} if extended else {}


def number_format_json(value_type: str, pattern: str) -> dict[str, Any]:
    """A NumberFormat for a column type and pattern."""
    return {"type": _FORMAT_TYPES.get(value_type, "NUMBER"), "pattern": pattern}


def effective_format(output: TabOutput, row: int, column: int) -> dict[str, Any] | None:
    """The NumberFormat a data cell needs (a date value in a non-date column gets one)."""
    value_type = output.cell_type(row, column)
    value = output.rows[row][column] if column < len(output.rows[row]) else None
    if isinstance(value, datetime) and value_type != "datetime":
        return number_format_json("datetime", _DATETIME_PATTERN or "")
    if isinstance(value, date) and not isinstance(value, datetime) and value_type != "date":
        return number_format_json("date", _DATE_PATTERN or "")
    pattern = number_format(value_type, output.currency)
    return number_format_json(value_type, pattern) if pattern else None


def column_format(output: TabOutput, column: int) -> dict[str, Any] | None:
    """The NumberFormat of a column as declared."""
    spec = output.columns[column]
    pattern = number_format(spec.type, output.currency)
    return number_format_json(spec.type, pattern) if pattern else None


def column_width(sheet_id: int, index: int, characters: float) -> dict[str, Any]:
    """Set a column's width from a width in characters."""
    return {
        "updateDimensionProperties": {
            "range": {
                "sheetId": sheet_id,
                "dimension": "COLUMNS",
                "startIndex": index,
                "endIndex": index + 1,
            },
            # About 7 pixels per character of the default font, plus padding.
            "properties": {"pixelSize": int(characters * 7 + 12)},
            "fields": "pixelSize",
        }
    }


def grid_range(sheet_id: int, top: int, bottom: int, left: int, right: int) -> dict[str, int]:
    """A GridRange (0-based, end-exclusive)."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": top,
        "endRowIndex": bottom,
        "startColumnIndex": left,
        "endColumnIndex": right,
    }


def add_sheet(sheet_id: int, title: str, rows: int, columns: int) -> dict[str, Any]:
    """Add a computed tab (after the others) with a frozen header row."""
    return {
        "addSheet": {
            "properties": {
                "sheetId": sheet_id,
                "title": title,
                "gridProperties": {"rowCount": rows, "columnCount": columns, "frozenRowCount": 1},
            }
        }
    }


def resize(sheet_id: int, rows: int, columns: int) -> dict[str, Any]:
    """Set a tab's grid size."""
    return {
        "updateSheetProperties": {
            "properties": {
                "sheetId": sheet_id,
                "gridProperties": {"rowCount": rows, "columnCount": columns},
            },
            "fields": "gridProperties.rowCount,gridProperties.columnCount",
        }
    }


def freeze_header(sheet_id: int) -> dict[str, Any]:
    """Freeze row 1."""
    return {
        "updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount",
        }
    }


class EncodedRequest:
    """A request already encoded as JSON text.

    Value writes are the bulk of a large sync; encoding their cells straight to text once
    (instead of building dicts, measuring and encoding them again) keeps a million-cell
    write fast. `as_dict()` decodes it for inspection.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def as_dict(self) -> dict[str, Any]:
        """The request as a dict."""
        return json.loads(self.text)


Request = dict[str, Any] | EncodedRequest
_ENCODE_STRING = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def cell_json(value: Any) -> str:
    """The CellData JSON text of a plain value (same content as `cell(value)`)."""
    if value is None:
        return "{}"
    if value is True:
        return '{"userEnteredValue":{"boolValue":true}}'
    if value is False:
        return '{"userEnteredValue":{"boolValue":false}}'
    if isinstance(value, str):
        if value == "":
            return "{}"
        return '{"userEnteredValue":{"stringValue":' + _ENCODE_STRING(value) + "}}"
    extended = extended_value(value)
    if extended is None:
        return "{}"
    return '{"userEnteredValue":{"numberValue":' + repr(extended["numberValue"]) + "}}"


# Value writes travel in pieces of about 62 KB so that packing them into 2 MB bodies wastes
# at most one piece per body: a 5.4 MB first sync then fits in 3 bodies, not 4.
VALUE_PIECE_BYTES = MAX_BODY_BYTES // 32


def write_values(
    sheet_id: int, grid: Sequence[Sequence[Any]], block: Block, max_bytes: int = VALUE_PIECE_BYTES
) -> list[EncodedRequest]:
    """updateCells over a block, split by rows so no request exceeds `max_bytes`.

    The range is the whole block, so cells left out of `rows` (blanks) are cleared.
    """
    requests: list[EncodedRequest] = []
    rows: list[str] = []
    size = 0
    top = block.top
    left, right = block.left, block.right
    for row in range(block.top, block.bottom):
        source = list(grid[row][left:right]) if row < len(grid) else []
        while source and extended_value(source[-1]) is None:
            source.pop()  # the range covers the block: cells left out are cleared
        row_text = '{"values":[' + ",".join(map(cell_json, source)) + "]}"
        if rows and size + len(row_text) + 1 > max_bytes:
            requests.append(_update_values(sheet_id, top, row, block, rows))
            rows, size, top = [], 0, row
        rows.append(row_text)
        size += len(row_text) + 1
    requests.append(_update_values(sheet_id, top, block.bottom, block, rows))
    return requests


def _update_values(sheet_id: int, top: int, bottom: int, block: Block, rows: list[str]):
    grid = encode(grid_range(sheet_id, top, bottom, block.left, block.right)).decode("ascii")
    return EncodedRequest(
        '{"updateCells":{"range":' + grid + ',"rows":[' + ",".join(rows) + "],"
        '"fields":"userEnteredValue"}}'
    )


def clear_rows(sheet_id: int, top: int, bottom: int, columns: int) -> dict[str, Any]:
    """Empty the values of rows that are gone (formats stay)."""
    return {
        "updateCells": {
            "range": grid_range(sheet_id, top, bottom, 0, columns),
            "fields": "userEnteredValue",
        }
    }


def layout(output: TabOutput, sheet_id: int, row_count: int) -> list[dict[str, Any]]:
    """Bold header, column number formats over the whole grid, column widths."""
    columns = len(output.columns)
    requests: list[dict[str, Any]] = [
        {
            "repeatCell": {
                "range": grid_range(sheet_id, 0, 1, 0, columns),
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        }
    ]
    for index in range(columns):
        fmt = column_format(output, index)
        if fmt is None or row_count <= 1:
            continue
        requests.append(
            {
                "repeatCell": {
                    "range": grid_range(sheet_id, 1, row_count, index, index + 1),
                    "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    requests += [
        column_width(sheet_id, index, column.width) for index, column in enumerate(output.columns)
    ]
    return requests


def cell_formats(
    output: TabOutput, sheet_id: int, first_row: int, rows: Sequence[int]
) -> list[dict[str, Any]]:
    """Number formats of data cells that differ from their column's (Dashboard values,
    money goals), one repeatCell per block of equal formats.

    `rows` are 0-based data rows; `first_row` is the sheet row index of data row 0. Runs of
    equal formats along a row make one range, and consecutive rows with the same runs share
    it, so a tab of money goals costs a handful of requests, not one per cell.
    """
    blocks: list[list[Any]] = []  # [top, bottom, runs] with runs = ((left, right, fmt), ...)
    for row in sorted(set(rows)):
        if row >= len(output.rows):
            continue
        runs = _format_runs(output, row)
        if not runs:
            continue
        if blocks and blocks[-1][1] == row and blocks[-1][2] == runs:
            blocks[-1][1] = row + 1
        else:
            blocks.append([row, row + 1, runs])
    return [
        {
            "repeatCell": {
                "range": grid_range(sheet_id, first_row + top, first_row + bottom, left, right),
                "cell": {"userEnteredFormat": {"numberFormat": fmt}} if fmt else {},
                "fields": "userEnteredFormat.numberFormat",
            }
        }
        for top, bottom, runs in blocks
        for left, right, fmt in runs
    ]


def _format_runs(output: TabOutput, row: int) -> tuple[tuple[int, int, Any], ...]:
    """(left, right, format) runs of a row's cells whose format is not their column's."""
    values = output.rows[row]
    runs: list[tuple[int, int, Any]] = []
    for column in range(len(output.columns)):
        value = values[column] if column < len(values) else None
        if (row, column) not in output.cell_types and not isinstance(value, date):
            continue  # the column's own format applies
        fmt = effective_format(output, row, column)
        if fmt == column_format(output, column):
            continue
        if runs and runs[-1][1] == column and runs[-1][2] == fmt:
            runs[-1] = (runs[-1][0], column + 1, fmt)
        else:
            runs.append((column, column + 1, fmt))
    return tuple(runs)


def protect(sheet_id: int) -> dict[str, Any]:
    """A warning-only protection over the whole tab: owners may still edit after a warning."""
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sheet_id},
                "description": PROTECTION_NOTE,
                "warningOnly": True,
            }
        }
    }


def request_text(request: Request) -> str:
    """The JSON text of a request."""
    if isinstance(request, EncodedRequest):
        return request.text
    return json.dumps(request, separators=(",", ":"), allow_nan=False)


def as_dict(request: Request) -> dict[str, Any]:
    """A request as a dict, whichever way it was built."""
    return request.as_dict() if isinstance(request, EncodedRequest) else request


def split_batches(requests: Sequence[Request], max_bytes: int = MAX_BODY_BYTES) -> list[bytes]:
    """Encode requests, in order, into as few batchUpdate bodies under `max_bytes` as possible.

    A single request larger than the limit travels alone (value writes are already split
    by rows, so only an exotic request could be).
    """
    empty = len('{"requests":[]}')
    bodies: list[bytes] = []
    texts: list[str] = []
    size = empty  # the exact length of the body holding `texts`
    for request in requests:
        text = request_text(request)
        if texts and size + 1 + len(text) > max_bytes:  # a comma, then the request
            bodies.append(_body(texts))
            texts, size = [], empty
        size += len(text) + (1 if texts else 0)
        texts.append(text)
    if texts:
        bodies.append(_body(texts))
    return bodies


def _body(texts: list[str]) -> bytes:
    return ('{"requests":[' + ",".join(texts) + "]}").encode("ascii")
