"""Text that a spreadsheet would run as a formula arrives as text: every preset, both backends.

Each export below is in its preset's own format, with one row per dangerous start (`=`,
`+`, `-`, `@`, a tab, a carriage return) in every text column the preset imports.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pytest
from import_support import tab_rows, template

from sync.a1 import column_letter
from sync.backends.sheets.auth import RetryPolicy
from sync.backends.sheets.backend import SheetsBackend
from sync.backends.xlsx.backend import XlsxBackend
from sync.imports import import_file
from sync.schema import tab_spec
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

INJECTIONS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=2+2", "\r=3+3",
              '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0"]
SHEET = "1InjectionTestSheet0000000000000000000000"


def hubspot(text: str) -> dict[str, str]:
    return {"Record ID": text, "Deal Name": text, "Deal Stage": "Appointment Scheduled",
            "Create Date": "2026-01-05", "Deal owner": text,
            "Associated Company (Primary)": text, "Original Source Type": text}


def pipedrive(text: str) -> dict[str, str]:
    return {"Deal - ID": text, "Deal - Title": text, "Deal - Owner": text,
            "Deal - Organization": text, "Deal - Stage": "Qualified", "Deal - Status": "open",
            "Deal - Deal created": "2026-01-05 10:00:00", "Deal - Lost reason": text}


def salesforce(text: str) -> dict[str, str]:
    return {"Opportunity Owner": text, "Account Name": text, "Opportunity Name": text,
            "Stage": "Prospecting", "Amount": "100", "Created Date": "2026-01-05",
            "Lead Source": text, "Opportunity ID": text}


def shopify(text: str) -> dict[str, str]:
    return {"Name": text, "Email": "x@example.com", "Financial Status": "paid",
            "Paid at": "2026-03-01 10:00:00 -0500", "Total": "10.00",
            "Lineitem quantity": "1", "Lineitem name": text, "Billing Name": text}


def generic(text: str) -> dict[str, str]:
    return {"Customer": text, "Industry": text, "Region": text, "Owner": text,
            "Email": text}


PRESETS = {
    "hubspot-deals": ("Pipeline", hubspot, 5),
    "pipedrive-deals": ("Pipeline", pipedrive, 5),
    "salesforce-opportunities": ("Pipeline", salesforce, 5),
    "shopify-orders": ("Orders", shopify, 3),
    "generic": ("Customers", generic, 5),
}  # preset -> (tab, one export row, text columns each appended row must carry)


def export(folder: Path, preset: str) -> Path:
    _tab, row, _count = PRESETS[preset]
    rows = [row(text) for text in INJECTIONS]
    path = folder / f"{preset}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def assert_text_arrived(rows: list[list], preset: str) -> None:
    _tab, _row, count = PRESETS[preset]
    assert len(rows) == len(INJECTIONS)
    for text, row in zip(INJECTIONS, rows, strict=True):
        # The text arrives trimmed (as every cell is read), in every text column it feeds.
        assert sum(value == text.strip() for value in row) == count, row


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_on_xlsx(tmp_path: Path, preset: str) -> None:
    tab = PRESETS[preset][0]
    workbook = template(tmp_path)
    report = import_file(XlsxBackend(workbook), export(tmp_path, preset), tab=tab,
                         preset=preset)
    assert report.plan.unreadable == []
    assert_text_arrived(tab_rows(workbook, tab), preset)
    with zipfile.ZipFile(workbook) as package:
        sheets = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/")]
    for xml in sheets:
        assert not re.search(rb"<(?:\w+:)?f[ >]", xml)  # not one formula anywhere


@pytest.fixture
def book(sheets_env: SheetsEmulator) -> SheetsEmulator:
    """A spreadsheet with the template's headers on Pipeline, Orders and Customers."""
    sheets_env.create(SHEET, {
        name: [tab_spec(name).headers] for name in ("Pipeline", "Orders", "Customers")
    }, editors=(CLIENT_EMAIL,))
    return sheets_env


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_on_sheets(book: SheetsEmulator, tmp_path: Path, preset: str) -> None:
    tab = PRESETS[preset][0]
    backend = SheetsBackend(SHEET, retry=RetryPolicy(sleep=lambda _s: None))
    report = import_file(backend, export(tmp_path, preset), tab=tab, preset=preset)
    assert report.plan.unreadable == []
    values = book.values(SHEET, tab)
    assert_text_arrived(values[1:], preset)
    width = len(tab_spec(tab).headers)
    for row in range(2, len(INJECTIONS) + 2):
        for column in range(width):
            cell = book.cell(SHEET, tab, f"{column_letter(column)}{row}")
            assert "formulaValue" not in cell.get("userEnteredValue", {}), cell
