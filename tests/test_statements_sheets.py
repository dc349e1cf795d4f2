"""Pay kept private on Google Sheets: `Commissions Visible = No` empties the shared tab."""

from __future__ import annotations

from datetime import date, datetime

from sync.backends.sheets.backend import SheetsBackend
from sync.demo.workbook import demo_grids
from sync.engine import sync_workbook
from sync.statements import make_statements
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    CLIENT_EMAIL,
    service_account,
    sheets_emulator,
    sheets_env,
    sheets_private_key,
)
from tests.test_statements import figure, pdf_text

SHEET = "1PrivatePayPrivatePayPrivatePay000000"


def test_an_owner_hides_commissions_and_reps_get_statements(sheets_env, tmp_path):  # noqa: F811
    grids = demo_grids(size=1, seed=7, today=date(2026, 11, 28))
    book = sheets_env.create(SHEET, grids, editors=(CLIENT_EMAIL,))
    now = datetime(2026, 11, 28, 9, 0)
    sync_workbook(SheetsBackend(SHEET), now=now)
    shared = sheets_env.values(SHEET, "Commissions")
    assert len(shared) > 1 and shared[0][:2] == ["Rep", "Period"]
    ana = next(row for row in shared if row[0] == "Ana Ruiz" and row[1] == "2026-Q4")

    # The owner types No next to Commissions Visible, as in the Settings tab of the sheet.
    settings = book.sheet("Settings")
    [row] = [r for r in range(len(grids["Settings"])) if grids["Settings"][r][0] ==
             "Commissions Visible"]
    settings.set_value(row, 1, "No")
    sync_workbook(SheetsBackend(SHEET), now=now)
    assert sheets_env.values(SHEET, "Commissions") == [shared[0]]  # the figures are gone

    written = make_statements(SheetsBackend(SHEET), tmp_path)
    [statement] = [item for item in written if item.statement.rep == "Ana Ruiz"]
    # the payout the shared tab showed before, now only in Ana's own statement
    assert figure(pdf_text(statement.path), "Payout (USD)") == f"{ana[8]:,.2f}"
