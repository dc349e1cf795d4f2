"""The Google Sheets backend: one metadata read, one batchGet, one batchUpdate per sync.

Reads fetch the spreadsheet's metadata (tabs, grid sizes, time zone, charts, protections)
and then every needed tab's values in a single `values:batchGet`, unformatted, with dates
as serial numbers. Writes diff the plan against the computed tabs as read and send only
the changed blocks, in one atomic `batchUpdate` (split into as few bodies as needed when
the change is larger than about 2 MB). Input tabs are never written.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.a1 import column_letter, quote_tab
from sync.backends.base import WriteStats
from sync.backends.sheets import chart_requests as charts
from sync.backends.sheets import requests as build
from sync.backends.sheets.auth import (
    ApiError,
    RetryPolicy,
    SheetsHTTPClient,
    WriteOutcomeUnknown,
    load_key,
    open_client,
)
from sync.backends.sheets.diff import new_log_rows
from sync.backends.sheets.tab_plan import TabSize, changed_values, format_requests
from sync.contract.grid import CellError, Grid, TabGrid
from sync.contract.plan import TabOutput
from sync.errors import CredentialsError, MissingTabError, SheetsApiError
from sync.i18n import _
from sync.schema import computed_tabs, input_tabs
from sync.schema.tabs import find_tab
from sync.write.append_only import column_positions, laid_out

# Without deals there is nothing to compute; every other input tab has a sensible empty
# default (Settings and Stages their defaults, the rest no rows), so only Pipeline is
# required. docs/google-sheets.md says so.
REQUIRED_TABS = ("Pipeline",)
METADATA_FIELDS = (
    "spreadsheetId,properties(title,timeZone,locale),"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount)),"
    "charts(chartId,spec),protectedRanges(protectedRangeId,description,warningOnly),merges)"
)
# What a cell in error shows under UNFORMATTED_VALUE (the Sheets API's ErrorType values,
# and the state of a formula still loading its data): it arrives as this text.
ERROR_TEXTS = frozenset(
    ["#ERROR!", "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "Loading..."]
)
VALUE_PARAMS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}


@dataclass
class TabInfo:
    """What the metadata says about one tab."""

    sheet_id: int
    title: str
    rows: int
    columns: int
    frozen_rows: int
    charts: list[dict[str, Any]] = field(default_factory=list)
    protected: bool = False
    merges: list[dict[str, int]] = field(default_factory=list)  # GridRanges


def input_grid(rows: Grid, merges: list[dict[str, int]]) -> TabGrid:
    """An input tab's values as the reader takes them: error cells as `CellError`, and each
    merged range holding its top-left value in every cell (the API gives it only there)."""
    grid = TabGrid(
        [
            [CellError(value) if value in ERROR_TEXTS else value for value in row]
            if not ERROR_TEXTS.isdisjoint(row)
            else row
            for row in rows
        ]
    )
    ordered = sorted(
        merges, key=lambda m: (m.get("startRowIndex", 0), m.get("startColumnIndex", 0))
    )
    for merge in ordered:
        top, left = merge.get("startRowIndex", 0), merge.get("startColumnIndex", 0)
        bottom, right = merge.get("endRowIndex", top + 1), merge.get("endColumnIndex", left + 1)
        if top >= len(grid):
            continue
        grid.merged.append(f"{column_letter(left)}{top + 1}:{column_letter(right - 1)}{bottom}")
        first = grid[top]
        value = first[left] if left < len(first) else None
        for row in grid[top : min(bottom, len(grid))]:
            row.extend([None] * (right - len(row)))  # rows come trimmed of trailing blanks
            row[left:right] = [value] * (right - left)
    return grid


class SheetsBackend:
    """A Google spreadsheet opened by its id with a service account."""

    def __init__(
        self,
        spreadsheet_id: str,
        credentials: str | Path | None = None,
        api_url: str | None = None,
        retry: RetryPolicy | None = None,
        http_client: type[SheetsHTTPClient] = SheetsHTTPClient,
    ) -> None:
        if credentials is None or api_url is None:  # not given: as the operator configured
            from sync.config import load_config

            config = load_config()
            credentials = credentials or config.google_credentials
            api_url = api_url or config.sheets_api_url
        self.spreadsheet_id = spreadsheet_id.strip()
        self.label = self.spreadsheet_id
        self.add_tab_hint: str | None = (
            f'run "salesops init --sheet {self.spreadsheet_id}" to add it (your other tabs are '
            "kept)"
        )
        self.default_locale = "en"  # the operator's locale, for a workbook naming none
        self.key = load_key(credentials)
        self.retry = retry or RetryPolicy()  # one budget for every call of this backend
        self.client = open_client(self.key, api_url, self.retry, http_client)
        self._metadata: dict[str, Any] | None = None
        self.tab_infos: dict[str, TabInfo] = {}
        self._computed: dict[str, Grid] | None = None  # computed tabs' values as last read
        self._log_lengths: dict[str, int] = {}  # append-only tabs' rows before this write

    # ---- reading ---------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """The spreadsheet's metadata (one spreadsheets.get, cached)."""
        if self._metadata is None:
            self._metadata = self.call(
                lambda http: http.fetch_sheet_metadata(
                    self.spreadsheet_id,
                    params={"includeGridData": "false", "fields": METADATA_FIELDS},
                )
            )
            self.tab_infos = {}
            for sheet in self._metadata.get("sheets", []):
                properties = sheet["properties"]
                grid = properties.get("gridProperties", {})
                self.tab_infos[properties["title"]] = TabInfo(
                    sheet_id=properties.get("sheetId", 0),
                    title=properties["title"],
                    rows=grid.get("rowCount", 0),
                    columns=grid.get("columnCount", 0),
                    frozen_rows=grid.get("frozenRowCount", 0),
                    charts=sheet.get("charts", []),
                    protected=any(
                        p.get("description") == build.PROTECTION_NOTE
                        for p in sheet.get("protectedRanges", [])
                    ),
                    merges=sheet.get("merges", []),
                )
        return self._metadata

    def today(self) -> date:
        """Today in the spreadsheet's time zone."""
        zone = self.metadata().get("properties", {}).get("timeZone") or "UTC"
        try:
            return datetime.now(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            return datetime.now(ZoneInfo("UTC")).date()

    def find_tab(self, name: str) -> str | None:
        """The title of the tab holding template tab `name` (`sync.schema.tabs.find_tab`)."""
        self.metadata()
        return find_tab(self.tab_infos, name)

    def computed_titles(self) -> dict[str, str]:
        """The computed tabs that exist, by template name -> title in the spreadsheet.

        Sheets titles are unique regardless of case, so an owner's `funnel` is our Funnel.
        """
        found = {spec.tab: self.find_tab(spec.tab) for spec in computed_tabs()}
        return {name: title for name, title in found.items() if title is not None}

    def read(self, tabs: Sequence[str]) -> dict[str, Grid]:
        """Values of the named tabs (one batchGet, which also reads the computed tabs)."""
        self.metadata()
        found = {name: self.find_tab(name) for name in tabs}
        for name in REQUIRED_TABS:
            if name in found and found[name] is None:
                raise MissingTabError(_(
                    'Spreadsheet {id} has no "{tab}" tab (renamed or deleted?): rename it back '
                    'to "{tab}", or run `salesops init --sheet {id}` to recreate the missing '
                    "template tabs.").format(id=self.spreadsheet_id, tab=name))
        wanted = {name: title for name, title in found.items() if title is not None}
        computed = self.computed_titles()
        titles = list(dict.fromkeys([*wanted.values(), *computed.values()]))
        grids = self.read_values(titles)
        self._computed = {name: grids[title] for name, title in computed.items()}
        return {
            name: input_grid(grids[title], self.tab_infos[title].merges)
            for name, title in wanted.items()
        }

    def read_values(self, titles: list[str]) -> dict[str, Grid]:
        if not titles:
            return {}
        answer = self.call(
            lambda http: http.values_batch_get(
                self.spreadsheet_id, [quote_tab(t) for t in titles], params=dict(VALUE_PARAMS)
            )
        )
        grids = {}
        for title, value_range in zip(titles, answer.get("valueRanges", []), strict=True):
            grids[title] = [
                [None if value == "" else value for value in row] if "" in row else row
                for row in value_range.get("values", [])
            ]
        return grids

    # ---- writing ---------------------------------------------------------------------

    def write(self, outputs: Sequence[TabOutput]) -> WriteStats:
        """Write only what changed in the computed tabs, in one atomic batchUpdate.

        When a write's answer is lost it may have been applied: the spreadsheet is read
        again and only what is still missing is sent (never a second `addSheet` or
        `addChart`), after Google's backoff and within the sync's one retry budget.
        """
        inputs = {spec.tab for spec in input_tabs()}
        for output in outputs:
            if output.name in inputs:
                raise ValueError(f"{output.name} is an input tab: the product never writes it")
        stats = WriteStats(tabs_written=[])
        self._log_lengths = {}
        attempt = 0
        while True:
            try:
                self._write_missing(outputs, stats)
                return stats
            except WriteOutcomeUnknown as lost:
                self.retry.pause(attempt, lost.retry_after, lost.spent, lost.reason, lost)
                attempt += 1
                self.forget_state()

    def forget_state(self) -> None:
        """Forget the spreadsheet as read, so the next plan reads it again."""
        self._metadata, self._computed = None, None

    def _write_missing(self, outputs: Sequence[TabOutput], stats: WriteStats) -> None:
        """Plan against the spreadsheet as last read and send the requests (adds to stats)."""
        self.metadata()
        if self._computed is None:
            computed = self.computed_titles()
            grids = self.read_values(list(computed.values()))
            self._computed = {name: grids[title] for name, title in computed.items()}
        requests: list[build.Request] = []
        taken_ids = {tab.sheet_id for tab in self.tab_infos.values()}
        for output in outputs:
            tab_requests, cells = self._plan_tab(output, taken_ids)
            if tab_requests:
                if output.name not in stats.tabs_written:
                    stats.tabs_written.append(output.name)
                requests.extend(tab_requests)
                stats.cells_written += cells
        stats.requests += self.batch_update(requests)
        if requests:
            # The computed tabs now hold the plan; metadata (ids, charts) is read again if needed.
            for output in outputs:
                self._computed[output.name] = self._planned_grid(output)
            self._metadata = None

    def batch_update(self, requests: Sequence[build.Request]) -> int:
        """Send requests in as few spreadsheets.batchUpdate calls as their size allows."""
        bodies = build.split_batches(requests)
        for body in bodies:
            self.send_batch(body)
        return len(bodies)

    def send_batch(self, body: bytes) -> dict[str, Any]:
        """One spreadsheets.batchUpdate with an encoded body (compact JSON)."""
        return self.call(lambda http: http.batch_update_encoded(self.spreadsheet_id, body))

    def _planned_grid(self, output: TabOutput) -> Grid:
        """The tab as it should be: the plan, or for an append-only tab its rows plus new ones."""
        existing = (self._computed or {}).get(output.name)
        if output.append_only and existing:
            positions = column_positions(output, existing[0])
            if output.appended is not None and positions is not None:
                # The tab as it stands (the owner's columns and cells too), then the new rows;
                # after a lost write, the rows it may have added are compared, not re-added.
                kept = self._log_lengths.setdefault(output.name, len(existing))
                return [*existing[:kept], *laid_out(output.new_rows, positions)]
            return [output.headers, *existing[1:], *new_log_rows(existing[1:], output.rows)]
        return [output.headers, *output.rows]

    def new_sheet_id(self, title: str, taken: set[int]) -> int:
        # Chosen here, not by the API, so the same batchUpdate can format and chart the tab.
        sheet_id = zlib.crc32(title.encode("utf-8")) % 2_000_000_000 + 1
        while sheet_id in taken:
            sheet_id += 1
        taken.add(sheet_id)
        return sheet_id

    def _plan_tab(self, output: TabOutput, taken_ids: set[int]) -> tuple[list[build.Request], int]:
        """The requests that bring one computed tab to the plan, and the cells they write.

        In order: the tab's size, its formats and protection, then the changed values, then
        its charts. Formats and the protection go before the values: when a large write is
        split into several bodies and a later one fails, they are in place already, and the
        next sync, which sends only the values still missing, would not send them again.
        """
        title = self.find_tab(output.name)
        tab = self.tab_infos.get(title) if title else None
        grid = self._planned_grid(output)
        size = self._size_tab(output, tab, len(grid), taken_ids)
        old = (self._computed or {}).get(output.name, [])
        values = changed_values(size.sheet_id, old, grid)
        # A new or changed header row: columns may have moved, so lay the tab out again.
        relayout = size.relayout or not old or values.header_changed
        requests = [*size.requests, *format_requests(output, size, relayout, values.rows)]
        if tab is None or not tab.protected:
            requests.append(build.protect(size.sheet_id))
        requests.extend(values.requests)
        requests.extend(self._chart_requests(output, size.sheet_id, tab))
        return requests, values.cells

    def _size_tab(
        self, output: TabOutput, tab: TabInfo | None, grid_rows: int, taken_ids: set[int]
    ) -> TabSize:
        """Add the tab, or grow it to hold the grid and the charts' anchors; freeze row 1."""
        anchor_rows = max((c.anchor_row + 1 for c in output.charts), default=0)
        anchor_columns = max((c.anchor_column + 1 for c in output.charts), default=0)
        need_rows = max(grid_rows, anchor_rows, 2)
        # Headroom, so a tab that grows by a few rows is not resized (and reformatted) each sync.
        grown_rows = need_rows + max(50, need_rows // 10)
        need_columns = max(len(output.columns), anchor_columns, 1)
        if tab is None:
            sheet_id = self.new_sheet_id(output.name, taken_ids)
            added = build.add_sheet(sheet_id, output.name, grown_rows, need_columns)
            return TabSize(sheet_id, grown_rows, True, [added])
        requests: list[build.Request] = []
        row_count, relayout = tab.rows, False
        if tab.rows < need_rows or tab.columns < need_columns:
            row_count = max(tab.rows, grown_rows)
            requests.append(build.resize(tab.sheet_id, row_count, max(tab.columns, need_columns)))
            relayout = True
        if tab.frozen_rows != 1:
            requests.append(build.freeze_header(tab.sheet_id))
        return TabSize(tab.sheet_id, row_count, relayout, requests)

    def _chart_requests(
        self, output: TabOutput, sheet_id: int, tab: TabInfo | None
    ) -> list[dict[str, Any]]:
        existing: dict[str, list[dict[str, Any]]] = {}
        for embedded in tab.charts if tab else []:
            existing.setdefault(embedded.get("spec", {}).get("title", ""), []).append(embedded)
        requests = []
        for chart in output.charts:
            spec = charts.chart_spec(chart, sheet_id)
            if spec is None:
                continue
            same_title = existing.get(chart.title, [])
            if not same_title:
                requests.append(charts.add_chart(chart, spec, sheet_id))
                continue
            first, *duplicates = same_title
            if not charts.contains(first.get("spec"), spec):
                requests.append(charts.update_chart(first["chartId"], spec))
            requests.extend(charts.delete_chart(d["chartId"]) for d in duplicates)
        return requests

    # ---- errors ----------------------------------------------------------------------

    def call(self, action: Any) -> Any:
        """Run one API call, turning Google's refusals into messages that say what to do."""
        try:
            return action(self.client.http_client)
        except ApiError as error:
            raise self._explain(error) from error

    def _explain(self, error: ApiError) -> Exception:
        status = error.response.status_code
        message = error.error.get("message", "") if isinstance(error.error, dict) else str(error)
        sheet = self.spreadsheet_id
        if status == HTTPStatus.FORBIDDEN and "has not been used" in message:
            return SheetsApiError(
                "The Google Sheets API is not enabled for the service account's project: "
                "enable it in the Cloud console (APIs & Services > Library > Google Sheets API)."
            )
        if status == HTTPStatus.FORBIDDEN:
            return SheetsApiError(
                f"No access to spreadsheet {sheet}. Share the spreadsheet with "
                f"{self.key.client_email} as an editor (Share button, paste the address, "
                "choose Editor)."
            )
        if status == HTTPStatus.NOT_FOUND:
            return SheetsApiError(
                f"No spreadsheet has the id {sheet}: copy the id from the sheet's address "
                "(the part between /d/ and /edit) and try again."
            )
        if status == HTTPStatus.UNAUTHORIZED:
            return CredentialsError(
                f"Google did not accept the service account's credentials ({message}): create "
                "a new JSON key and point SALESOPS_GOOGLE_CREDENTIALS at it."
            )
        return SheetsApiError(f"Google Sheets refused the request ({status}): {message}")

