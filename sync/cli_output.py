"""What the commands print about a workbook: key figures, the read/issues/written summary
and the data issues, in the language being spoken (the workbook's)."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from sync.i18n import _, current_locale

# rich and the tab declarations load when something is printed, not when `salesops` starts.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from sync.contract.tables import Issue
    from sync.engine import Kpi, SyncReport

WIDE_TERMINAL = 120  # narrower than this, or not a terminal: issues print as wrapped lines


def plural(count: int, noun: str) -> str:
    """`1 error`, `3 errors` (in the locale being spoken: `3 个错误`)."""
    one = {"error": _("{count} error"), "warning": _("{count} warning"),
           "API request": _("{count} API request"), "statement": _("{count} statement")}
    many = {"error": _("{count} errors"), "warning": _("{count} warnings"),
            "API request": _("{count} API requests"), "statement": _("{count} statements")}
    return (one if count == 1 else many)[noun].format(count=f"{count:,}")


def summary_table(report: SyncReport, *, wrote: bool) -> Table:
    """Rows read per tab, issues by severity, tabs written and the time it took."""
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(_("Read"),
                  _(", ").join(f"{tab} {count:,}" for tab, count in report.rows_read.items()))
    issues = _(", ").join([plural(report.error_count, "error"),
                           plural(report.warning_count, "warning")])
    if report.issues:
        issues += _(" (see the Data Issues tab)") if wrote else _(" (listed above)")
    table.add_row(_("Issues"), issues)
    if wrote:
        tabs = _(", ").join(report.tabs_written) or _("none (nothing changed)")
        sent = (_(" in {requests}").format(requests=plural(report.requests, "API request"))
                if report.requests else "")
        table.add_row(_("Wrote"), _("{tabs}: {cells} cells{sent}").format(
            tabs=tabs, cells=f"{report.cells_written:,}", sent=sent))
    table.add_row(_("As of"), report.as_of.isoformat())
    table.add_row(_("Time"), _("{seconds} s").format(seconds=f"{report.seconds:.2f}"))
    return table


def format_kpi(kpi: Kpi, currency: str) -> str:
    """A Dashboard figure as the terminal shows it: `$12,300`, `41.5%`, `7`, `-`."""
    from sync.contract.plan import CURRENCY_SYMBOLS

    value = kpi.value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kpi.type == "money":
        symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{abs(value):,.0f}"
    if kpi.type == "percent":
        return f"{value:.1%}"
    if kpi.type == "integer":
        return f"{int(round(value)):,}"
    if isinstance(value, int | float):
        return f"{value:,.1f}"
    return str(value)


def kpi_table(report: SyncReport) -> Table:
    """The Dashboard's key figures."""
    from rich.table import Table

    table = Table(title=_("Key figures"), title_justify="left")
    table.add_column(_("KPI"))
    table.add_column(_("Value"), justify="right")
    for kpi in report.kpis:
        table.add_row(_(kpi.name), format_kpi(kpi, report.currency))
    return table


def issue_line(issue: Issue) -> str:
    """One issue as a sentence: `Error  Orders row 2, Amount: "1.2k" is not ...`."""
    from sync.write.locale import column_label

    where = issue.tab if issue.row is None else _("{tab} row {row}").format(tab=issue.tab,
                                                                            row=issue.row)
    if issue.column:
        where = _("{where}, {column}").format(
            where=where, column=column_label(issue.tab, issue.column, current_locale()))
    if issue.value and issue.value not in issue.problem:
        where += _(' ("{value}")').format(value=issue.value)
    return f"{_(issue.severity):<8}" + _("{where}: {problem}").format(where=where,
                                                                      problem=issue.problem)


def print_issues(console: Console, report: SyncReport) -> None:
    """The issues as a table on a wide terminal, else as wrapped lines (pipes, 80 columns)."""
    from rich.text import Text

    if console.is_terminal and console.width >= WIDE_TERMINAL:
        console.print(issues_table(report))
        return
    console.print(_("Data issues"))
    width = max(console.width, 40)
    for issue in report.issues:
        text = Text(textwrap.fill(issue_line(issue), width=width, subsequent_indent=" " * 8,
                                  break_long_words=True, break_on_hyphens=False))
        text.stylize("red" if issue.severity == "Error" else "yellow", 0, len(_(issue.severity)))
        console.print(text, soft_wrap=True)


def issues_table(report: SyncReport) -> Table:
    """Every issue, as the Data Issues tab would list it."""
    from rich.table import Table

    from sync.schema import tab_spec
    from sync.write.locale import column_label

    table = Table(title=_("Data issues"), title_justify="left", show_lines=False)
    for header in tab_spec("Data Issues").columns:
        table.add_column(header.label(current_locale()), overflow="fold")
    for issue in report.issues:
        severity = (f"[red]{_('Error')}[/red]" if issue.severity == "Error"
                    else f"[yellow]{_('Warning')}[/yellow]")
        table.add_row(
            issue.tab, "" if issue.row is None else str(issue.row),
            column_label(issue.tab, issue.column, current_locale()),
            issue.value, severity, issue.problem,
        )
    return table
