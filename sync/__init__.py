"""SalesOps Sheets: the sync engine behind the spreadsheet.

The public API, for the CLI, the webhook worker and a user's own script::

    from sync import open_backend, sync_workbook

    report = sync_workbook(open_backend(path="sales.xlsx"))
    print(report.error_count, report.cells_written)

Names are imported on first use, so `import sync` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "sync_workbook": "sync.engine",
    "check_workbook": "sync.engine",
    "SyncReport": "sync.engine",
    "open_backend": "sync.workbooks",
    "load_config": "sync.config",
    "Config": "sync.config",
}
__all__ = [
    "Config",
    "SyncReport",
    "__version__",
    "check_workbook",
    "load_config",
    "open_backend",
    "sync_workbook",
]

if TYPE_CHECKING:
    from sync.config import Config, load_config
    from sync.engine import SyncReport, check_workbook, sync_workbook
    from sync.workbooks import open_backend


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sync' has no attribute {name!r}")
