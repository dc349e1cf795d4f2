"""The Stage Log keeps what the owner added: earlier rows and extra columns, on both backends."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync.backends.sheets.backend import SheetsBackend
from sync.backends.xlsx.backend import XlsxBackend
from sync.engine import sync_workbook
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

NOW = datetime(2026, 11, 26, 9, 0)  # serial 46352 + 9/24 = 46352.375
PIPELINE = [
    ["Deal ID", "Owner", "Stage", "Amount", "Created"],
    ["D-1", "Ana", "Proposal", 100, date(2026, 10, 1)],
    ["D-2", "Ana", "Qualified", 200, date(2026, 10, 1)],  # was Lead
    ["D-3", "Bo", "Lead", 300, date(2026, 11, 20)],  # new
]
SETTINGS = [["Setting", "Value"], ["As Of", date(2026, 11, 26)]]
# The owner added a Note column between To Stage and Changed At, and typed a date as text.
LOG = [
    ["Deal ID", "From Stage", "To Stage", "Note", "Changed At"],
    ["D-1", None, "Proposal", "called Ana", datetime(2026, 11, 1, 9, 0)],
    ["D-2", None, "Lead", "check", "last Tuesday"],
]


def workbook(path):
    book = openpyxl.Workbook()
    for index, (name, grid) in enumerate(
        [("Pipeline", PIPELINE), ("Settings", SETTINGS), ("Stage Log", LOG)]
    ):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name
        for row in grid:
            sheet.append(row)
    book.save(path)
    return path


def log_part(path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/worksheets/sheet3.xml")  # Stage Log, third tab


def split(xml: bytes) -> tuple[bytes, list[bytes], bytes]:
    """The part before <sheetData> (dimension blanked), its rows, the part after it."""
    head, rest = xml.split(b"<sheetData>", 1)
    rows, tail = rest.split(b"</sheetData>", 1)
    head = re.sub(rb'<dimension ref="[^"]*" ?/>', b"", head)
    return head, re.findall(rb"<row\b.*?</row>", rows, re.S), tail


def test_xlsx_stage_log_keeps_earlier_rows_and_owner_columns_byte_for_byte(tmp_path):
    path = workbook(tmp_path / "book.xlsx")
    before = log_part(path)
    sync_workbook(XlsxBackend(path), now=NOW)
    after = log_part(path)
    head, rows, tail = split(before)
    new_head, new_rows, new_tail = split(after)
    assert (new_head, new_rows[:3], new_tail) == (head, rows, tail)
    assert re.search(rb'<dimension ref="A1:E5" ?/>', after)
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Stage Log").to_python()
    assert values[:3] == [
        ["Deal ID", "From Stage", "To Stage", "Note", "Changed At"],
        ["D-1", "", "Proposal", "called Ana", datetime(2026, 11, 1, 9, 0)],
        ["D-2", "", "Lead", "check", "last Tuesday"],
    ]
    # The new rows go under the owner's headers, the Note cell left blank.
    assert values[3:] == [
        ["D-2", "Lead", "Qualified", "", NOW],
        ["D-3", "", "Lead", "", NOW],
    ]
    # A second sync has nothing new: the tab stays byte for byte.
    sync_workbook(XlsxBackend(path), now=NOW.replace(hour=11))
    assert log_part(path) == after


def test_sheets_stage_log_keeps_earlier_rows_and_owner_columns(
    sheets_env: SheetsEmulator,
) -> None:
    sheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    sheets_env.create(
        sheet,
        {"Pipeline": PIPELINE, "Settings": SETTINGS, "Stage Log": LOG},
        editors=(CLIENT_EMAIL,),
    )
    before = sheets_env.values(sheet, "Stage Log")
    sync_workbook(SheetsBackend(sheet), now=NOW)
    after = sheets_env.values(sheet, "Stage Log")
    assert after[:3] == before
    assert after[1][3:] == ["called Ana", before[1][4]]
    assert after[2][3:] == ["check", "last Tuesday"]
    # 2026-11-26 09:00 is serial 46352 + 9/24 = 46352.375
    assert after[3:] == [
        ["D-2", "Lead", "Qualified", None, 46352.375],
        ["D-3", None, "Lead", None, 46352.375],
    ]
    sync_workbook(SheetsBackend(sheet), now=NOW.replace(hour=11))
    assert sheets_env.values(sheet, "Stage Log") == after


@pytest.mark.libreoffice
def test_libreoffice_reads_the_appended_stage_log(tmp_path):
    from sync.backends.xlsx.read import read_tabs
    from tests.xlsx_support import convert

    path = workbook(tmp_path / "book.xlsx")
    sync_workbook(XlsxBackend(path), now=NOW)
    resaved = convert(path, "xlsx", tmp_path / "resaved")
    log = read_tabs(resaved, ["Stage Log"])["Stage Log"]
    assert [row[:4] for row in log[1:]] == [
        ["D-1", None, "Proposal", "called Ana"],
        ["D-2", None, "Lead", "check"],
        ["D-2", "Lead", "Qualified", None],
        ["D-3", None, "Lead", None],
    ]
    assert [row[4] for row in log[1:]] == [datetime(2026, 11, 1, 9, 0), "last Tuesday", NOW, NOW]
