"""Grids in, validated `Tables` and `Data Issues` out: the reader's one entry point."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sync.contract.grid import Grid
from sync.contract.tables import (
    Issue,
    Tables,
    WorkbookSettings,
    default_stages,
    frame_from_columns,
)
from sync.i18n import _, current_locale, writing_in
from sync.read.cells import cell_text, is_blank
from sync.read.column_cells import read_columns
from sync.read.columns import ReadContext, read_cell
from sync.read.headers import match_headers
from sync.read.percents import decide_percent_points
from sync.read.rows import TabRows, read_rows
from sync.read.rules import (
    Directory,
    check_goal_owners,
    check_goal_periods,
    check_pipeline,
    check_references,
    check_refund_deals,
    check_stages,
    check_unique,
    not_a_customer,
    not_a_plan,
    not_a_rep,
)
from sync.read.settings import read_settings
from sync.read.shape import shape_issues
from sync.schema import ColumnSpec, TabSpec, input_tabs, tab_spec
from sync.schema.tabs import find_tab

STAGE_LOG = "Stage Log"
_ATTRIBUTES = {
    "Stages": "stages", "Team": "team", "Goals": "goals", "Pipeline": "pipeline",
    "Customers": "customers", "Orders": "orders", "Commission Plans": "commission_plans",
}


def find_grid(grids: dict[str, Grid], spec: TabSpec) -> Grid | None:
    """The grid of a tab, found by `sync.schema.tabs.find_tab`'s one rule."""
    name = find_tab(grids, spec)
    return grids[name] if name is not None else None


def _is_empty(grid: Grid) -> bool:
    return all(
        not isinstance(cells, list | tuple) or all(is_blank(cell) for cell in cells)
        for cells in grid
    )


# How an owner adds a template tab to a local workbook; a backend may say better.
ADD_TAB_HINT = (
    'add a tab with that name and its headers in row 1 ("salesops init new.xlsx" writes a '
    "template to copy it from)"
)


_INIT_HINT = re.compile(r'run "(salesops init [^"]+)" to add it \(your other tabs are kept\)')


def _hint(add_tab_hint: str) -> str:
    """A backend's hint in the locale being written (its command stays as typed)."""
    command = _INIT_HINT.fullmatch(add_tab_hint)
    if command is not None:
        return _('run "{command}" to add it (your other tabs are kept)').format(
            command=command[1])
    return _(add_tab_hint)


def _missing_tab(tab: str, add_tab_hint: str = ADD_TAB_HINT) -> Issue:
    return Issue(
        tab=tab, row=None, severity="Warning",
        problem=_("The {tab} tab is missing, so it is read as empty: {hint}").format(
            tab=tab, hint=_hint(add_tab_hint)),
    )


def read_tab(
    spec: TabSpec, grid: Grid | None, context: ReadContext, add_tab_hint: str = ADD_TAB_HINT
) -> TabRows:
    """Header matching and row reading of one tab (a missing tab reads as empty)."""
    if grid is None:
        return TabRows(issues=[_missing_tab(spec.tab, add_tab_hint)])
    if not isinstance(grid, list | tuple) or _is_empty(grid):
        return TabRows(issues=[Issue(
            tab=spec.tab, row=1, severity="Warning",
            problem=_('The {tab} tab is empty: type its headers in row 1 ("salesops init" '
                      "creates a tab with them)").format(tab=spec.tab),
        )])
    header_row = grid[0] if isinstance(grid[0], list | tuple) else [grid[0]]
    headers = match_headers(spec, list(header_row))
    rows = read_rows(spec, list(grid), headers, context)
    rows.issues[:0] = [*headers.issues, *shape_issues(spec, grid, headers)]
    decide_percent_points(spec, rows)
    return rows


def validate_workbook(
    grids: dict[str, list[list[Any]]], *, today: date, add_tab_hint: str | None = None,
    locale: str = "en",
) -> tuple[Tables, list[Issue]]:
    """Read and validate every input tab (and the Stage Log): tables plus Data Issues.

    `locale` is the operator's, for a workbook whose Settings name no Locale.

    `add_tab_hint` tells the owner how to add a missing template tab where the workbook
    lives (a Google spreadsheet says `salesops init --sheet ID`).
    """
    add_tab_hint = add_tab_hint or ADD_TAB_HINT
    settings_spec = tab_spec("Settings")
    settings_grid = find_grid(grids, settings_spec)
    settings, issues = read_settings(settings_grid, today=today, locale=locale)
    with writing_in(settings.locale):  # every problem below in the workbook's language
        if settings_grid is None:
            issues.insert(0, _missing_tab("Settings", add_tab_hint))
        else:
            issues[:0] = shape_issues(settings_spec, settings_grid, None)
        return _validate_tabs(grids, settings, issues, add_tab_hint)


def _validate_tabs(grids: dict[str, list[list[Any]]], settings: WorkbookSettings,
                   issues: list[Issue], add_tab_hint: str) -> tuple[Tables, list[Issue]]:
    context = ReadContext(date_format=settings.date_format)

    rows: dict[str, TabRows] = {}
    present: dict[str, bool] = {}
    for spec in input_tabs():
        if spec.tab == "Settings":
            continue
        grid = find_grid(grids, spec)
        present[spec.tab] = grid is not None
        rows[spec.tab] = read_tab(spec, grid, context, add_tab_hint)
        check_unique(spec, rows[spec.tab])

    frames = _apply_rules(rows, present)
    for spec in input_tabs():
        if spec.tab in rows:  # each tab's issues top to bottom, tab-wide ones first
            issues.extend(sorted(rows[spec.tab].issues, key=lambda issue: issue.row or 0))

    stage_log, log_issues = read_stage_log(grids.get(STAGE_LOG), context)
    issues.extend(log_issues)
    tables = Tables(settings=settings, **frames, stage_log=stage_log)
    return tables, issues


def _apply_rules(rows: dict[str, TabRows], present: dict[str, bool]) -> dict[str, pd.DataFrame]:
    """Cross-row and cross-tab rules, then one DataFrame per input tab."""
    stages_ok = check_stages(rows["Stages"], present["Stages"])
    if stages_ok:
        stages = rows["Stages"]
        order = stages.values("order")
        stages.keep(sorted(range(len(stages)), key=lambda position: order[position]))
        stages_frame = _frame("Stages", stages)
    else:
        stages_frame = default_stages(current_locale())  # a zh-CN workbook's Pipeline says 线索
    check_pipeline(rows["Pipeline"], stages_frame[["stage", "type"]].to_dict("records"))

    reps = Directory.of(rows["Team"], "rep", "Team")
    teams = Directory(rows["Team"].values("team"))
    customers = Directory.of(rows["Customers"], "customer", "Customers")
    plans = Directory.of(rows["Commission Plans"], "plan", "Commission Plans")
    deals = Directory.of(rows["Pipeline"], "deal_id", "Pipeline")

    check_references("Pipeline", rows["Pipeline"], "owner", "Owner", reps, not_a_rep, "Team")
    check_references("Orders", rows["Orders"], "rep", "Rep", reps, not_a_rep, "Team")
    for tab in ("Pipeline", "Orders"):
        check_references(tab, rows[tab], "customer", "Customer", customers, not_a_customer,
                         "Customers")
    check_references("Team", rows["Team"], "commission_plan", "Commission Plan", plans,
                     not_a_plan, "Commission Plans")
    check_goal_owners(rows["Goals"], reps, teams)
    check_goal_periods(rows["Goals"])
    check_refund_deals(rows["Orders"], deals)
    _respell_deal_ids(rows["Orders"], deals)

    frames = {
        attribute: _frame(tab, rows[tab])
        for tab, attribute in _ATTRIBUTES.items() if tab != "Stages"
    }
    frames["stages"] = stages_frame
    return frames


def _frame(tab: str, rows: TabRows) -> pd.DataFrame:
    return frame_from_columns(tab, rows.columns, rows.rows)


def _respell_deal_ids(orders: TabRows, deals: Directory) -> None:
    """Link refunds and sales to the deal's spelling (each distinct Deal ID looked up once)."""
    deal_ids = orders.values("deal_id")
    distinct = [deal_id for deal_id in set(deal_ids) if deal_id is not None]
    respelled = {deal_id: spelled
                 for deal_id, spelled in zip(distinct, deals.find_each(distinct), strict=True)
                 if spelled is not None and spelled != deal_id}
    if not respelled:
        return  # every Deal ID is spelled as in Pipeline, or matches no deal
    for position, deal_id in enumerate(deal_ids):
        if deal_id in respelled:
            deal_ids[position] = respelled[deal_id]


def _log_cell(
    column: ColumnSpec, value: Any, context: ReadContext, read: dict[tuple[str, type, Any], Any]
) -> Any:
    """One Stage Log cell, or None when it cannot be read; each distinct value read once
    (reading a text or date-time cell depends on nothing else, and warns nothing here)."""
    try:
        key = (column.field, type(value), value)
        if key in read:
            return read[key]
    except TypeError:  # an unhashable value: read it, remember nothing
        key = None
    try:
        typed = read_cell(column, value, context, lambda _: None)
    except Exception:  # the log is written back whole: keep the row, blank cell
        typed = None
    if key is not None:
        read[key] = typed
    return typed


def read_stage_log(grid: Grid | None, context: ReadContext) -> tuple[pd.DataFrame, list[Issue]]:
    """The Stage Log read back: deal_id, from_stage, to_stage, changed_at (datetime64), row.

    The log is append-only and written back whole, so no row is left out: a cell that
    cannot be read is kept blank, with a Warning. It is read column by column: the clean
    cells in bulk (`column_cells`), each other distinct value once.
    """
    spec = tab_spec(STAGE_LOG)
    issues: list[Issue] = []
    values: dict[str, list[Any]] = {column.field: [] for column in spec.columns}
    sheet_rows: list[int] = []
    if grid and isinstance(grid, list | tuple) and not _is_empty(grid):
        header_row = grid[0] if isinstance(grid[0], list | tuple) else [grid[0]]
        headers = match_headers(spec, list(header_row))
        issues.extend(headers.issues)
        table = read_columns(spec, list(grid), headers, context)
        kept = np.flatnonzero(table.kept)
        sheet_rows = (kept + 2).tolist()
        raw = {column.field: table.raw.column(column.field) for column in spec.columns}
        read: dict[tuple[str, type, Any], Any] = {}  # deal IDs, stages and sync times repeat
        for column in spec.columns:
            cells = table.kept_cells(column.field)
            for position in np.flatnonzero(table.slow_cells[column.field][kept]).tolist():
                cells[position] = _log_cell(column, raw[column.field][kept[position]],
                                            context, read)
            values[column.field] = cells
        issues.extend(_unread_log_cells(spec, values, sheet_rows, raw, kept))
    log = pd.DataFrame({name: pd.Series(values[name], dtype=object)
                        for name in ("deal_id", "from_stage", "to_stage")})
    log["changed_at"] = pd.to_datetime(pd.Series(values["changed_at"], dtype=object))
    log["row"] = pd.Series(sheet_rows, dtype="int64")
    return log, issues


def _unread_log_cells(spec: TabSpec, values: dict[str, list[Any]], sheet_rows: list[int],
                      raw: dict[str, list[Any]], kept: np.ndarray) -> list[Issue]:
    """A Warning for each blank or unreadable Deal ID and Changed At, row by row."""
    checked = [column for column in spec.columns if column.field in ("deal_id", "changed_at")]
    unread = sorted({position for column in checked
                     for position, cell in enumerate(values[column.field]) if cell is None})
    return [
        Issue(tab=STAGE_LOG, row=sheet_rows[position], column=column.header,
              value=cell_text(raw[column.field][kept[position]]), severity="Warning",
              problem=_("{column} is blank or unreadable, so reports ignore this change: "
                        "leave the Stage Log to the product").format(
                  column=column.label(current_locale())))
        for position in unread for column in checked if values[column.field][position] is None
    ]
