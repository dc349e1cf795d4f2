"""An in-process emulator of the Google Sheets API v4 for tests and benchmarks."""

from tests.sheets_emulator.server import SheetsEmulator

__all__ = ["SheetsEmulator"]
