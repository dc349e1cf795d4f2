"""`salesops import`: the dry-run preview, the summary, errors as `Error: ...`, exit codes."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from import_support import IMPORT_DATA, tab_rows, template
from rich.console import Console

from sync.cli import main
from sync.imports.preview import progress_bar


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No SALESOPS_ variables, a wide terminal, logging restored afterwards."""
    for name in list(os.environ):
        if name.upper().startswith("SALESOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_dry_run_previews_everything_and_writes_nothing(tmp_path: Path) -> None:
    workbook = template(tmp_path)
    before = workbook.read_bytes()
    result = run("import", str(IMPORT_DATA / "hubspot_deals.csv"), "--into", str(workbook),
                 "--tab", "Pipeline", "--preset", "hubspot-deals", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Read hubspot_deals.csv (UTF-8 with BOM, comma-separated): 6 rows" in out
    assert "Pipeline rows 2–6 to append" in out
    assert "Acme Corp - Annual licence" in out
    assert "Values that cannot be read: 2 (1 row left out)" in out
    assert '"1.5k" is not accepted as a number' in out
    assert "Export columns not imported: Pipeline, Deal Type." in out
    assert out.rstrip().endswith("Pipeline rows 2–6 would be appended (dry run: nothing written).")
    assert workbook.read_bytes() == before


def test_import_then_again_skips_and_counts(tmp_path: Path) -> None:
    workbook = template(tmp_path)
    args = ("import", str(IMPORT_DATA / "shopify_orders.csv"), "--into", str(workbook),
            "--tab", "orders", "--preset", "shopify-orders")
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert first.output.rstrip().endswith("Orders rows 2–6 appended.")
    second = run(*args)
    assert "Skipped: 6 rows" in second.output  # 5 order rows already there + 1 not paid
    assert second.output.rstrip().endswith("No rows appended to Orders.")
    assert len(tab_rows(workbook, "Orders")) == 5


@pytest.mark.parametrize(("args", "message"), [
    (["--tab", "Pipeline"], "Error: say where to import: --into PATH or --sheet ID."),
    (["--into", "book.xlsx", "--tab", "Orders", "--preset", "hubspot-deals"],
     "Error: the hubspot-deals preset imports into Pipeline: use --tab Pipeline"),
    (["--into", "missing.xlsx", "--tab", "Pipeline"], "Error: "),
    (["--into", "book.xlsx", "--tab", "Pipeline", "--map", "nomap.yaml"],
     "Error: nomap.yaml: cannot be read (No such file or directory); check the path"),
])
def test_mistakes_are_errors_with_exit_1(tmp_path: Path, args: list[str], message: str) -> None:
    template(tmp_path, "book.xlsx")
    result = run("import", str(IMPORT_DATA / "hubspot_deals.csv"), *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_help_documents_every_option() -> None:
    result = run("import", "--help")
    assert result.exit_code == 0
    for option in ("--into", "--sheet", "--tab", "--preset", "--map", "--dry-run",
                   "shopify-orders", "docs/import.md"):
        assert option in result.output


def test_progress_bar_only_on_a_terminal_and_a_large_file() -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True)
    with progress_bar(5000, terminal) as update:
        assert update is not None
        update(2500, 5000)
    with progress_bar(5000, Console(file=io.StringIO(), force_terminal=False)) as update:
        assert update is None
    with progress_bar(10, terminal) as update:
        assert update is None


def test_export_text_that_looks_like_console_markup_is_shown_as_it_is(tmp_path: Path) -> None:
    workbook = template(tmp_path)
    export = tmp_path / "[weird].csv"
    export.write_text("Deal ID,Deal,Stage,Created,Amount\nD-1,[/],Lead,2026-01-01,[red]x\n"
                      "D-2,[bold]big[/bold],Lead,2026-01-02,5\n", encoding="utf-8")
    result = run("import", str(export), "--into", str(workbook), "--tab", "Pipeline",
                 "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Read [weird].csv" in result.output
    assert "[/]" in result.output and "[bold]big[/bold]" in result.output
    assert "[red]x" in result.output
