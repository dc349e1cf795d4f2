"""From the operator's configuration to an open workbook: the one way every shell opens one.

The CLI, the webhook worker, `watch` and a user's own script all call `open_backend`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sync.config import Config
from sync.errors import NoWorkbookError
from sync.i18n import _

if TYPE_CHECKING:
    from sync.backends.base import Backend
    from sync.backends.sheets.auth import SheetsHTTPClient


def open_backend(
    config: Config | None = None,
    *,
    path: str | Path | None = None,
    sheet: str | None = None,
    http_client: type[SheetsHTTPClient] | None = None,
) -> Backend:
    """The workbook to work on: `path`, else spreadsheet `sheet`, else the one config names.

    Opening checks nothing on the network or on disk beyond what the backend's constructor
    does (a Sheets backend loads its key); the first read says whether the workbook is there.
    `http_client` is the transport a Google spreadsheet is reached through (a subclass of
    `sync.backends.sheets.auth.SheetsHTTPClient`, as gspread takes its `http_client`).
    """
    if path is not None and sheet is not None:
        raise ValueError("give either a workbook path or a spreadsheet id, not both")
    if config is None:
        from sync.config import load_config

        config = load_config()
    if path is None and sheet is None:
        if config.backend == "xlsx":
            if config.workbook is None:
                raise NoWorkbookError(_(
                    "no workbook given: pass a PATH (e.g. `salesops sync sales.xlsx`), "
                    "--sheet ID, or set `workbook` in config.yaml."))
            path = config.workbook
        else:
            if not config.spreadsheet_id:
                raise NoWorkbookError(_(
                    "no spreadsheet given: pass --sheet ID or set `spreadsheet_id` in "
                    "config.yaml."))
            sheet = config.spreadsheet_id
    if path is not None:
        if http_client is not None:
            raise ValueError("http_client is the transport of a Google spreadsheet, not a file")
        from sync.backends.xlsx.backend import XlsxBackend

        xlsx = XlsxBackend(path)
        xlsx.default_locale = config.locale
        folder = config.cache_folder
        if folder is not None:
            from sync.backends.xlsx.scan_memory import ScanMemory

            xlsx.scan_memory = ScanMemory(folder)
        return xlsx
    from sync.backends.sheets.auth import SheetsHTTPClient
    from sync.backends.sheets.backend import SheetsBackend

    sheets = SheetsBackend(
        str(sheet), config.google_credentials, config.sheets_api_url,
        http_client=http_client or SheetsHTTPClient,
    )
    sheets.default_locale = config.locale
    return sheets
