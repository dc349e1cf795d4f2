"""Looking at workbook files from tests: their tab names and their bytes' fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path

from openpyxl import load_workbook


def sheet_names(path):
    """The tab names of a workbook, its file closed again (read-only openpyxl keeps it open)."""
    book = load_workbook(path, read_only=True)
    try:
        return book.sheetnames
    finally:
        book.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
