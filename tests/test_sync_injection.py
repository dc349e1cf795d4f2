"""Owner text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab, a
carriage return at its start) stays text in every computed tab that echoes it, on both
backends. One test per (backend, tab, column) path.

The workbook below puts such text in every text cell the computed tabs echo: rep names
(Team, Pipeline, Orders, Goals), deal ids and names, customers, stage names, plan names,
and a text Amount (echoed by Data Issues). Two syncs with a stage change between them fill
the Stage Log.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sync.backends.sheets.auth import RetryPolicy
from sync.backends.sheets.backend import SheetsBackend
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import create_template
from sync.engine import sync_workbook
from sync.schema import tab_spec
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    CLIENT_EMAIL,
    service_account,
    sheets_emulator,
    sheets_env,
    sheets_private_key,
)
from tests.sheets_emulator.server import SheetsEmulator

STARTS = ["=", "+", "-", "@", "\t", "\r"]
REPS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=2+2", "\r=3+3"]
STAGES = ["=Lead", "+Qualified", "-Proposal", "@Negotiation", "\t=Won", "\r=Lost"]
PLAN = '=HYPERLINK("http://evil.example","plan")'
BAD_AMOUNT = "=cmd|' /C calc'!A0"
SHEET = "1SyncInjectionSheet000000000000000000000"
FIRST = datetime(2026, 11, 20, 9, 0)
SECOND = datetime(2026, 11, 21, 9, 0)


def inputs(moved: bool = False) -> dict[str, list[list[Any]]]:
    """Every input tab (header row first); `moved` moves deal 0 one stage on."""
    stage_rows = [[STAGES[0], 1, 0.1, "Open"], [STAGES[1], 2, 0.25, "Open"],
                  [STAGES[2], 3, 0.5, "Open"], [STAGES[3], 4, 0.75, "Open"],
                  [STAGES[4], 5, 1, "Won"], [STAGES[5], 6, 0, "Lost"]]
    team = [[rep, f"rep{i}@example.com", "=Team", "", "", PLAN, date(2025, 1, 1), "Yes"]
            for i, rep in enumerate(REPS)]
    pipeline = []
    for i, rep in enumerate(REPS):
        stage = STAGES[1] if moved and i == 0 else STAGES[i % 4]
        pipeline.append([f"{rep}-deal", f"{STAGES[i]} deal", f"{rep} Inc", rep, stage,
                         1000 * (i + 1), date(2026, 6, 1), None, None, "=Product", "", "",
                         ""])
        pipeline.append([f"{rep}-won", f"{rep} won", f"{rep} Inc", rep, STAGES[4],
                         500 * (i + 1), date(2026, 5, 1), None, date(2026, 11, 2), "", "",
                         "", ""])
    pipeline.append(["=bad-amount", "bad", "x", REPS[0], STAGES[0], BAD_AMOUNT,
                     date(2026, 6, 1), None, None, "", "", "", ""])
    orders = [[f"{rep}-order", date(2026, 11, 3), f"{rep} Inc", 700 * (i + 1), "=Product", 1,
               rep, None] for i, rep in enumerate(REPS)]
    customers = [[f"{rep} Inc", "=Industry", "@Region", rep, "", 4, 9, date(2025, 1, 1)]
                 for rep in REPS]
    goals = [[rep, "Revenue", date(2026, 11, 1), date(2026, 11, 30), 5000, "", "", "=note"]
             for rep in REPS]
    plans = [[PLAN, 0, 1, 0.05, 0], [PLAN, 1, None, 0.1, 0]]
    return {
        "Settings": [["Setting", "Value"], ["As Of", date(2026, 11, 20)]],
        "Stages": [tab_spec("Stages").headers, *stage_rows],
        "Team": [tab_spec("Team").headers, *team],
        "Goals": [tab_spec("Goals").headers, *goals],
        "Pipeline": [tab_spec("Pipeline").headers, *pipeline],
        "Customers": [tab_spec("Customers").headers, *customers],
        "Orders": [tab_spec("Orders").headers, *orders],
        "Commission Plans": [tab_spec("Commission Plans").headers, *plans],
    }


PATHS = [  # (computed tab, column): each echoes owner text
    ("Deal Health", "Deal ID"), ("Deal Health", "Deal"), ("Deal Health", "Owner"),
    ("Deal Health", "Stage"),
    ("Funnel", "Rep"), ("Funnel", "Stage"),
    ("Customer Segments", "Customer"),
    ("Commissions", "Rep"), ("Commissions", "Explanation"),
    ("Goal Progress", "Owner"),
    ("Data Issues", "Value"), ("Data Issues", "Problem"),
    ("Stage Log", "Deal ID"), ("Stage Log", "From Stage"), ("Stage Log", "To Stage"),
]
COMPUTED = sorted({tab for tab, _ in PATHS} | {"Dashboard"})


def dangerous(value: Any) -> bool:
    return isinstance(value, str) and value[:1] in STARTS


# ---- xlsx ----------------------------------------------------------------------------


def write_inputs(path: Path, tabs: dict[str, list[list[Any]]]) -> None:
    """Put the input rows in the workbook as text cells (openpyxl would make `=` formulas)."""
    book = load_workbook(path)
    for name, rows in tabs.items():
        sheet = book[name]
        sheet.delete_rows(1, sheet.max_row)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"
    book.save(path)


def xlsx_result(folder: Path) -> tuple[dict[str, list[list[Any]]], list[str]]:
    """Computed tabs after two syncs, and the computed tabs whose XML holds a formula."""
    path = create_template(folder / "sales.xlsx")
    write_inputs(path, inputs())
    sync_workbook(XlsxBackend(path), now=FIRST)
    write_inputs(path, inputs(moved=True))
    sync_workbook(XlsxBackend(path), now=SECOND)
    book = load_workbook(path)
    grids = {tab: [list(row) for row in book[tab].values] for tab in COMPUTED}
    with zipfile.ZipFile(path) as package:
        names = sheet_parts(package)
        with_formulas = [tab for tab in COMPUTED
                         if re.search(rb"<(?:\w+:)?f[ >/]", package.read(names[tab]))]
    return grids, with_formulas


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Tab name -> its worksheet part, from workbook.xml and its relationships."""
    workbook = package.read("xl/workbook.xml").decode()
    rels = package.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    found = {}
    for name, rel in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets[rel].lstrip("/")
        found[name] = target if target.startswith("xl/") else f"xl/{target}"
    return found


# ---- Google Sheets -------------------------------------------------------------------


def sheets_result(emulator: SheetsEmulator) -> tuple[dict[str, list[list[Any]]], list[str]]:
    emulator.create(SHEET, inputs(), editors=(CLIENT_EMAIL,))
    retry = RetryPolicy(sleep=lambda _s: None)
    sync_workbook(SheetsBackend(SHEET, retry=retry), now=FIRST)
    with emulator.lock:  # the owner moves deal 0 on
        emulator.book(SHEET).sheet("Pipeline").set_value(1, 4, STAGES[1])
    sync_workbook(SheetsBackend(SHEET, retry=retry), now=SECOND)
    grids = {tab: emulator.values(SHEET, tab) for tab in COMPUTED}
    with_formulas = []
    for tab in COMPUTED:
        sheet = emulator.book(SHEET).sheet(tab)
        rows, columns = sheet.data_extent()
        for r in range(rows):
            for c in range(columns):
                entered = cell_entered(emulator, tab, r, c)
                if "formulaValue" in entered and tab not in with_formulas:
                    with_formulas.append(tab)
    return grids, with_formulas


def cell_entered(emulator: SheetsEmulator, tab: str, row: int, column: int) -> dict[str, Any]:
    from sync.a1 import column_letter

    entered: dict[str, Any] = emulator.cell(SHEET, tab, f"{column_letter(column)}{row + 1}").get(
        "userEnteredValue", {}
    )
    return entered


RESULTS: dict[str, tuple[dict[str, list[list[Any]]], list[str]]] = {}


@pytest.fixture
def xlsx_outcome(tmp_path: Path):
    if "xlsx" not in RESULTS:
        RESULTS["xlsx"] = xlsx_result(tmp_path)
    return RESULTS["xlsx"]


@pytest.fixture
def sheets_outcome(sheets_env: SheetsEmulator):  # noqa: F811
    if "sheets" not in RESULTS:
        RESULTS["sheets"] = sheets_result(sheets_env)
    return RESULTS["sheets"]


def check_path(outcome, tab: str, column: str) -> None:
    grids, with_formulas = outcome
    assert tab not in with_formulas, f"{tab} holds a formula"
    header, *rows = grids[tab]
    values = [row[header.index(column)] for row in rows if len(row) > header.index(column)]
    # Blank where there is nothing to say (a first stage has no From Stage), else text.
    assert values and all(isinstance(v, str) or v is None for v in values), (tab, values)
    if (tab, column) == ("Data Issues", "Problem"):
        # The problem quotes the owner's text inside its sentence.
        assert any(BAD_AMOUNT in value for value in values), values
    elif (tab, column) == ("Commissions", "Explanation"):
        # Arithmetic only (no owner text), which may contain = and - but never starts so.
        assert not any(dangerous(value) for value in values), values
    else:
        # The path is exercised: owner text with a dangerous start arrived, as text.
        assert any(dangerous(value) for value in values), (tab, column, values)


@pytest.mark.parametrize(("tab", "column"), PATHS, ids=[f"{t}-{c}" for t, c in PATHS])
def test_owner_text_stays_text_on_xlsx(xlsx_outcome, tab, column):
    check_path(xlsx_outcome, tab, column)


@pytest.mark.parametrize(("tab", "column"), PATHS, ids=[f"{t}-{c}" for t, c in PATHS])
def test_owner_text_stays_text_on_sheets(sheets_outcome, tab, column):
    check_path(sheets_outcome, tab, column)


def test_no_computed_tab_holds_a_formula(xlsx_outcome, sheets_outcome):
    assert xlsx_outcome[1] == [] and sheets_outcome[1] == []
