"""Template tabs are found by one rule, input and computed alike, on both backends."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync.backends.sheets.backend import SheetsBackend
from sync.backends.xlsx.backend import XlsxBackend
from sync.engine import sync_workbook
from sync.schema import computed_tabs
from sync.schema.tabs import find_tab
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

NOW = datetime(2026, 11, 26, 9, 30)
PIPELINE = [
    ["Deal ID", "Deal", "Owner", "Stage", "Amount", "Created"],
    ["D-1", "Acme renewal", "Ana Ruiz", "Proposal", 12000, date(2026, 9, 14)],
    ["D-2", "Globex", "Bo Chen", "Lead", 8000, date(2026, 8, 1)],
]
SETTINGS = [["Setting", "Value"], ["As Of", date(2026, 11, 26)]]
RENAMED = ["data issues ", "stage log", "funnel", " DASHBOARD"]


@pytest.mark.parametrize(
    ("names", "wanted", "found"),
    [
        (["Funnel", "funnel "], "Funnel", "Funnel"),  # the exact name first
        (["Pipeline", "stage log"], "Stage Log", "stage log"),
        (["data issues "], "Data Issues", "data issues "),
        (["  FUNNEL"], "Funnel", "  FUNNEL"),
        (["销售管道"], "Pipeline", "销售管道"),  # the zh-CN name
        (["Stage Logs"], "Stage Log", None),  # another name is not ours
        (["Stage  Log"], "Stage Log", None),  # spaces inside the name count
        (["Notes"], "notes", "Notes"),  # not a template tab: same rule, no zh-CN name
        ([], "Funnel", None),
    ],
)
def test_find_tab(names: list[str], wanted: str, found: str | None) -> None:
    assert find_tab(names, wanted) == found


def test_find_tab_takes_a_declaration() -> None:
    funnel = next(spec for spec in computed_tabs() if spec.tab == "Funnel")
    assert find_tab(["Pipeline", "funnel"], funnel) == "funnel"


def owner_workbook(path):
    book = openpyxl.Workbook()
    book.active.title = "Pipeline"
    for row in PIPELINE:
        book["Pipeline"].append(row)
    settings = book.create_sheet("Settings")
    for row in SETTINGS:
        settings.append(row)
    for name in RENAMED:
        book.create_sheet(name).append(["old"])
    book.save(path)
    return path


def titles(path) -> list[str]:
    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def values(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_xlsx_computed_tabs_renamed_by_case_or_spaces_are_rewritten_in_place(tmp_path):
    path = owner_workbook(tmp_path / "book.xlsx")
    sync_workbook(XlsxBackend(path), now=NOW)
    names = titles(path)
    # the owner's spellings stay, nothing is doubled, the missing computed tabs are added
    assert names[:6] == ["Pipeline", "Settings", *RENAMED]
    assert len({name.strip().casefold() for name in names}) == len(names)
    assert "Stage Log" not in names and "Funnel" not in names
    assert values(path, "funnel")[0][:2] == ["Rep", "Stage"]
    log = values(path, "stage log")
    assert [row[:3] for row in log] == [
        ["Deal ID", "From Stage", "To Stage"], ["D-1", "", "Proposal"], ["D-2", "", "Lead"],
    ]
    # a second sync reads the log from `stage log`, so it appends nothing
    sync_workbook(XlsxBackend(path), now=NOW.replace(hour=11))
    assert values(path, "stage log") == log
    assert titles(path) == names


def test_sheets_computed_tabs_renamed_by_case_or_spaces_are_rewritten_in_place(
    sheets_env: SheetsEmulator,
) -> None:
    sheet = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    sheets_env.create(
        sheet,
        {"Pipeline": PIPELINE, "Settings": SETTINGS, **{name: [["old"]] for name in RENAMED}},
        editors=(CLIENT_EMAIL,),
    )
    sync_workbook(SheetsBackend(sheet), now=NOW)
    names = [tab.title for tab in sheets_env.book(sheet).sheets]
    assert names[:6] == ["Pipeline", "Settings", *RENAMED]
    assert len({name.strip().casefold() for name in names}) == len(names)
    assert sheets_env.values(sheet, "funnel")[0][:2] == ["Rep", "Stage"]
    log = sheets_env.values(sheet, "stage log")
    assert [row[:3] for row in log] == [
        ["Deal ID", "From Stage", "To Stage"], ["D-1", None, "Proposal"], ["D-2", None, "Lead"],
    ]
    sync_workbook(SheetsBackend(sheet), now=NOW.replace(hour=11))
    assert sheets_env.values(sheet, "stage log") == log
