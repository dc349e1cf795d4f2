"""What an import shows the owner: the rows to append, the rows skipped, the values left out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from sync.i18n import _, current_locale
from sync.read.cells import cell_text
from sync.schema import tab_spec
from sync.write.locale import column_label

if TYPE_CHECKING:
    from sync.imports import ImportReport

PREVIEW_ROWS = 10  # rows of each list shown; the counts always cover them all
LARGE_FILE_ROWS = 2000  # from this size a progress bar is worth drawing


@contextmanager
def progress_bar(total_rows: int, console: Console | None = None
                 ) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for a large export, only on a terminal."""
    console = console or Console(stderr=True)
    if total_rows < LARGE_FILE_ROWS or not console.is_terminal:
        yield None
        return
    with Progress(TextColumn(_("Reading rows")), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("rows", total=total_rows)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _shown(value: Any) -> Text:
    """A value exactly as it is: `[red]` in an export is text, not console markup."""
    return Text(cell_text(value) if value is not None else "")


def _more(count: int) -> str:
    return (_("… and {count} more").format(count=f"{count - PREVIEW_ROWS:,}")
            if count > PREVIEW_ROWS else "")


def report_view(report: ImportReport) -> RenderableType:
    """The summary, the first rows to append, the skipped rows and the unreadable values."""
    plan, source = report.plan, report.source
    parts: list[RenderableType] = []
    how = _(", ").join(part for part in (source.encoding, source.separator and _(
        "{separator}-separated").format(separator=_(source.separator))) if part)
    parts.append(Text(_("Read {source}{how}: {rows} rows, preset {preset}.").format(
        source=source.name, how=_(" ({how})").format(how=how) if how else "",
        rows=f"{len(source.rows):,}", preset=report.preset)))
    mapping = Table(title=_("Columns"), title_justify="left")
    mapping.add_column(_("{tab} column").format(tab=plan.tab))
    mapping.add_column(_("from export column"))
    for target, source_header in plan.columns.items():
        mapping.add_row(column_label(plan.tab, target, current_locale()), _shown(source_header))
    parts.append(mapping)
    if plan.rows:
        title = (_("{tab} rows {first}–{last} to append") if report.dry_run
                 else _("{tab} rows {first}–{last} appended")).format(
            tab=plan.tab, first=f"{plan.first_row:,}", last=f"{plan.last_row:,}")
        rows = Table(title=title, title_justify="left", caption=_more(len(plan.rows)))
        rows.add_column(_("row"), justify="right")
        positions = plan.positions
        preview = plan.rows[:PREVIEW_ROWS]
        shown = [h for h in tab_spec(plan.tab).headers if h in positions and any(
            positions[h] < len(cells) and cells[positions[h]] is not None for cells in preview)]
        for header in shown:
            rows.add_column(column_label(plan.tab, header, current_locale()), max_width=28)
        for offset, cells in enumerate(preview):
            values = [_shown(cells[positions[h]]) if positions[h] < len(cells) else ""
                      for h in shown]
            rows.add_row(f"{plan.first_row + offset:,}", *values)
        parts.append(rows)
    if plan.skipped:
        skipped = Table(title=_("Skipped: {count} rows").format(count=f"{len(plan.skipped):,}"),
                        title_justify="left", caption=_more(len(plan.skipped)))
        skipped.add_column(_("source row"), justify="right")
        skipped.add_column(_("why"))
        for source_row, why in plan.skipped[:PREVIEW_ROWS]:
            skipped.add_row(f"{source_row:,}", _shown(why))
        parts.append(skipped)
    if plan.unreadable:
        left_out = len(plan.left_out)
        unreadable = Table(
            title=(_("Values that cannot be read: {count} ({left_out} row left out)")
                   if left_out == 1 else
                   _("Values that cannot be read: {count} ({left_out} rows left out)")).format(
                count=f"{len(plan.unreadable):,}", left_out=f"{left_out:,}"),
            title_justify="left", caption=_more(len(plan.unreadable)))
        for name in (_("source row"), _("column"), _("value"), _("problem"), _("row")):
            unreadable.add_column(name)
        for item in plan.unreadable[:PREVIEW_ROWS]:
            unreadable.add_row(f"{item.source_row:,}",
                               column_label(plan.tab, item.column, current_locale()),
                               _shown(item.value), _shown(item.problem),
                               _("left out") if item.row_left_out else _("kept, value blank"))
        parts.append(unreadable)
    if plan.not_in_tab:
        parts.append(_("The {tab} tab has no {columns} column: those values are not imported; "
                       "add the headers to import them.").format(
            tab=plan.tab, columns=_(", ").join(
                column_label(plan.tab, name, current_locale()) for name in plan.not_in_tab)))
    if plan.unused:
        parts.append(Text(_("Export columns not imported: {columns}.").format(
            columns=_(", ").join(plan.unused))))
    parts.append(_("{summary}.").format(summary=report.summary + (
        _(" (dry run: nothing written)") if report.dry_run else "")))
    return Group(*parts)

