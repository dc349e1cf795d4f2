"""The one line `watch` prints per sync: what started it, what it found and wrote, how long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sync.engine import SyncReport

Say = Callable[[str], None]


def count(number: int, noun: str) -> str:
    """`1 error`, `1,204 cells`."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def stamped(message: str, now: datetime | None = None) -> str:
    """A line with the local time of day in front, as a log shows it."""
    return f"{(now or datetime.now()):%H:%M:%S} {message}"


def sync_line(trigger: str, report: SyncReport) -> str:
    """`sales.xlsx saved: synced in 0.84 s: 0 errors, 2 warnings, 3,120 cells written.`"""
    issues = f"{count(report.error_count, 'error')}, {count(report.warning_count, 'warning')}"
    if report.issues:
        issues += " (see the Data Issues tab)"
    written = f"{count(report.cells_written, 'cell')} written"
    if report.requests:
        written += f" in {count(report.requests, 'API request')}"
    elif not report.tabs_written:
        written = "nothing to write (the figures had not changed)"
    return f"{trigger}: synced in {report.seconds:.2f} s: {issues}, {written}."
