"""`salesops import`: another tool's export appended to an input tab (SPEC section 9).

    from sync import open_backend
    from sync.imports import import_file

    report = import_file(open_backend(path="sales.xlsx"), "deals.csv", tab="Pipeline",
                         preset="hubspot-deals")
    print(report.summary)

`sources` reads the file, `presets` and `mapping` say which column goes where, `plan`
reads every value by the reader's rules and decides each row, and `append_xlsx` /
`append_sheets` write the new rows after the owner's last data row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sync.i18n import _, writing_in
from sync.imports.columns import CannotImportError
from sync.imports.mapping import ImportMap, MapFileError, load_map
from sync.imports.plan import ImportPlan, build_plan
from sync.imports.presets import PRESETS
from sync.imports.sources import SourceError, SourceTable, read_source

if TYPE_CHECKING:
    from sync.backends.base import Backend

IMPORT_TABS = ("Pipeline", "Orders", "Customers", "Team")
__all__ = [
    "IMPORT_TABS", "PRESETS", "CannotImportError", "ImportMap", "ImportPlan", "ImportReport",
    "MapFileError", "SourceError", "import_file", "load_map", "plan_import", "read_source",
]


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: SourceTable
    plan: ImportPlan
    preset: str
    written: bool
    dry_run: bool = False

    @property
    def appended(self) -> int:
        """Rows appended (or that would be)."""
        return len(self.plan.rows)

    @property
    def summary(self) -> str:
        """`Orders rows 2,041–2,240` (the rows to find or delete), or that nothing was."""
        plan = self.plan
        if not plan.rows:
            return (_("No rows would be appended to {tab}") if self.dry_run
                    else _("No rows appended to {tab}")).format(tab=plan.tab)
        rows = (_("row {first}") if len(plan.rows) == 1 else _("rows {first}–{last}")).format(
            first=f"{plan.first_row:,}", last=f"{plan.last_row:,}")
        return (_("{tab} {rows} would be appended") if self.dry_run
                else _("{tab} {rows} appended")).format(tab=plan.tab, rows=rows)


def plan_import(backend: Backend, source: SourceTable, *, tab: str, preset: str = "generic",
                import_map: ImportMap | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """Read the workbook's tab, settings and stages, and plan the import of `source`."""
    from sync.read.validate import find_grid, validate_workbook
    from sync.schema import tab_spec

    if tab not in IMPORT_TABS:
        raise CannotImportError(f"import adds rows to {', '.join(IMPORT_TABS)}, not {tab}")
    chosen = PRESETS.get(preset)
    if chosen is None:
        raise CannotImportError(
            f"there is no preset {preset!r}: use one of {', '.join(PRESETS)}"
        )
    if chosen.tab and chosen.tab != tab:
        raise CannotImportError(
            f"the {chosen.name} preset imports into {chosen.tab}: use --tab {chosen.tab}"
        )
    import_map = import_map or ImportMap()
    spec = tab_spec(tab)
    grids = backend.read([tab, "Settings", "Stages"])
    grid = find_grid(grids, spec)
    if grid is None:
        raise CannotImportError(
            f"{backend.label} has no {tab} tab: run `salesops init` to add the input tabs "
            "(existing tabs are kept), then import again"
        )
    tables, _issues = validate_workbook(
        {name: value for name, value in grids.items() if name in ("Settings", "Stages")},
        today=backend.today(), locale=getattr(backend, "default_locale", "en"),
    )
    from sync.read.columns import ReadContext

    context = ReadContext(date_format=import_map.date_format or tables.settings.date_format)
    skipped: list[tuple[int, str]] = []
    if chosen.reshape is not None:
        source, skipped = chosen.reshape(source)
    stages = tables.stages[["stage", "type"]].to_dict("records")
    locale = tables.settings.locale
    with writing_in(locale):  # the rows' problems in the workbook's language
        plan = build_plan(source, spec, grid, chosen, import_map, context=context,
                          stages=stages, reshaped_skips=skipped, progress=progress)
    plan.locale = locale
    return plan


def import_file(backend: Backend, source: str | Path | SourceTable, *, tab: str,
                preset: str = "generic", map_file: str | Path | None = None,
                dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Append the export at `source` to `tab` of the workbook (nothing written if `dry_run`)."""
    table = source if isinstance(source, SourceTable) else read_source(source)
    import_map = load_map(map_file) if map_file is not None else None
    plan = plan_import(backend, table, tab=tab, preset=preset, import_map=import_map,
                       progress=progress)
    written = False
    with writing_in(plan.locale):  # a refusal to write speaks the workbook's language
        written = _append(backend, plan, tab, dry_run)
    return ImportReport(source=table, plan=plan, preset=preset, written=written, dry_run=dry_run)


def _append(backend: Backend, plan: ImportPlan, tab: str, dry_run: bool) -> bool:
    """Write the planned rows after the tab's last data row; True when something was."""
    written = False
    if plan.rows and not dry_run:
        from sync.backends.sheets.backend import SheetsBackend
        from sync.backends.xlsx.backend import XlsxBackend

        if isinstance(backend, XlsxBackend):
            from sync.imports.append_xlsx import append_xlsx

            append_xlsx(backend.path, tab, plan.rows, plan.first_row)
        elif isinstance(backend, SheetsBackend):
            from sync.imports.append_sheets import append_sheets

            landed = append_sheets(backend, tab, plan.rows, plan.first_row)
            plan.first_row = landed
        else:
            raise CannotImportError(f"import cannot write to {backend.label}")
        written = True
    return written
