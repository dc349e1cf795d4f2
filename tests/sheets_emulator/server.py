"""The emulator's HTTP server: OAuth token endpoint, the Sheets v4 REST surface, and Drive
v3 `files.get` (drive.py) for the spreadsheets' versions."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.sheets_emulator import discovery, drive
from tests.sheets_emulator.a1 import A1Error, format_a1, parse_a1, quote_tab
from tests.sheets_emulator.batch_update import apply_requests
from tests.sheets_emulator.discovery import InvalidArgument
from tests.sheets_emulator.state import Layer, RequestError, Sheet, Spreadsheet, cell_json
from tests.sheets_emulator.values import (
    Formula,
    is_date_format,
    json_number,
    parse_user_entered,
    render,
    to_serial,
)

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"
# The Sheets API also accepts the full Drive scopes; a token may carry any of these.
SHEETS_SCOPES = frozenset({SCOPE, "https://www.googleapis.com/auth/drive",
                           "https://www.googleapis.com/auth/drive.readonly"})
KNOWN_SCOPES = SHEETS_SCOPES | drive.METADATA_SCOPES | {
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/spreadsheets.readonly",
}
WRITE_ENDPOINTS = frozenset({"batchUpdate", "values.update", "values.batchUpdate",
                             "values.clear", "values.batchClear"})
_DATE_FORMAT = {"type": "DATE", "pattern": "yyyy-mm-dd"}
_DATETIME_FORMAT = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}


class ApiFailure(Exception):
    """An error answer: HTTP status, Google status name and message."""

    def __init__(self, code: int, status: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message
        self.headers = headers or {}


@dataclass
class Fault:
    """An injected failure: answer `code` to the next `times` calls of `endpoint`.

    The first `skip` matching calls are answered normally.
    """

    code: int
    times: float
    endpoint: str | None = None
    retry_after: float | None = None
    skip: int = 0
    message: str | None = None


@dataclass
class LostAnswer:
    """An injected network failure after the work is done: the next `times` successful
    calls of `endpoint` are applied, then their answer is dropped (the connection closes)
    or, with `stall`, held back that many seconds (longer than the client waits)."""

    times: float
    endpoint: str | None = None
    stall: float | None = None
    skip: int = 0


@dataclass
class CallRecord:
    """One API call as the server saw it."""

    endpoint: str
    method: str
    path: str
    request_bytes: int
    response_bytes: int
    status: int
    body: Any = None


@dataclass(frozen=True)
class CallSpan:
    """When one API call on one spreadsheet ran, and under which access token."""

    spreadsheet_id: str
    token: str
    endpoint: str
    started: float
    ended: float


@dataclass
class SheetsEmulator:
    """A threaded loopback server emulating the Sheets API v4 and Google's token endpoint.

    `public_key` is the service account's key: the token endpoint accepts only JWTs signed
    by its private half, issued for the spreadsheets scope.
    """

    public_key: rsa.RSAPublicKey
    books: dict[str, Spreadsheet] = field(default_factory=dict)
    calls: Counter = field(default_factory=Counter)
    records: list[CallRecord] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    lost_answers: list[LostAnswer] = field(default_factory=list)
    keep_bodies: bool = True
    tokens: dict[str, str] = field(default_factory=dict)
    token_scopes: dict[str, frozenset[str]] = field(default_factory=dict)
    drive_versions: dict[str, int] = field(default_factory=dict)
    drive_enabled: bool = True
    refused_scopes: set[str] = field(default_factory=set)
    spans: list[CallSpan] = field(default_factory=list)
    latency: float = 0.0  # seconds every API call takes, to widen races in tests
    lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None

    # ---- lifecycle -------------------------------------------------------------------

    def start(self) -> SheetsEmulator:
        """Listen on a random loopback port in a background thread."""
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        """The base URL, to use in place of https://sheets.googleapis.com."""
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def token_uri(self) -> str:
        """The OAuth2 token endpoint a key file names in `token_uri`."""
        return self.url + "/token"

    # ---- test helpers ----------------------------------------------------------------

    def create(
        self,
        spreadsheet_id: str,
        tabs: dict[str, list[list[Any]]] | None = None,
        editors: tuple[str, ...] = (),
        time_zone: str = "Etc/UTC",
        title: str = "Sales",
    ) -> Spreadsheet:
        """A spreadsheet seeded with tabs of plain values (dates become date cells)."""
        book = Spreadsheet(
            spreadsheet_id,
            {"title": title, "locale": "en_US", "timeZone": time_zone, "autoRecalc": "ON_CHANGE"},
            editors=set(editors),
        )
        for index, (name, grid) in enumerate((tabs or {"Sheet1": []}).items()):
            sheet = Sheet(
                {
                    "sheetId": 0 if index == 0 else book.new_id(),
                    "title": name,
                    "index": index,
                    "sheetType": "GRID",
                    "gridProperties": {
                        "rowCount": max(1000, len(grid)),
                        "columnCount": max(26, max((len(row) for row in grid), default=0)),
                    },
                }
            )
            self._seed(sheet, grid)
            book.sheets.append(sheet)
        with self.lock:
            self.books[spreadsheet_id] = book
            self.drive_versions[spreadsheet_id] = 1
        return book

    def _seed(self, sheet: Sheet, grid: list[list[Any]]) -> None:
        for row_index, row in enumerate(grid):
            for column_index, value in enumerate(row):
                if isinstance(value, datetime | date):
                    fmt = _DATETIME_FORMAT if isinstance(value, datetime) else _DATE_FORMAT
                    rect = (row_index, row_index + 1, column_index, column_index + 1)
                    sheet.formats.append(Layer(rect, ("numberFormat",), {"numberFormat": fmt}))
                    value = json_number(to_serial(value))
                sheet.set_value(row_index, column_index, value)

    def book(self, spreadsheet_id: str) -> Spreadsheet:
        """The stored spreadsheet."""
        return self.books[spreadsheet_id]

    def values(self, spreadsheet_id: str, tab: str) -> list[list[Any]]:
        """A tab's stored values, trailing empties trimmed (test assertions)."""
        sheet = self.books[spreadsheet_id].sheet(tab)
        rows, columns = sheet.data_extent()
        return _trim([[sheet.value(r, c) for c in range(columns)] for r in range(rows)])

    def cell(self, spreadsheet_id: str, tab: str, a1: str) -> dict[str, Any]:
        """The CellData JSON of one cell (value, format, note, validation)."""
        sheet = self.books[spreadsheet_id].sheet(tab)
        parsed = parse_a1(a1)
        row, column = parsed.start_row or 0, parsed.start_column or 0
        return cell_json(sheet, row, column, sheet.format_at(row, column))

    def fail(
        self,
        code: int,
        times: float = 1,
        endpoint: str | None = None,
        retry_after: float | None = None,
        skip: int = 0,
        message: str | None = None,
    ) -> None:
        """Answer `code` to the next `times` calls (of `endpoint` if given; inf = forever).

        With `skip`, that many matching calls succeed first (fail the second body of a split
        write with `skip=1`).
        """
        with self.lock:
            self.faults.append(Fault(code, times, endpoint, retry_after, skip, message))

    def lose_answer(
        self,
        times: float = 1,
        endpoint: str | None = None,
        stall: float | None = None,
        skip: int = 0,
    ) -> None:
        """Apply the next `times` successful calls (of `endpoint`), then lose their answer:
        drop the connection, or with `stall` answer only after that many seconds. With
        `skip`, that many successful calls are answered first."""
        with self.lock:
            self.lost_answers.append(LostAnswer(times, endpoint, stall, skip))

    def answer_lost(self, endpoint: str, status: int) -> LostAnswer | None:
        """The lost-answer fault that takes this call's answer, if any (successes only)."""
        with self.lock:
            for lost in self.lost_answers:
                if status == 200 and lost.times > 0 and lost.endpoint in (None, endpoint):
                    if lost.skip > 0:
                        lost.skip -= 1
                        continue
                    lost.times -= 1
                    return lost
        return None

    def reset_counters(self) -> None:
        """Forget the calls seen so far."""
        with self.lock:
            self.calls.clear()
            self.records.clear()
            self.spans.clear()

    def syncs(self, spreadsheet_id: str) -> list[tuple[str, float, float]]:
        """Each client session on a spreadsheet: (token, first call start, last call end).

        Every sync opens a backend with a fresh key and so a fresh access token: one token's
        calls are one sync.
        """
        sessions: dict[str, tuple[float, float]] = {}
        with self.lock:
            spans = [span for span in self.spans if span.spreadsheet_id == spreadsheet_id]
        for span in spans:
            start, end = sessions.get(span.token, (span.started, span.ended))
            sessions[span.token] = (min(start, span.started), max(end, span.ended))
        return sorted(((token, s, e) for token, (s, e) in sessions.items()), key=lambda x: x[1])

    def overlapping_syncs(self, spreadsheet_id: str) -> list[tuple[str, str]]:
        """Pairs of syncs of one spreadsheet whose calls interleaved in time."""
        sessions = self.syncs(spreadsheet_id)
        return [
            (first[0], second[0])
            for i, first in enumerate(sessions)
            for second in sessions[i + 1 :]
            if second[1] < first[2]
        ]

    def api_records(self) -> list[CallRecord]:
        """Calls to the Sheets API (token requests excluded)."""
        return [record for record in self.records if record.endpoint != "token"]

    # ---- request handling --------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes):
        """Route one request; returns (status, headers, JSON body)."""
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        endpoint = "unknown"
        try:
            if parts.path == "/token" and method == "POST":
                endpoint = "token"
                return 200, {}, self._token(body)
            if parts.path.startswith("/drive/"):
                endpoint = "drive.files.get"
                self._inject_fault(endpoint)
                token = headers.get("authorization", "").removeprefix("Bearer ").strip()
                with self.lock:
                    email, scopes = self.tokens.get(token), self.token_scopes.get(token)
                return drive.files_get(self, method, parts.path, query, scopes, email)
            endpoint, spreadsheet_id, rest = _route(method, parts.path)
            started = time.time()
            self._inject_fault(endpoint)
            email = self._authorize(headers, SHEETS_SCOPES)
            discovery.validate_query(_METHODS[endpoint], query)
            payload = json.loads(body) if body else None
            if self.latency:
                time.sleep(self.latency)
            with self.lock:
                book = self.books.get(spreadsheet_id)
                if book is None:
                    raise ApiFailure(404, "NOT_FOUND", "Requested entity was not found.")
                if email not in book.editors:
                    raise ApiFailure(
                        403, "PERMISSION_DENIED", "The caller does not have permission"
                    )
                answer = self._dispatch(endpoint, book, rest, query, payload)
                if endpoint in WRITE_ENDPOINTS and _changes_something(endpoint, payload):
                    # Drive's version of the file grows with every change.
                    self.drive_versions[spreadsheet_id] = (
                        self.drive_versions.get(spreadsheet_id, 1) + 1
                    )
                token = headers.get("authorization", "").removeprefix("Bearer ").strip()
                self.spans.append(CallSpan(spreadsheet_id, token, endpoint, started, time.time()))
                return 200, {}, answer
        except ApiFailure as failure:
            if endpoint == "token":  # OAuth2 error shape (RFC 6749 section 5.2)
                return (
                    failure.code,
                    {},
                    {"error": failure.status, "error_description": failure.message},
                )
            answer = {
                "error": {
                    "code": failure.code,
                    "message": failure.message,
                    "status": failure.status,
                }
            }
            return failure.code, failure.headers, answer
        except (InvalidArgument, RequestError, A1Error, json.JSONDecodeError) as error:
            message = (
                str(error) if not isinstance(error, A1Error) else f"Unable to parse range: {error}"
            )
            return (
                400,
                {},
                {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}},
            )
        finally:
            with self.lock:
                self.calls[endpoint] += 1

    def _inject_fault(self, endpoint: str) -> None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.endpoint in (None, endpoint):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    headers = {}
                    if fault.retry_after is not None:
                        headers["Retry-After"] = f"{fault.retry_after:g}"
                    status = {
                        403: "PERMISSION_DENIED",
                        429: "RESOURCE_EXHAUSTED",
                        500: "INTERNAL",
                        503: "UNAVAILABLE",
                    }
                    message = {
                        429: "Quota exceeded for quota metric 'Write requests' and limit "
                        "'Write requests per minute per user'",
                    }.get(fault.code, "Internal error encountered.")
                    message = fault.message or message
                    raise ApiFailure(
                        fault.code, status.get(fault.code, "UNKNOWN"), message, headers
                    )

    def _token(self, body: bytes) -> dict[str, Any]:
        form = parse_qs(body.decode())
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            raise ApiFailure(400, "invalid_grant", "unsupported grant_type")
        assertion = form.get("assertion", [""])[0]
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims = json.loads(_b64decode(claims_b64))
            if header.get("alg") != "RS256":
                raise ValueError("alg")
            self.public_key.verify(
                _b64decode(signature_b64),
                f"{header_b64}.{claims_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (ValueError, InvalidSignature) as error:
            raise ApiFailure(400, "invalid_grant", "Invalid JWT Signature.") from error
        # google-auth always names Google's own token endpoint as the audience.
        audiences = {self.token_uri, GOOGLE_TOKEN_URI}
        if claims.get("aud") not in audiences or claims.get("exp", 0) < time.time():
            raise ApiFailure(400, "invalid_grant", "Invalid JWT: audience or expiry")
        scopes = frozenset(claims.get("scope", "").split())
        if not scopes or not scopes <= KNOWN_SCOPES or scopes & self.refused_scopes:
            raise ApiFailure(
                400, "invalid_scope", "Invalid OAuth scope or ID token audience provided."
            )
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = claims["iss"]
            self.token_scopes[token] = scopes
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _authorize(self, headers: dict[str, str], scopes: frozenset[str]) -> str:
        value = headers.get("authorization", "")
        token = value.removeprefix("Bearer ").strip()
        email = self.tokens.get(token)
        if not value.startswith("Bearer ") or email is None:
            raise ApiFailure(
                401,
                "UNAUTHENTICATED",
                "Request is missing required authentication credential.",
            )
        if not self.token_scopes.get(token, frozenset()) & scopes:
            raise ApiFailure(
                403, "PERMISSION_DENIED", "Request had insufficient authentication scopes."
            )
        return email

    def _dispatch(self, endpoint, book, rest, query, payload):
        if endpoint == "get":
            return self._get(book, query)
        if endpoint == "batchUpdate":
            discovery.validate_body(payload or {}, "BatchUpdateSpreadsheetRequest")
            working, replies = apply_requests(book, (payload or {}).get("requests", []))
            self.books[book.spreadsheet_id] = working  # commit: every request succeeded
            answer = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
            if (payload or {}).get("includeSpreadsheetInResponse"):
                answer["updatedSpreadsheet"] = self._get(working, {})
            return answer
        if endpoint == "values.get":
            return self._read(book, rest, query)
        if endpoint == "values.batchGet":
            return {
                "spreadsheetId": book.spreadsheet_id,
                "valueRanges": [self._read(book, text, query) for text in query.get("ranges", [])],
            }
        if endpoint == "values.update":
            discovery.validate_body(payload or {}, "ValueRange")
            return self._write(book, rest, query, payload or {})
        if endpoint == "values.batchUpdate":
            discovery.validate_body(payload or {}, "BatchUpdateValuesRequest")
            option = (payload or {}).get("valueInputOption")
            working = book.clone()
            answers = [
                self._write(working, data["range"], {"valueInputOption": [option or ""]}, data)
                for data in (payload or {}).get("data", [])
            ]
            self.books[book.spreadsheet_id] = working
            return {
                "spreadsheetId": book.spreadsheet_id,
                "responses": answers,
                "totalUpdatedCells": sum(a["updatedCells"] for a in answers),
            }
        if endpoint == "values.clear":
            discovery.validate_body(payload or {}, "ClearValuesRequest")
            return {"spreadsheetId": book.spreadsheet_id, "clearedRange": self._clear(book, rest)}
        if endpoint == "values.batchClear":
            discovery.validate_body(payload or {}, "BatchClearValuesRequest")
            cleared = [self._clear(book, text) for text in (payload or {}).get("ranges", [])]
            return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}
        raise ApiFailure(404, "NOT_FOUND", f"The emulator does not serve {endpoint}")

    # ---- spreadsheets.get ----------------------------------------------------------------

    def _get(self, book: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
        with_grid = query.get("includeGridData", ["false"])[0].lower() == "true"
        sheets = []
        for sheet in book.sheets:
            entry: dict[str, Any] = {"properties": json.loads(json.dumps(sheet.properties))}
            if sheet.charts:
                entry["charts"] = json.loads(json.dumps(sheet.charts))
            if sheet.protected_ranges:
                entry["protectedRanges"] = json.loads(json.dumps(sheet.protected_ranges))
            if with_grid:
                entry["data"] = [self._grid_data(sheet)]
            sheets.append(entry)
        answer = {
            "spreadsheetId": book.spreadsheet_id,
            "properties": dict(book.properties),
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
        }
        if "fields" in query:
            answer = filter_fields(answer, query["fields"][0])
        return answer

    def _grid_data(self, sheet: Sheet) -> dict[str, Any]:
        rows, columns = sheet.data_extent()
        formats = sheet.formats_over((0, rows, 0, columns))
        # Google leaves out startRow and startColumn when they are 0, and rowData when the
        # tab is empty.
        grid: dict[str, Any] = {}
        if rows:
            grid["rowData"] = [
                {"values": [cell_json(sheet, r, c, formats[r][c]) for c in range(columns)]}
                for r in range(rows)
            ]
        return grid

    # ---- values ------------------------------------------------------------------------

    def _resolve(self, book: Spreadsheet, text: str) -> tuple[Sheet, tuple[int, int, int, int]]:
        parsed = parse_a1(unquote(text), {sheet.title for sheet in book.sheets})
        title = parsed.tab if parsed.tab is not None else book.sheets[0].title
        try:
            sheet = book.sheet(title)
        except RequestError as error:
            raise RequestError(f"Unable to parse range: {text}") from error
        top = parsed.start_row or 0
        left = parsed.start_column or 0
        bottom = min(
            parsed.end_row if parsed.end_row is not None else sheet.row_count, sheet.row_count
        )
        right = min(
            parsed.end_column if parsed.end_column is not None else sheet.column_count,
            sheet.column_count,
        )
        if top >= sheet.row_count or left >= sheet.column_count:
            raise RequestError(f"Range ({text}) exceeds grid limits.")
        return sheet, (top, bottom, left, right)

    def _read(self, book: Spreadsheet, text: str, query: dict[str, list[str]]) -> dict[str, Any]:
        sheet, (top, bottom, left, right) = self._resolve(book, text)
        option = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        dates = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        used_rows, used_columns = sheet.data_extent()
        data_bottom, data_right = min(bottom, used_rows), min(right, used_columns)
        needs_formats = option == "FORMATTED_VALUE" or dates == "FORMATTED_STRING"
        formats = (
            sheet.formats_over((top, max(top, data_bottom), left, max(left, data_right)))
            if needs_formats
            else None
        )
        grid = []
        for row in range(top, data_bottom):
            cells = sheet.rows[row] if row < len(sheet.rows) else []
            line = []
            for column in range(left, data_right):
                value = cells[column] if column < len(cells) else None
                fmt = formats[row - top][column - left].get("numberFormat") if formats else None
                line.append(_render_value(value, option, dates, fmt))
            grid.append(line)
        answer: dict[str, Any] = {
            "range": format_a1(sheet.title, top, left, bottom, right),
            "majorDimension": query.get("majorDimension", ["ROWS"])[0],
        }
        values = _trim(grid)
        if answer["majorDimension"] == "COLUMNS" and values:
            width = max(len(row) for row in values)
            padded = [row + [""] * (width - len(row)) for row in values]
            values = _trim([list(column) for column in zip(*padded, strict=True)])
        if values:
            answer["values"] = values
        return answer

    def _write(self, book, text, query, payload):
        option = query.get("valueInputOption", [""])[0]
        if option not in ("RAW", "USER_ENTERED"):
            raise RequestError("'valueInputOption' is required but not specified")
        sheet, (top, bottom, left, right) = self._resolve(book, text)
        values = payload.get("values", [])
        if payload.get("majorDimension") == "COLUMNS":
            width = max((len(column) for column in values), default=0)
            values = [[c[i] if i < len(c) else None for c in values] for i in range(width)]
        height = len(values)
        width = max((len(row) for row in values), default=0)
        if top + height > sheet.row_count or left + width > sheet.column_count:
            raise RequestError(
                f"Range ({quote_tab(sheet.title)}!{text.split('!')[-1]}) exceeds grid limits. "
                f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
            )
        for row_offset, row in enumerate(values):
            for column_offset, value in enumerate(row):
                if value is None:
                    continue  # null leaves the cell unchanged
                fmt = None
                if option == "USER_ENTERED" and isinstance(value, str):
                    value, fmt = parse_user_entered(value)
                if value == "":
                    value = None
                row_index, column_index = top + row_offset, left + column_offset
                sheet.set_value(row_index, column_index, value)
                if fmt:
                    rect = (row_index, row_index + 1, column_index, column_index + 1)
                    sheet.formats.append(Layer(rect, ("numberFormat",), {"numberFormat": fmt}))
        cells = sum(len(row) for row in values)
        return {
            "spreadsheetId": book.spreadsheet_id,
            "updatedRange": format_a1(
                sheet.title, top, left, top + max(height, 1), left + max(width, 1)
            ),
            "updatedRows": height,
            "updatedColumns": width,
            "updatedCells": cells,
        }

    def _clear(self, book: Spreadsheet, text: str) -> str:
        sheet, (top, bottom, left, right) = self._resolve(book, text)
        for row in range(top, min(bottom, len(sheet.rows))):
            cells = sheet.row_for_write(row)
            for column in range(left, min(right, len(cells))):
                cells[column] = None
        return format_a1(sheet.title, top, left, bottom, right)


def _changes_something(endpoint: str, payload: Any) -> bool:
    """Whether a write call changes the file (an empty batchUpdate makes no new version)."""
    if endpoint == "batchUpdate":
        return bool((payload or {}).get("requests"))
    return True


def _render_value(value: Any, option: str, dates: str, fmt: dict[str, Any] | None) -> Any:
    if value is None:
        return ""
    if option == "FORMULA":
        return (
            json_number(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
        )
    if option == "FORMATTED_VALUE":
        return render(value, fmt)
    if isinstance(value, Formula):
        return ""  # the emulator does not calculate formulas
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return value
    if dates == "FORMATTED_STRING" and is_date_format(fmt):
        return render(value, fmt)
    return json_number(value)


def _trim(grid: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty cells of each row, then trailing empty rows (as the API does)."""
    trimmed = []
    for row in grid:
        width = len(row)
        while width and row[width - 1] in (None, ""):
            width -= 1
        trimmed.append(row[:width])
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_METHODS = {
    "get": "spreadsheets.get",
    "batchUpdate": "spreadsheets.batchUpdate",
    "values.get": "spreadsheets.values.get",
    "values.update": "spreadsheets.values.update",
    "values.batchGet": "spreadsheets.values.batchGet",
    "values.batchUpdate": "spreadsheets.values.batchUpdate",
    "values.clear": "spreadsheets.values.clear",
    "values.batchClear": "spreadsheets.values.batchClear",
}


def _route(method: str, path: str) -> tuple[str, str, str]:
    """(endpoint, spreadsheet id, range or '') of an API path."""
    match = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", path)
    if not match:
        raise ApiFailure(404, "NOT_FOUND", f"No such API path: {path}")
    spreadsheet_id, rest = unquote(match.group(1)), match.group(2)
    routes = [
        ("GET", r"", "get"),
        ("POST", r":batchUpdate", "batchUpdate"),
        ("GET", r"/values:batchGet", "values.batchGet"),
        ("POST", r"/values:batchUpdate", "values.batchUpdate"),
        ("POST", r"/values:batchClear", "values.batchClear"),
        ("POST", r"/values/(.+):clear", "values.clear"),
        ("GET", r"/values/(.+)", "values.get"),
        ("PUT", r"/values/(.+)", "values.update"),
    ]
    for verb, pattern, endpoint in routes:
        found = re.fullmatch(pattern, rest)
        if verb == method and found:
            return endpoint, spreadsheet_id, unquote(found.group(1)) if found.groups() else ""
    raise ApiFailure(404, "NOT_FOUND", f"No such API path: {method} {path}")


def filter_fields(data: Any, mask: str) -> Any:
    """Keep only the fields a partial-response mask names (`a,b(c,d)`, `*`)."""
    return _filter(data, _parse_mask(mask))


def _parse_mask(mask: str) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    stack = [tree]
    token = ""
    for char in mask.replace(" ", "") + ",":
        if char in "(,)":
            if token:
                node = stack[-1]
                for part in token.split("/")[:-1]:
                    node = node.setdefault(part, {})
                leaf = token.split("/")[-1]
                child = node.setdefault(leaf, {})
                if char == "(":
                    stack.append(child)
            if char == ")":
                stack.pop()
            token = ""
        else:
            token += char
    return tree


def _filter(data: Any, tree: dict[str, Any]) -> Any:
    if not tree or "*" in tree:
        return data
    if isinstance(data, list):
        return [_filter(item, tree) for item in data]
    if not isinstance(data, dict):
        return data
    return {key: _filter(data[key], sub) for key, sub in tree.items() if key in data}


class _Handler(BaseHTTPRequestHandler):
    emulator: SheetsEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, extra, answer = self.emulator.handle(self.command, self.path, headers, body)
        payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        endpoint = _safe_endpoint(self.command, self.path)
        # Recorded before answering, so a test reading the records after a call sees it.
        with self.emulator.lock:
            self.emulator.records.append(
                CallRecord(
                    endpoint,
                    self.command,
                    self.path,
                    len(body),
                    len(payload),
                    status,
                    _decoded(body) if self.emulator.keep_bodies else None,
                )
            )
        lost = self.emulator.answer_lost(endpoint, status)
        if lost is not None:
            if lost.stall is None:
                self.close_connection = True  # applied, but the client never hears back
                return
            time.sleep(lost.stall)  # the client has given up waiting by now
            self.close_connection = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            if lost is None:
                raise  # only a stalled answer may find the client gone

    do_GET = do_POST = do_PUT = _serve


def _safe_endpoint(method: str, raw_path: str) -> str:
    path = urlsplit(raw_path).path
    if path == "/token":
        return "token"
    if path.startswith("/drive/"):
        return "drive.files.get"
    try:
        return _route(method, path)[0]
    except ApiFailure:
        return "unknown"


def _decoded(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
