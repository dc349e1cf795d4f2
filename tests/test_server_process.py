"""A real `salesops serve` (waitress, embedded worker) on loopback, with the Sheets emulator."""

from __future__ import annotations

import signal
import time

import pytest
import requests

from tests.server_fixtures import (  # noqa: F401 - pytest fixtures
    edit,
    processes,
    signed,
    wait_for,
)
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    service_account,
    sheets_emulator,
    sheets_private_key,
)
from tests.sheets_emulator.server import SheetsEmulator
from tests.test_worker import funnel_amount, set_amount, small_book

SHEET = "1ServeTestSheet0123456789"

pytestmark = pytest.mark.slow


@pytest.fixture
def server(processes, sheets_emulator, service_account):  # noqa: F811
    """`salesops serve` with its embedded worker, pointed at the emulator."""
    processes.env.update(
        {
            "SALESOPS_GOOGLE_CREDENTIALS": str(service_account.key_path),
            "SALESOPS_SHEETS_API_URL": sheets_emulator.url,
            "SALESOPS_ALLOWED_SPREADSHEETS": SHEET,
            # The product's default: a pause in the burst shorter than this (a busy test
            # machine) cannot split it.
            "SALESOPS_DEBOUNCE_SECONDS": "3",
        }
    )
    small_book(sheets_emulator, SHEET, 12000)
    return processes.serve()


def post_edit(url: str, **fields) -> requests.Response:
    body, headers = signed(edit(SHEET, **fields))
    return requests.post(url + "/hooks/sheets-edit", data=body, headers=headers, timeout=10)


def status(url: str) -> dict:
    _, headers = signed(b"")
    return requests.get(f"{url}/status/{SHEET}", headers=headers, timeout=10).json()


def test_a_signed_edit_changes_the_funnel(server, sheets_emulator: SheetsEmulator):  # noqa: F811
    set_amount(sheets_emulator, SHEET, 34500)
    answer = post_edit(server)
    assert (answer.status_code, answer.json()["status"]) == (202, "queued")
    wait_for(lambda: status(server)["last_sync"] is not None, timeout=60)
    assert funnel_amount(sheets_emulator, SHEET) == 34500
    assert status(server)["state"] == "idle"
    assert status(server)["last_error"] is None


def test_fifty_edits_in_two_seconds_give_at_most_three_recomputes_and_the_last_wins(
    server, sheets_emulator: SheetsEmulator  # noqa: F811
):
    for n in range(50):
        set_amount(sheets_emulator, SHEET, 1000 + n)
        assert post_edit(server).status_code == 202
        time.sleep(2 / 50)
    wait_for(
        lambda: status(server)["state"] == "idle" and status(server)["last_sync"], timeout=60
    )
    syncs = sheets_emulator.syncs(SHEET)
    assert 1 <= len(syncs) <= 3
    assert funnel_amount(sheets_emulator, SHEET) == 1049


def test_sigterm_lets_the_running_recompute_finish(processes, server, sheets_emulator):  # noqa: F811
    serve = processes.started[0]
    wait_for(lambda: "worker started" in processes.log(serve))
    sheets_emulator.latency = 0.5  # each of the sync's calls takes half a second
    set_amount(sheets_emulator, SHEET, 777)
    assert post_edit(server).status_code == 202
    wait_for(lambda: status(server)["state"] == "running", every=0.05)
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(60) == 0
    events = [line["event"] for line in processes.log_lines(serve)]
    assert events.index("stopped") < events.index("worker stopped")
    (recomputed,) = [line for line in processes.log_lines(serve) if line["event"] == "recompute"]
    assert (recomputed["spreadsheet_id"], recomputed["outcome"]) == (SHEET, "synced")
    assert funnel_amount(sheets_emulator, SHEET) == 777


def test_an_edit_queued_before_a_restart_is_recomputed_after_it(
    processes, sheets_emulator, service_account  # noqa: F811
):
    processes.env.update(
        {
            "SALESOPS_GOOGLE_CREDENTIALS": str(service_account.key_path),
            "SALESOPS_SHEETS_API_URL": sheets_emulator.url,
            "SALESOPS_ALLOWED_SPREADSHEETS": SHEET,
        }
    )
    small_book(sheets_emulator, SHEET, 12000)
    url = processes.serve("--no-worker")  # nobody recomputes yet
    set_amount(sheets_emulator, SHEET, 4321)
    assert post_edit(url).status_code == 202
    serve = processes.started[0]
    serve.send_signal(signal.SIGKILL)  # the machine goes down
    serve.wait(10)
    assert sheets_emulator.syncs(SHEET) == []
    worker = processes.start("worker")  # back up: the queue file still holds the edit
    wait_for(lambda: "recompute" in [line["event"] for line in processes.log_lines(worker)])
    assert funnel_amount(sheets_emulator, SHEET) == 4321
