"""What an import shows the owner: the rows to append, the rows skipped, the values left out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from sync.read.cells import cell_text
from sync.schema import tab_spec

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
    with Progress(TextColumn("Reading rows"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("rows", total=total_rows)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _shown(value: Any) -> Text:
    """A value exactly as it is: `[red]` in an export is text, not console markup."""
    return Text(cell_text(value) if value is not None else "")


def _more(count: int) -> str:
    return f"… and {count - PREVIEW_ROWS:,} more" if count > PREVIEW_ROWS else ""


def report_view(report: ImportReport) -> RenderableType:
    """The summary, the first rows to append, the skipped rows and the unreadable values."""
    plan, source = report.plan, report.source
    parts: list[RenderableType] = []
    how = ", ".join(part for part in (source.encoding, source.separator and
                                      f"{source.separator}-separated") if part)
    parts.append(Text(f"Read {source.name}{f' ({how})' if how else ''}: "
                      f"{len(source.rows):,} rows, preset {report.preset}."))
    mapping = Table(title="Columns", title_justify="left")
    mapping.add_column(f"{plan.tab} column")
    mapping.add_column("from export column")
    for target, source_header in plan.columns.items():
        mapping.add_row(target, _shown(source_header))
    parts.append(mapping)
    if plan.rows:
        title = f"{plan.tab} rows {plan.first_row:,}–{plan.last_row:,} " + (
            "to append" if report.dry_run else "appended")
        rows = Table(title=title, title_justify="left", caption=_more(len(plan.rows)))
        rows.add_column("row", justify="right")
        positions = plan.positions
        preview = plan.rows[:PREVIEW_ROWS]
        shown = [h for h in tab_spec(plan.tab).headers if h in positions and any(
            positions[h] < len(cells) and cells[positions[h]] is not None for cells in preview)]
        for header in shown:
            rows.add_column(header, max_width=28)
        for offset, cells in enumerate(preview):
            values = [_shown(cells[positions[h]]) if positions[h] < len(cells) else ""
                      for h in shown]
            rows.add_row(f"{plan.first_row + offset:,}", *values)
        parts.append(rows)
    if plan.skipped:
        skipped = Table(title=f"Skipped: {len(plan.skipped):,} rows", title_justify="left",
                        caption=_more(len(plan.skipped)))
        skipped.add_column("source row", justify="right")
        skipped.add_column("why")
        for source_row, why in plan.skipped[:PREVIEW_ROWS]:
            skipped.add_row(f"{source_row:,}", _shown(why))
        parts.append(skipped)
    if plan.unreadable:
        left_out = len(plan.left_out)
        unreadable = Table(
            title=f"Values that cannot be read: {len(plan.unreadable):,} "
                  f"({left_out:,} row{'' if left_out == 1 else 's'} left out)",
            title_justify="left", caption=_more(len(plan.unreadable)))
        for name in ("source row", "column", "value", "problem", "row"):
            unreadable.add_column(name)
        for item in plan.unreadable[:PREVIEW_ROWS]:
            unreadable.add_row(f"{item.source_row:,}", item.column, _shown(item.value),
                               _shown(item.problem),
                               "left out" if item.row_left_out else "kept, value blank")
        parts.append(unreadable)
    if plan.not_in_tab:
        parts.append(f"The {plan.tab} tab has no {', '.join(plan.not_in_tab)} column: those "
                     "values are not imported; add the headers to import them.")
    if plan.unused:
        parts.append(Text(f"Export columns not imported: {', '.join(plan.unused)}."))
    parts.append(report.summary + (" (dry run: nothing written)" if report.dry_run else "") + ".")
    return Group(*parts)

