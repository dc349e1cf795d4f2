"""The Goal Suggestions tab as a sync writes it: a local .xlsx and a Google spreadsheet."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sync import sync_workbook
from sync.backends.sheets.backend import SheetsBackend
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.schema import tab_spec
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

SHEET = "1GoalSuggestionsSheet000000000000000000000"
NOW = datetime(2026, 11, 30, 9, 30)
GRIDS = {
    "Settings": [["Setting", "Value"], ["Currency", "EUR"], ["As Of", "2026-11-30"]],
    "Team": [["Rep", "Team"], ["Ana Ruiz", "East"], ["Bo Chen", "East"]],
    "Orders": [
        ["Order ID", "Date", "Customer", "Amount", "Rep"],
        ["O-1", "2026-10-01", "Acme", 2000, "Ana Ruiz"],
        ["O-2", "2026-11-05", "Acme", 4000, "Ana Ruiz"],
        ["O-3", "2026-10-06", "Zed", 1000, "Bo Chen"],
        ["O-4", "2026-11-06", "Zed", 2000, "Bo Chen"],
    ],
    "Pipeline": [["Deal ID", "Owner", "Stage", "Amount", "Created"]],
    "Goals": [
        ["Owner", "Metric", "Period Start", "Period End", "Target"],
        ["East", "Revenue", "2026-12-01", "2026-12-31", 1000.01],
    ],
}
# History 2026-10 .. 2026-11 (October is the first whole month of records): Ana 6,000 and
# Bo 3,000. East's 1,000.01 = 100,001 cents: Ana x 6/9 = 66,667.33, Bo x 3/9 = 33,333.67;
# the cent left over goes to Bo (.67 > .33): Ana 666.67, Bo 333.34.
EXPECTED = [
    ["Ana Ruiz", "Revenue", None, None, date(2026, 12, 1), date(2026, 12, 31), 666.67],
    ["Bo Chen", "Revenue", None, None, date(2026, 12, 1), date(2026, 12, 31), 333.34],
]
ANA_BASIS = (
    "East's Revenue goal 1,000.01 for 2026-12 split by share of revenue in the last 2 "
    "periods (2026-10 to 2026-11): 1,000.01 x 6,000 / 9,000 = 666.67 (largest-remainder "
    "rounding to the cent); from history alone 3,333.33: the last 2 periods, the latest "
    "counting twice (less than two years of history): (2026-10 2,000 + 2 x 2026-11 4,000) / "
    "3 = 3,333.33; Low and High: 3,333.33 -/+ 1,000, the standard deviation of the last 2 "
    "periods"
)


def test_an_xlsx_sync_writes_the_tab_after_goal_progress(tmp_path: Path) -> None:
    path = write_input_workbook(tmp_path / "book.xlsx", GRIDS)
    report = sync_workbook(XlsxBackend(path), now=NOW)
    tabs = report.tabs_written
    assert tabs.index("Goal Suggestions") == tabs.index("Goal Progress") + 1
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Goal Suggestions").to_python()
    assert rows[0] == tab_spec("Goal Suggestions").headers
    written = [[cell if cell != "" else None for cell in row[:7]] for row in rows[1:]]
    assert written == EXPECTED
    ana = rows[1]
    # Ana's 2,000 and 4,000: standard deviation 1,000, not more than 0.4 x their average
    # 3,000 = 1,200, so (2,000 + 2 x 4,000) / 3 = 3,333.33; High 3,333.33 + 1,000, Low
    # 2,333.33 widened to the split's 666.67
    assert (ana[7], ana[8]) == (666.67, 4333.33)
    assert ana[9] == ANA_BASIS


def test_a_sheets_sync_writes_the_tab_with_money_formats(sheets_env: SheetsEmulator) -> None:
    sheets_env.create(SHEET, GRIDS, editors=(CLIENT_EMAIL,))
    sync_workbook(SheetsBackend(SHEET), now=NOW)
    rows = sheets_env.values(SHEET, "Goal Suggestions")
    assert rows[0] == tab_spec("Goal Suggestions").headers
    assert [row[0] for row in rows[1:]] == ["Ana Ruiz", "Bo Chen"]
    assert sheets_env.cell(SHEET, "Goal Suggestions", "G2")["formattedValue"] == "€666.67"
    assert sheets_env.cell(SHEET, "Goal Suggestions", "G3")["formattedValue"] == "€333.34"
    assert sheets_env.cell(SHEET, "Goal Suggestions", "E2")["formattedValue"] == "2026-12-01"
    assert rows[1][9] == ANA_BASIS


@pytest.mark.parametrize("tab", ["Goal Suggestions"])
def test_the_tab_has_a_chinese_name_and_labels(tab: str) -> None:
    spec = tab_spec(tab)
    assert spec.zh == "目标建议"
    assert all(column.zh for column in spec.columns)
