"""Append imported rows to an input tab of a Google spreadsheet: one values write.

The tab is read just before the write, and the rows go to the exact range after the
owner's last data row in a single `values.update` with `valueInputOption=RAW`, so text
is stored as typed and never read as a formula, a number or a date. Dates are sent as
ISO text (`2026-11-03`), which the reader reads as the same date. The write is never
retried blindly: after a failure that may or may not have landed (a 5xx, a timeout, a
dropped connection), the tab is read again; rows that are already there are not written
twice, and a tab that grew in the meantime moves the rows below its new last row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sync.a1 import column_letter, quote_tab
from sync.backends.sheets.auth import ApiError, RetryPolicy, SheetsHTTPClient
from sync.backends.sheets.backend import SheetsBackend
from sync.errors import MissingTabError, SheetsApiError
from sync.imports.plan import as_cell, last_data_row

MAX_ATTEMPTS = 5
_TRANSIENT = {429, 500, 502, 503, 504}


def _json_cell(value: Any) -> Any:
    value = as_cell(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value  # None (JSON null) leaves a cell as it is: blank in a new row


def _transient(error: SheetsApiError) -> bool:
    cause = error.__cause__
    if isinstance(cause, OSError):  # requests' ConnectionError and Timeout: no answer came
        return True
    return isinstance(cause, ApiError) and cause.response.status_code in _TRANSIENT


def _blank_as_none(value: Any) -> Any:
    return None if value is None or value == "" else value


def _landed(grid: list[list[Any]], first_row: int, rows: list[list[Any]]) -> bool:
    """Whether the tab holds exactly these rows from `first_row` on."""
    for offset, row in enumerate(rows):
        index = first_row - 1 + offset
        there = grid[index] if index < len(grid) else []
        for column, value in enumerate(row):
            held = there[column] if column < len(there) else None
            if _blank_as_none(value) != _blank_as_none(held):
                return False
    return True


def append_sheets(backend: SheetsBackend, tab: str, rows: Sequence[list[Any]],
                  first_row: int) -> int:
    """Append `rows` to `tab` from sheet row `first_row`; returns the row they landed on."""
    title = backend.find_tab(tab)
    if title is None:
        raise MissingTabError(f"spreadsheet {backend.spreadsheet_id} has no {tab} tab: "
                              f"run `salesops init --sheet {backend.spreadsheet_id}`")
    body_rows = [[_json_cell(value) for value in row] for row in rows]
    width = max((len(row) for row in body_rows), default=1)
    http = backend.client.http_client
    assert isinstance(http, SheetsHTTPClient)
    policy: RetryPolicy = http.retry
    for attempt in range(MAX_ATTEMPTS):
        # Read the tab just before each write: the plan may have taken a while, and the
        # owner may have typed a row since; a retry must also see whether the failed
        # write landed after all.
        grid = backend.read_values([title])[title]
        if _landed(grid, first_row, body_rows):
            return first_row
        last, _blocked = last_data_row(grid)
        first_row = max(first_row, last + 1)
        _grow(backend, title, first_row + len(body_rows) - 1, width)
        target = (f"{quote_tab(title)}!A{first_row}:"
                  f"{column_letter(width - 1)}{first_row + len(body_rows) - 1}")
        http.retry = RetryPolicy(max_attempts=1, sleep=policy.sleep, clock=policy.clock)
        try:
            backend.call(lambda client, target=target: client.values_update(
                backend.spreadsheet_id, target, params={"valueInputOption": "RAW"},
                body={"majorDimension": "ROWS", "values": body_rows},
            ))
            return first_row
        except SheetsApiError as error:
            if not _transient(error) or attempt == MAX_ATTEMPTS - 1:
                raise
        finally:
            http.retry = policy
        policy.sleep(policy.delay(attempt, None))
    raise AssertionError("unreachable")  # the loop returns or raises


def _grow(backend: SheetsBackend, title: str, last_row: int, width: int) -> None:
    """Add rows or columns to the tab when the appended rows would not fit its grid."""
    backend._metadata = None  # the owner may have resized the tab since it was read
    backend.metadata()
    info = backend.tab_infos[title]
    requests_: list[dict[str, Any]] = []
    if last_row > info.rows:
        requests_.append({"appendDimension": {
            "sheetId": info.sheet_id, "dimension": "ROWS", "length": last_row - info.rows}})
    if width > info.columns:
        requests_.append({"appendDimension": {
            "sheetId": info.sheet_id, "dimension": "COLUMNS", "length": width - info.columns}})
    if requests_:
        backend.call(lambda client: client.batch_update(
            backend.spreadsheet_id, {"requests": requests_}))
