"""One sync: read -> validate -> compute -> write plan -> write."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from sync.backends.base import Backend, WriteStats
from sync.errors import MissingTabError
from sync.schema import input_tabs
from sync.tables import Issue, Tables
from sync.write.plan import CURRENCY_SYMBOLS, TabOutput
from sync.write.tabs import frame_output, goal_progress_output, issues_frame

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class SyncReport:
    """What a sync (or a check) read, found, wrote and how long it took."""

    rows_read: dict[str, int]
    issues: list[Issue]
    as_of: date
    tabs_written: list[str] = field(default_factory=list)
    cells_written: int = 0
    requests: int = 0
    seconds: float = 0.0
    kpis: list[tuple[str, str]] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        """Issues of severity Error."""
        return sum(issue.severity == "Error" for issue in self.issues)

    @property
    def warning_count(self) -> int:
        """Issues of severity Warning."""
        return sum(issue.severity == "Warning" for issue in self.issues)


@dataclass
class Computed:
    """Every computed tab of one sync, before it is written."""

    tables: Tables
    issues: list[Issue]
    outputs: list[TabOutput]
    kpis: list[tuple[str, str]]


def _step(name: str, issues: list[Issue], compute: Callable[[], Any], fallback: Any) -> Any:
    """Run one computation; a bug in it becomes an Error issue instead of a crash."""
    try:
        return compute()
    except Exception as error:  # noqa: BLE001 - the sync must finish and say what failed
        log.exception("computing %s failed", name)
        issues.append(
            Issue(
                tab=name,
                severity="Error",
                problem=f"The {name} tab could not be computed ({type(error).__name__}: {error}). "
                "The other tabs are up to date; please report this with your workbook.",
            )
        )
        return fallback


def format_kpi(value: Any, value_type: str, currency: str) -> str:
    """A Dashboard figure as the terminal shows it."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if value_type == "money":
        symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{abs(value):,.0f}"
    if value_type == "percent":
        return f"{value:.1%}"
    if value_type == "integer":
        return f"{int(round(value)):,}"
    if isinstance(value, int | float):
        return f"{value:,.1f}"
    return str(value)


def compute_tabs(tables: Tables, issues: list[Issue], now: datetime) -> Computed:
    """Every computed tab from validated tables (pure: no I/O)."""
    from sync.compute.commissions import commissions
    from sync.compute.dashboard import dashboard
    from sync.compute.deal_health import deal_health
    from sync.compute.funnel import funnel
    from sync.compute.goals import goal_progress
    from sync.compute.revenue import revenue_lines
    from sync.compute.segments import customer_segments
    from sync.compute.stage_log import full_log, stage_changes
    from sync.schema import tab_spec
    from sync.write.dashboard_layout import dashboard_output

    def empty(tab: str) -> pd.DataFrame:
        return pd.DataFrame(columns=tab_spec(tab).headers)

    issues = list(issues)
    currency = tables.settings.currency
    revenue = revenue_lines(tables)
    new_log = _step(
        "Stage Log",
        issues,
        lambda: stage_changes(tables.pipeline, tables.stage_log, now),
        empty("Stage Log"),
    )
    stage_log = full_log(tables.stage_log, new_log)
    funnel_table = _step("Funnel", issues, lambda: funnel(tables, stage_log), empty("Funnel"))
    health = _step(
        "Deal Health", issues, lambda: deal_health(tables, stage_log), empty("Deal Health")
    )
    goals, goal_issues = _step(
        "Goal Progress",
        issues,
        lambda: goal_progress(tables, revenue),
        (empty("Goal Progress"), []),
    )
    pay, pay_issues = _step(
        "Commissions", issues, lambda: commissions(tables, revenue), (empty("Commissions"), [])
    )
    segments, segment_issues = _step(
        "Customer Segments",
        issues,
        lambda: customer_segments(tables, revenue),
        (empty("Customer Segments"), []),
    )
    issues += [*goal_issues, *pay_issues, *segment_issues]
    data = _step(
        "Dashboard",
        issues,
        lambda: dashboard(tables, revenue, funnel_table, health, goals, pay, segments, len(issues)),
        None,
    )

    outputs = []
    kpis: list[tuple[str, str]] = []
    if data is not None:
        outputs.append(dashboard_output(data, currency))
        kpis = [
            (row["KPI"], format_kpi(row["Value"], row["Type"], currency))
            for _, row in data.kpis.iterrows()
        ]
    outputs += [
        frame_output("Funnel", funnel_table, currency),
        frame_output("Deal Health", health, currency),
        goal_progress_output(goals, currency),
        frame_output("Commissions", pay, currency),
        frame_output("Customer Segments", segments, currency),
        frame_output("Data Issues", issues_frame(issues), currency),
        frame_output("Stage Log", stage_log, currency),
    ]
    return Computed(tables=tables, issues=issues, outputs=outputs, kpis=kpis)


def _refuse_without_input_tabs(backend: Backend, grids: dict[str, Any]) -> None:
    """A workbook with none of the input tabs is someone's other file, named by mistake."""
    from sync.read.validate import find_grid

    if any(find_grid(grids, spec) is not None for spec in input_tabs()):
        return
    # Sheets refuses a spreadsheet without a Pipeline tab itself, naming `init --sheet`.
    init = getattr(backend, "init_command", None) or "salesops init"
    names = ", ".join(spec.tab for spec in input_tabs())
    raise MissingTabError(
        f"{backend.label} has none of the input tabs ({names}), so it was left as it is: "
        "check that it is your sales workbook. To set this one up, run "
        f"`{init}`: it adds the input tabs and keeps every tab already there."
    )


def _read(backend: Backend, progress: Progress) -> tuple[Tables, list[Issue], dict[str, int]]:
    from sync.read import validate_workbook

    progress(f"Reading {backend.label}")
    names = [spec.tab for spec in input_tabs()]
    grids = backend.read([*names, "Stage Log"])
    _refuse_without_input_tabs(backend, grids)
    rows_read = {
        name: sum(1 for row in grids[name][1:] if any(v not in (None, "") for v in row))
        for name in names
        if name in grids
    }
    progress("Validating rows")
    tables, issues = validate_workbook(
        grids, today=backend.today(), add_tab_hint=backend.add_tab_hint
    )
    return tables, issues, rows_read


def _quiet(_message: str) -> None:
    pass


def _run(
    backend: Backend, now: datetime | None, progress: Progress | None, write: bool
) -> SyncReport:
    progress = progress or _quiet
    started = time.perf_counter()
    now = (now or datetime.now()).replace(microsecond=0)
    tables, issues, rows_read = _read(backend, progress)
    progress("Computing")
    computed = compute_tabs(tables, issues, now)
    report = SyncReport(
        rows_read=rows_read,
        issues=computed.issues,
        as_of=tables.settings.as_of,
        kpis=computed.kpis,
    )
    if write:
        progress("Writing computed tabs")
        stats: WriteStats = backend.write(computed.outputs)
        report.tabs_written = stats.tabs_written
        report.cells_written = stats.cells_written
        report.requests = stats.requests
    report.seconds = time.perf_counter() - started
    return report


def sync_workbook(
    backend: Backend, *, now: datetime | None = None, progress: Progress | None = None
) -> SyncReport:
    """Read, validate, compute and write back every computed tab."""
    return _run(backend, now, progress, write=True)


def check_workbook(
    backend: Backend, *, now: datetime | None = None, progress: Progress | None = None
) -> SyncReport:
    """Validate and compute like a sync, but write nothing."""
    return _run(backend, now, progress, write=False)
