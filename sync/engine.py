"""One sync: read -> validate -> compute -> write plan -> write."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, partial
from importlib import import_module
from typing import Any

import pandas as pd

from sync.backends.base import Backend, WriteStats
from sync.collector import collector_paused
from sync.compute.as_of import tables_as_of
from sync.compute.dashboard import dashboard
from sync.compute.goals import SharedGoalFigures
from sync.compute.periods import SharedPeriodLabels
from sync.compute.revenue import revenue_lines
from sync.compute.segments import EarlyCustomerHistory
from sync.compute.stage_log import SharedStints, full_log, stage_changes
from sync.contract.plan import TabOutput
from sync.contract.tables import Issue, Tables
from sync.errors import MissingTabError
from sync.i18n import _, writing_in
from sync.schema import TabSpec, computed_tabs, input_tabs, tab_spec, tabs_read
from sync.write.dashboard_layout import dashboard_output
from sync.write.locale import localized
from sync.write.tabs import frame_output, goal_progress_output, issues_frame

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Kpi:
    """One Dashboard figure: its name, raw value and kind (`money`, `percent`, ...)."""

    name: str
    value: Any
    type: str


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
    kpis: list[Kpi] = field(default_factory=list)
    currency: str = "USD"
    locale: str = "en"  # the workbook's: what the CLI speaks when it reports on it
    # Wall seconds of each step (`read`, `validate`, `compute`, `write`) and, within
    # compute, of each computed tab (what `benchmarks/bench_sizes.py` reports).
    step_seconds: dict[str, float] = field(default_factory=dict)
    tab_seconds: dict[str, float] = field(default_factory=dict)

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
    """Every computed tab of one sync, before it is written, with what it was computed from."""

    tables: Tables
    issues: list[Issue]
    outputs: list[TabOutput]
    kpis: list[Kpi]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    revenue: pd.DataFrame | None = None
    # Wall seconds of each part of the computation: every computed tab (the Stage Log's
    # own step includes the As Of cut and the revenue lines; the stints Funnel and Deal
    # Health share count where first worked out; Customer Segments' includes its history,
    # worked out before the other tabs), and `write plan` for the TabOutputs.
    seconds: dict[str, float] = field(default_factory=dict)


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
                problem=_("The {tab} tab could not be computed ({error}). The other tabs are up "
                          "to date; please report this with your workbook.").format(
                    tab=name, error=f"{type(error).__name__}: {error}"),
            )
        )
        return fallback


@cache
def load_computations() -> None:
    """Import the module of every computed tab that names one (0.06 s): a sync does it
    before it reads, so that a command that started reading early (`sync.cli.read_early`)
    imports them while the workbook is parsed, not while it computes."""
    for spec in computed_tabs():
        if spec.compute is not None:
            import_module(spec.compute.module)


def _declared(spec: TabSpec, inputs: dict[str, Any]) -> tuple[pd.DataFrame, list[Issue]]:
    """A computed tab from the function its declaration names, handed the inputs it names."""
    assert spec.compute is not None
    function = getattr(import_module(spec.compute.module), spec.compute.function)
    result = function(*(inputs[name] for name in spec.compute.inputs))
    return result if isinstance(result, tuple) else (result, [])


def compute_tabs(tables: Tables, issues: list[Issue], now: datetime) -> Computed:
    """Every computed tab from validated tables (pure: no I/O).

    Rows dated after As Of are cut first. The tabs whose declaration names a `compute`
    function then run in their declared order; the Stage Log (appended to), the Dashboard
    (built from the others) and Data Issues (everything found) have their own steps.
    """
    with writing_in(tables.settings.locale):  # every sentence in the workbook's language
        return _compute_tabs(tables, issues, now)


def _compute_tabs(tables: Tables, issues: list[Issue], now: datetime) -> Computed:
    def empty(tab: str) -> pd.DataFrame:
        return pd.DataFrame(columns=tab_spec(tab).headers)

    issues = list(issues)
    currency = tables.settings.currency
    declared = [spec.tab for spec in computed_tabs() if spec.compute is not None]
    # Listed in the order the tabs are computed in; a tab's share may come in parts.
    seconds = dict.fromkeys(["Stage Log", *declared, "Dashboard", "write plan"], 0.0)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now_at = time.perf_counter()
        seconds[name] += now_at - clock
        clock = now_at

    # The Stage Log records what this sync sees, whatever As Of; every figure is as of As Of.
    new_log = _step(
        "Stage Log",
        issues,
        lambda: stage_changes(tables.pipeline, tables.stage_log, now),
        empty("Stage Log"),
    )
    stage_log = full_log(tables.stage_log, new_log)
    tables, cut_issues = tables_as_of(tables, stage_log)
    issues += cut_issues
    revenue = revenue_lines(tables)
    lap("Stage Log")
    # Funnel and Deal Health share the stints of every deal, worked out on first use.
    stints = SharedStints(tables.pipeline, stage_log, tables.settings.as_of)
    # Goal Progress and Goal Suggestions share the goal figures (each table indexed once),
    # Goal Suggestions and the Dashboard the period label of each revenue line.
    settings = tables.settings
    period_labels = SharedPeriodLabels(revenue, settings.period, settings.fiscal_year_start)
    # Customer Segments' history is worked out now and its purchase models start fitting on
    # the fitting process's core, while the tabs before it are computed here.
    customer_history = EarlyCustomerHistory(tables, revenue)
    customer_history.start()
    lap("Customer Segments")
    inputs: dict[str, Any] = {
        "tables": tables, "revenue": revenue, "stage_log": stage_log, "stints": stints,
        "goal_figures": SharedGoalFigures(tables, revenue), "period_labels": period_labels,
        "customer_history": customer_history,
    }
    frames: dict[str, pd.DataFrame] = {}
    tab_issues: list[Issue] = []
    for spec in computed_tabs():
        if spec.compute is None:
            continue
        frame, found = _step(
            spec.tab, issues, partial(_declared, spec, inputs), (empty(spec.tab), [])
        )
        frames[spec.tab] = frame
        tab_issues += found
        lap(spec.tab)
    issues += tab_issues
    data = _step(
        "Dashboard",
        issues,
        lambda: dashboard(
            tables, revenue, frames["Funnel"], frames["Deal Health"], frames["Goal Progress"],
            frames["Commissions"], frames["Customer Segments"], len(issues), period_labels,
        ),
        None,
    )
    lap("Dashboard")

    outputs = []
    kpis: list[Kpi] = []
    for spec in computed_tabs():
        if spec.tab == "Dashboard":
            if data is not None:
                frames[spec.tab] = data.kpis
                outputs.append(dashboard_output(data, currency))
                kpis = [
                    Kpi(row["KPI"], row["Value"], row["Type"]) for _, row in data.kpis.iterrows()
                ]
        elif spec.tab == "Goal Progress":
            outputs.append(goal_progress_output(frames[spec.tab], currency))
        elif spec.tab == "Commissions" and not tables.settings.commissions_visible:
            # Pay stays private: the shared tab is written with its headers only, so figures
            # written by an earlier sync disappear; each rep gets a statement instead.
            outputs.append(frame_output(spec.tab, empty(spec.tab), currency))
        elif spec.tab == "Data Issues":
            outputs.append(frame_output(spec.tab, issues_frame(issues), currency))
        elif spec.tab == "Stage Log":
            outputs.append(log_output(stage_log, len(new_log), currency))
        else:
            outputs.append(frame_output(spec.tab, frames[spec.tab], currency))
    locale = tables.settings.locale
    outputs = [localized(output, locale) for output in outputs]
    lap("write plan")
    return Computed(tables=tables, issues=issues, outputs=outputs, kpis=kpis, frames=frames,
                    revenue=revenue, seconds=seconds)


def log_output(stage_log: pd.DataFrame, appended: int, currency: str) -> TabOutput:
    """The Stage Log to write: the whole log, of which the last `appended` rows are new."""
    output = frame_output("Stage Log", stage_log, currency)
    output.appended = appended
    return output


def _refuse_without_input_tabs(backend: Backend, grids: dict[str, Any]) -> None:
    """A workbook with none of the input tabs is someone's other file, named by mistake."""
    from sync.read.validate import find_grid

    if any(find_grid(grids, spec) is not None for spec in input_tabs()):
        return
    # Sheets refuses a spreadsheet without a Pipeline tab itself, naming `init --sheet`.
    init = getattr(backend, "init_command", None) or "salesops init"
    names = ", ".join(spec.tab for spec in input_tabs())
    raise MissingTabError(
        _("{workbook} has none of the input tabs ({names}), so it was left as it is: check that "
          "it is your sales workbook. To set this one up, run `{init}`: it adds the input tabs "
          "and keeps every tab already there.").format(workbook=backend.label, names=names,
                                                        init=init)
    )


def _read(
    backend: Backend, progress: Progress, steps: dict[str, float] | None = None
) -> tuple[Tables, list[Issue], dict[str, int]]:
    from sync.backends.grid_shape import rows_with_values
    from sync.read import validate_workbook

    load_computations()
    operator = getattr(backend, "default_locale", "en")  # a stand-in backend may lack it
    with writing_in(operator):  # the workbook's own Locale is not known before it is read
        progress(_("Reading {workbook}").format(workbook=backend.label))
        started = time.perf_counter()
        names = [spec.tab for spec in input_tabs()]
        grids = backend.read(tabs_read())
        read_at = time.perf_counter()
        _refuse_without_input_tabs(backend, grids)
        rows_read = {name: rows_with_values(grids[name]) for name in names if name in grids}
        progress(_("Validating rows"))
    tables, issues = validate_workbook(
        grids, today=backend.today(), add_tab_hint=backend.add_tab_hint, locale=operator,
    )
    if steps is not None:
        steps["read"] = read_at - started
        steps["validate"] = time.perf_counter() - read_at
    return tables, issues, rows_read


def _quiet(_message: str) -> None:
    pass


@collector_paused()
def _run(
    backend: Backend, now: datetime | None, progress: Progress | None, write: bool
) -> SyncReport:
    progress = progress or _quiet
    started = time.perf_counter()
    now = (now or datetime.now()).replace(microsecond=0)
    steps: dict[str, float] = {}
    tables, issues, rows_read = _read(backend, progress, steps)
    with writing_in(tables.settings.locale):
        progress(_("Computing"))
    compute_at = time.perf_counter()
    computed = compute_tabs(tables, issues, now)
    steps["compute"] = time.perf_counter() - compute_at
    report = SyncReport(
        rows_read=rows_read,
        issues=computed.issues,
        as_of=tables.settings.as_of,
        kpis=computed.kpis,
        currency=tables.settings.currency,
        locale=tables.settings.locale,
        step_seconds=steps,
        tab_seconds=computed.seconds,
    )
    if write:
        with writing_in(report.locale):  # a refusal to write speaks the workbook's language
            progress(_("Writing computed tabs"))
            write_at = time.perf_counter()
            stats: WriteStats = backend.write(computed.outputs)
            steps["write"] = time.perf_counter() - write_at
        report.tabs_written = stats.tabs_written
        report.cells_written = stats.cells_written
        report.requests = stats.requests
    report.seconds = time.perf_counter() - started
    return report


@collector_paused()
def compute_workbook(
    backend: Backend, *, now: datetime | None = None, progress: Progress | None = None
) -> Computed:
    """Read and compute every figure as a sync would, writing nothing (for statements, digest).

    `frames` holds each computed tab's table as computed, the Commissions tab included even
    when `Commissions Visible` is No; `revenue` the revenue lines they were computed from.
    """
    progress = progress or _quiet
    now = (now or datetime.now()).replace(microsecond=0)
    tables, issues, _rows_read = _read(backend, progress)
    with writing_in(tables.settings.locale):
        progress(_("Computing"))
    return compute_tabs(tables, issues, now)


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
