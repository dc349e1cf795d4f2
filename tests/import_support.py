"""Shared helpers of the import tests: a fresh template workbook, its tabs read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import create_template

IMPORT_DATA = Path(__file__).parent / "data" / "imports"


def template(folder: Path, name: str = "sales.xlsx") -> Path:
    """A new workbook as `salesops init` writes it."""
    return create_template(folder / name)


def tab_rows(path: Path, tab: str) -> list[list[Any]]:
    """The data rows of a tab (row 2 on), as the xlsx backend reads them."""
    return XlsxBackend(path).read([tab])[tab][1:]
