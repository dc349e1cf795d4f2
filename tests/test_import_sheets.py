"""Importing into a Google spreadsheet (the emulator, real gspread): one RAW values write."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from import_support import IMPORT_DATA

from sync.backends.sheets.auth import RetryPolicy
from sync.backends.sheets.backend import SheetsBackend
from sync.imports import import_file
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

SHEET = "1ImportTestSheet000000000000000000000000"
HEADERS = ["Deal ID", "Deal", "Customer", "Owner", "Stage", "Amount", "Created",
           "Expected Close", "Closed", "Product", "Region", "Source", "Lost Reason", "My notes"]
INJECTIONS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1",
              '=HYPERLINK("http://evil.example","x")']


@pytest.fixture
def book(sheets_env: SheetsEmulator) -> SheetsEmulator:
    """A spreadsheet whose Pipeline holds two deals and the owner's own notes column."""
    sheets_env.create(SHEET, {
        "Pipeline": [HEADERS,
                     ["D-1", "Acme", "Acme", "Ana Ruiz", "Proposal", 1200, date(2026, 1, 5),
                      None, None, None, None, None, None, "call back"],
                     ["9184410322", "Globex", "Globex", "Bo Chen", "Lead", 800,
                      date(2026, 1, 9)]],
        "Orders": [["Order ID", "Date", "Customer", "Amount", "Product"]],
        "Settings": [["Setting", "Value"], ["Currency", "USD"]],
    }, editors=(CLIENT_EMAIL,))
    return sheets_env


def backend() -> SheetsBackend:
    return SheetsBackend(SHEET, retry=RetryPolicy(sleep=lambda _s: None, jitter=lambda: 0.5))


def calls(emulator: SheetsEmulator, endpoint: str) -> int:
    return sum(1 for record in emulator.api_records() if record.endpoint == endpoint)


def test_hubspot_export_lands_after_the_last_row_in_one_write(book: SheetsEmulator) -> None:
    book.reset_counters()
    report = import_file(backend(), IMPORT_DATA / "hubspot_deals.csv", tab="Pipeline",
                         preset="hubspot-deals")
    # 6 source rows: 9184410322 is already on row 3, one has no Created: 4 appended.
    assert report.summary == "Pipeline rows 4–7 appended"
    assert report.plan.skipped == [(3, "Deal ID 9184410322 is already in the tab (row 3)")]
    assert calls(book, "values.update") == 1
    assert calls(book, "batchUpdate") == 0 and calls(book, "values.batchUpdate") == 0
    values = book.values(SHEET, "Pipeline")
    assert values[1][13] == "call back"  # the owner's rows are untouched
    assert values[3][:9] == ["9184410321", "Acme Corp - Annual licence", "Acme Corp",
                             "Ana Ruiz", "Won", 12500, "2026-01-09", None, "2026-03-14"]
    assert [row[0] for row in values[3:]] == ["9184410321", "9184410323", "9184410324",
                                              "9184410325"]


def test_a_write_that_landed_but_whose_answer_was_lost_is_not_repeated(
    book: SheetsEmulator, tmp_path: Path
) -> None:
    export = tmp_path / "team.csv"
    export.write_text("Deal ID,Stage,Created\nD-7,Lead,2026-02-01\nD-8,Won,2026-02-02\n",
                      encoding="utf-8")
    book.reset_counters()
    book.fail(503, endpoint="values.update", after_applying=True)
    report = import_file(backend(), export, tab="Pipeline")
    assert report.summary == "Pipeline rows 4–5 appended"
    assert calls(book, "values.update") == 1  # the retry read the tab and found the rows
    assert [row[0] for row in book.values(SHEET, "Pipeline")] == ["Deal ID", "D-1",
                                                                   "9184410322", "D-7", "D-8"]


def test_a_write_that_failed_is_sent_again_after_reading_the_tab(
    book: SheetsEmulator, tmp_path: Path
) -> None:
    export = tmp_path / "deals.csv"
    export.write_text("Deal ID,Stage,Created\nD-7,Lead,2026-02-01\n", encoding="utf-8")
    book.reset_counters()
    book.fail(500, endpoint="values.update")
    import_file(backend(), export, tab="Pipeline")
    assert calls(book, "values.update") == 2
    assert calls(book, "values.batchGet") >= 2  # the plan's read, then the retry's
    assert [row[0] for row in book.values(SHEET, "Pipeline")] == ["Deal ID", "D-1",
                                                                   "9184410322", "D-7"]


def test_a_tab_too_short_for_the_rows_grows_first(book: SheetsEmulator, tmp_path: Path) -> None:
    export = tmp_path / "orders.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Order ID", "Date", "Customer", "Amount"])
        writer.writerows([f"O-{n}", "2026-03-01", "Acme", n] for n in range(1, 1201))
    report = import_file(backend(), export, tab="Orders")
    assert report.summary == "Orders rows 2–1,201 appended"
    assert book.values(SHEET, "Orders")[-1] == ["O-1200", "2026-03-01", "Acme", 1200]


def test_dry_run_writes_nothing(book: SheetsEmulator) -> None:
    before = book.values(SHEET, "Pipeline")
    book.reset_counters()
    report = import_file(backend(), IMPORT_DATA / "hubspot_deals.csv", tab="Pipeline",
                         preset="hubspot-deals", dry_run=True)
    assert report.summary == "Pipeline rows 4–7 would be appended"
    assert calls(book, "values.update") == 0 and calls(book, "batchUpdate") == 0
    assert book.values(SHEET, "Pipeline") == before


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_arrives_as_text_on_sheets(book: SheetsEmulator, tmp_path: Path,
                                             text: str) -> None:
    export = tmp_path / "orders.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Order ID", "Date", "Customer", "Amount", "Product"],
                                      [text, "2026-03-01", text, "5", text]])
    import_file(backend(), export, tab="Orders")
    kept = text.strip()
    for a1 in ("A2", "C2", "E2"):
        cell = book.cell(SHEET, "Orders", a1)
        assert cell["userEnteredValue"] == {"stringValue": kept}  # text, never formulaValue


def test_rows_move_below_a_row_the_owner_added_while_the_import_ran(
    book: SheetsEmulator, tmp_path: Path
) -> None:
    from sync.imports import plan_import, read_source
    from sync.imports.append_sheets import append_sheets

    export = tmp_path / "deals.csv"
    export.write_text("Deal ID,Stage,Created\nD-7,Lead,2026-02-01\n", encoding="utf-8")
    sheets = backend()
    plan = plan_import(sheets, read_source(export), tab="Pipeline")
    assert plan.first_row == 4
    # The owner types a deal into row 4 after the plan read the tab; the write reads the
    # tab again first, and its retry (after a 503 that was not applied) once more.
    book.book(SHEET).sheet("Pipeline").set_value(3, 0, "D-OWNER")
    book.fail(503, endpoint="values.update")
    book.reset_counters()
    assert append_sheets(sheets, "Pipeline", plan.rows, plan.first_row) == 5
    assert calls(book, "values.update") == 2 and calls(book, "values.batchGet") == 2
    assert [row[0] for row in book.values(SHEET, "Pipeline")] == [
        "Deal ID", "D-1", "9184410322", "D-OWNER", "D-7"]


def test_the_command_imports_into_a_spreadsheet(book: SheetsEmulator, monkeypatch) -> None:
    from click.testing import CliRunner

    from sync.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    book.reset_counters()
    result = CliRunner().invoke(main, [
        "import", str(IMPORT_DATA / "pipedrive_deals.csv"), "--sheet", SHEET,
        "--tab", "Pipeline", "--preset", "pipedrive-deals"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("Pipeline rows 4–7 appended.")
    assert calls(book, "values.update") == 1
    assert [row[4] for row in book.values(SHEET, "Pipeline")[3:]] == [
        "Won", "Lost", "Proposal", "Qualified"]
