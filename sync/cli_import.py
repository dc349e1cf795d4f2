"""`salesops import`: another tool's export appended to an input tab (SPEC section 9)."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli import (
    CommandLineMistake,
    main,
    open_backend,
    sheet_option,
    stdout,
    user_errors,
    xlsx_path,
)
from sync.i18n import _, writing_in


@main.command(name="import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx workbook to append to.")
@sheet_option
@click.option("--tab", required=True,
              type=click.Choice(["Pipeline", "Orders", "Customers", "Team"], case_sensitive=False),
              help="The input tab that receives the rows.")
@click.option("--preset", default="generic", show_default=True,
              type=click.Choice(["hubspot-deals", "pipedrive-deals", "salesforce-opportunities",
                                 "shopify-orders", "generic"]),
              help="The tool the export comes from; generic matches headers by name.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="A YAML file mapping export columns and values "
                                   "(see docs/import.md).")
@click.option("--dry-run", is_flag=True, help="Show what would be appended and write nothing.")
def import_command(source: Path, path: Path | None, sheet: str | None, tab: str,
                   preset: str, map_file: Path | None, dry_run: bool) -> None:
    """Append another tool's export (.csv or .xlsx) to an input tab.

    Rows whose key is already in the tab are skipped and counted; values that cannot be
    read are listed with their source row. Existing rows are never changed. The summary
    names the rows appended, so you can find or delete them.

    Example: salesops import deals.csv --into sales.xlsx --tab Pipeline --preset hubspot-deals
    """
    from sync.imports import import_file, read_source
    from sync.imports.preview import progress_bar, report_view

    if path is None and sheet is None:
        raise CommandLineMistake(_("say where to import: --into PATH or --sheet ID."))
    tab = {"pipeline": "Pipeline", "orders": "Orders", "customers": "Customers",
           "team": "Team"}[tab.lower()]
    backend = open_backend(xlsx_path(path) if path is not None else None, sheet)
    with user_errors():
        table = read_source(source)
        with progress_bar(len(table.rows)) as progress:
            report = import_file(backend, table, tab=tab, preset=preset, map_file=map_file,
                                 dry_run=dry_run, progress=progress)
    with writing_in(report.plan.locale):
        stdout().print(report_view(report))
