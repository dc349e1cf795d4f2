"""The one line `watch` prints per sync: what started it, what it found and wrote, how long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sync.engine import SyncReport
from sync.i18n import _

Say = Callable[[str], None]
# What started a sync: its words, or a function giving them in the locale spoken when the
# line is written (the workbook's Locale is known only once a sync has read it).
Trigger = str | Callable[[], str]


def spoken(trigger: Trigger) -> str:
    """A trigger's words, now."""
    return trigger() if callable(trigger) else trigger


def count(number: int, noun: str) -> str:
    """`1 error`, `1,204 cells` (in the locale being spoken: `1,204 个单元格`)."""
    one = {"error": _("{count} error"), "warning": _("{count} warning"), "cell": _("{count} cell"),
           "API request": _("{count} API request"), "sync": _("{count} sync")}
    many = {"error": _("{count} errors"), "warning": _("{count} warnings"),
            "cell": _("{count} cells"), "API request": _("{count} API requests"),
            "sync": _("{count} syncs")}
    return (one if number == 1 else many)[noun].format(count=f"{number:,}")


def trigger_text(subject: str, event: str, version: int | None = None) -> str:
    """What started a sync, in the locale being spoken: `sales.xlsx saved`."""
    if event == "start":
        return _("{subject} at start").format(subject=subject)
    if event == "saved":
        return _("{subject} saved").format(subject=subject)
    if event == "retried":
        return _("{subject} retried").format(subject=subject)
    return _("{subject} changed (version {version})").format(subject=subject, version=version)


def stamped(message: str, now: datetime | None = None) -> str:
    """A line with the local time of day in front, as a log shows it."""
    return f"{(now or datetime.now()):%H:%M:%S} {message}"


def sync_line(trigger: str, report: SyncReport) -> str:
    """`sales.xlsx saved: synced in 0.84 s: 0 errors, 2 warnings, 3,120 cells written.`"""
    issues = _(", ").join([count(report.error_count, "error"),
                           count(report.warning_count, "warning")])
    if report.issues:
        issues += _(" (see the Data Issues tab)")
    written = _("{cells} written").format(cells=count(report.cells_written, "cell"))
    if report.requests:
        written += _(" in {requests}").format(requests=count(report.requests, "API request"))
    elif not report.tabs_written:
        written = _("nothing to write (the figures had not changed)")
    return _("{trigger}: synced in {seconds} s: {issues}, {written}.").format(
        trigger=trigger, seconds=f"{report.seconds:.2f}", issues=issues, written=written)
