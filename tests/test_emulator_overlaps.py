"""The emulator tells one sync from another by its access token, and finds interleaved ones."""

from __future__ import annotations

from sync.backends.sheets import SheetsBackend
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    CLIENT_EMAIL,
    service_account,
    sheets_emulator,
    sheets_env,
    sheets_private_key,
)

SHEET = "1OverlapSheet0123456789"


def test_interleaved_sessions_overlap_and_sequential_ones_do_not(sheets_env):  # noqa: F811
    sheets_env.create(SHEET, {"Pipeline": [["Deal ID"], ["D-1"]]}, editors=(CLIENT_EMAIL,))
    first, second = SheetsBackend(SHEET), SheetsBackend(SHEET)
    first.metadata()
    second.metadata()  # starts while the first is still at work
    first.call(lambda http: http.values_batch_get(SHEET, ["Pipeline"]))
    assert len(sheets_env.syncs(SHEET)) == 2
    assert len(sheets_env.overlapping_syncs(SHEET)) == 1

    sheets_env.reset_counters()
    for backend in (SheetsBackend(SHEET), SheetsBackend(SHEET)):
        backend.metadata()
        backend.call(lambda http: http.values_batch_get(SHEET, ["Pipeline"]))
    assert len(sheets_env.syncs(SHEET)) == 2
    assert sheets_env.overlapping_syncs(SHEET) == []
