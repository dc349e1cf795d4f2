"""A zh-CN Google spreadsheet: synced in Chinese, and its own computed tabs read back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sync.backends.sheets.backend import SheetsBackend
from sync.demo.workbook import demo_grids
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

SHEET = "1ZhCnAbCdEfGhIjKlMnOpQrStUvWxYz012345678"
NOW = datetime(2026, 11, 26, 9, 30)


def test_a_zh_cn_spreadsheet_is_synced_in_chinese_and_a_resync_changes_nothing(
    sheets_env: SheetsEmulator,  # noqa: F811 - fixture by name
) -> None:
    sheets_env.create(SHEET, demo_grids(today=date(2026, 11, 26), locale="zh-CN"),
                      editors=(CLIENT_EMAIL,))
    sync_workbook(SheetsBackend(SHEET), now=NOW)
    funnel = sheets_env.values(SHEET, "Funnel")
    assert funnel[0][:3] == [column.zh for column in tab_spec("Funnel").columns][:3]
    assert "全体" in [row[0] for row in funnel[1:]]
    issues = sheets_env.values(SHEET, "Data Issues")
    assert issues[0][:2] == ["工作表", "行"] and issues[1][4] == "错误"
    log = sheets_env.values(SHEET, "Stage Log")
    assert log[0] == tab_spec("Stage Log").headers  # a log that exists keeps its own headers
    # The second sync reads the Chinese Stage Log and its own tabs back: nothing to write.
    sheets_env.reset_counters()
    report = sync_workbook(SheetsBackend(SHEET), now=NOW + timedelta(hours=1))
    assert (report.cells_written, report.tabs_written) == (0, [])
    assert sheets_env.values(SHEET, "Stage Log") == log
