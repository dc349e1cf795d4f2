"""End to end: the add-on's own code, under Node with the Apps Script stand-ins, against a
real `salesops serve` (embedded worker) with the Sheets emulator behind it.

The stand-in spreadsheet the add-on runs in is not the emulated one: the test plays the
owner twice, typing the new Amount into the emulated spreadsheet and firing the add-on's
trigger for that cell, as Google would after the same keystroke.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.server_fixtures import (  # noqa: F401 - pytest fixtures
    SECRET,
    Processes,
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
from tests.test_addon import node_modules, run_addon  # noqa: F401 - pytest fixture
from tests.test_worker import funnel_amount, set_amount, small_book

SHEET = "1AddonEndToEndSheet0123456789"
OTHER_SHEET = "1NotOnTheServersList0123456789"

# A loaded 2-core machine runs the add-on's Node, the server and the emulator at once:
# waits are bounded but generous, and nothing asserts how long anything took.
RECOMPUTE_WAIT = 180.0

pytestmark = pytest.mark.slow


@dataclass
class Chain:
    """A running `salesops serve` (embedded worker) and the emulator behind it."""

    url: str
    processes: Processes
    emulator: SheetsEmulator

    def logged(self, event: str) -> list[dict]:
        """The server's JSON log lines of one event ("request", "recompute", ...)."""
        serve = self.processes.started[0]
        return [line for line in self.processes.log_lines(serve) if line["event"] == event]

    def answered(self, path: str) -> list[int]:
        """The HTTP status of each request the server answered on `path`, in order."""
        return [line["status"] for line in self.logged("request") if line["path"] == path]

    def status(self) -> dict[str, Any]:
        """GET /status/<id> signed with the right secret, straight from Python."""
        _, headers = signed(b"")
        answer = requests.get(f"{self.url}/status/{SHEET}", headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def funnel_shows(self, amount: float) -> bool:
        """True once the Funnel's All/Proposal Amount reads `amount`."""
        try:
            return bool(funnel_amount(self.emulator, SHEET) == amount)
        except (AssertionError, KeyError, ValueError):  # no Funnel tab or row yet
            return False


@pytest.fixture
def chain(processes, sheets_emulator, service_account, node_modules) -> Chain:  # noqa: F811
    """`salesops serve` pointed at the emulator, which holds SHEET with D-1 at 12,000."""
    processes.env.update(
        {
            "SALESOPS_GOOGLE_CREDENTIALS": str(service_account.key_path),
            "SALESOPS_SHEETS_API_URL": sheets_emulator.url,
            "SALESOPS_ALLOWED_SPREADSHEETS": SHEET,
            # The product's defaults: on a busy machine a pause in the lease keeper's
            # renewals, or in a burst of edits, must not look like a lost worker or a new burst.
            "SALESOPS_DEBOUNCE_SECONDS": "3",
            "SALESOPS_LEASE_SECONDS": "30",
        }
    )
    small_book(sheets_emulator, SHEET, 12000)
    return Chain(processes.serve(), processes, sheets_emulator)


def test_test_connection_connects_with_the_secret_and_a_clock_within_five_minutes(chain: Chain):
    for offset in ("0", "-200", "200"):  # Google's clock within the server's 300 s
        tested = run_addon(
            chain.url, SECRET, SHEET, "--test-connection", f"--clock-offset={offset}"
        )
        assert tested["outcome"] == {
            "ok": True,
            "kind": "connected",
            "message": "Connected: the server knows this spreadsheet.",
        }
    assert chain.answered(f"/status/{SHEET}") == [200, 200, 200]


def test_an_amount_edit_posted_by_the_add_on_changes_the_funnel_and_the_status(chain: Chain):
    before = run_addon(chain.url, SECRET, SHEET, "--status")["outcome"]
    assert before["problem"] == "" and before["server"]["last_sync"] is None

    for amount in (34500, 41000):
        set_amount(chain.emulator, SHEET, amount)  # the owner types it into Pipeline E2
        edit = run_addon(chain.url, SECRET, SHEET, "--tab", "Pipeline", "--range", "E2")
        assert (edit["outcome"]["status"], edit["outcome"]["state"]) == (202, "queued")
        (posted,) = edit["requests"]
        assert posted["url"] == f"{chain.url}/hooks/sheets-edit"
        notice = json.loads(posted["payload"])
        assert (notice["spreadsheet_id"], notice["sheet"], notice["range"]) == (
            SHEET,
            "Pipeline",
            "E2",
        )
        assert edit["toasts"] == [] and edit["last_refusal"] is None
        # One open deal, D-1 at Proposal: the Funnel's All/Proposal Amount is its Amount.
        wait_for(lambda a=amount: chain.funnel_shows(a), timeout=RECOMPUTE_WAIT)

    assert chain.answered("/hooks/sheets-edit") == [202, 202]  # both signatures verified
    wait_for(lambda: chain.status()["state"] == "idle", timeout=RECOMPUTE_WAIT)
    shown = run_addon(chain.url, SECRET, SHEET, "--status")["outcome"]
    assert shown["problem"] == "" and shown["connected"] is True
    assert shown["server"] == chain.status()
    last_sync = shown["server"]["last_sync"]
    # The fields Sidebar.html shows, as the real server names them.
    assert set(last_sync) == {"finished_at", "seconds", "errors", "warnings", "cells_written"}
    assert last_sync["errors"] == 0 and last_sync["cells_written"] > 0
    assert shown["server"]["last_error"] is None


@pytest.mark.parametrize(
    ("secret", "spreadsheet", "clock_offset", "kind", "message", "status", "reason"),
    [
        ("not-the-secret", SHEET, 0, "signature", "The server refused the secret.", 401,
         "signature"),
        (SECRET, SHEET, 900, "clock", "The server refused the time", 401, "clock"),
        (SECRET, SHEET, -900, "clock", "The server refused the time", 401, "clock"),
        (SECRET, OTHER_SHEET, 0, "forbidden", "The server does not allow this spreadsheet.",
         403, "spreadsheet not allowed on this server"),
    ],
    ids=["wrong secret", "clock 15 min ahead", "clock 15 min behind", "spreadsheet not allowed"],
)  # fmt: skip
def test_test_connection_names_what_the_server_refused(
    chain: Chain, secret, spreadsheet, clock_offset, kind, message, status, reason
):
    offset = f"--clock-offset={clock_offset}"
    tested = run_addon(chain.url, secret, spreadsheet, "--test-connection", offset)["outcome"]
    assert (tested["ok"], tested["kind"]) == (False, kind)
    assert tested["message"].startswith(message)
    assert chain.answered(f"/status/{spreadsheet}") == [status]

    # The same refusal on an edit: the server's own 401 reason reaches the add-on, which
    # tells the owner in a toast and remembers it for the status view, and queues nothing.
    edit = run_addon(chain.url, secret, spreadsheet, "--tab", "Pipeline", "--range", "E2", offset)
    assert (edit["outcome"]["status"], edit["outcome"]["reason"]) == (status, reason)
    assert edit["toasts"][0].startswith("Sales Ops did not recompute: " + message)
    assert edit["last_refusal"]["status"] == status
    assert chain.status()["state"] == "idle"
    assert chain.status()["last_sync"] is None


@pytest.mark.parametrize(
    "trigger",
    [("--change", "INSERT_ROW"), ("--change", "REMOVE_GRID"), ("--recompute",)],
    ids=["rows inserted", "tab removed", "Recompute now"],
)
def test_a_change_with_no_one_tab_posts_once_with_no_tab_and_is_recomputed(chain: Chain, trigger):
    set_amount(chain.emulator, SHEET, 23000)  # then the owner inserts a row, say
    changed = run_addon(chain.url, SECRET, SHEET, *trigger)
    assert (changed["outcome"]["status"], changed["outcome"]["state"]) == (202, "queued")
    (posted,) = changed["requests"]
    notice = json.loads(posted["payload"])
    assert (notice["spreadsheet_id"], notice["sheet"], notice["range"]) == (SHEET, "", "")
    # One open deal, D-1 at Proposal, now 23000: the Funnel's All/Proposal Amount.
    wait_for(lambda: chain.funnel_shows(23000), timeout=RECOMPUTE_WAIT)
    wait_for(lambda: chain.logged("recompute"), timeout=RECOMPUTE_WAIT)
    assert [(r["spreadsheet_id"], r["outcome"]) for r in chain.logged("recompute")] == [
        (SHEET, "synced")
    ]


def test_an_edit_of_an_input_tab_by_any_of_its_names_is_one_post_verified_and_queued(chain: Chain):
    # The add-on escapes a Chinese tab name as \uXXXX: the bytes it signs are the bytes the
    # server reads, and the server finds the tab as the reader does (case and spaces aside).
    # A2:Y201 is a paste of 25 columns x 200 rows = 5,000 cells: still one post.
    for tab, cells in (
        ("销售管道", "B2:D9"),
        ("  pipeline ", "F5"),
        ("Commission Plans", "A2:Y201"),
    ):
        edit = run_addon(chain.url, SECRET, SHEET, "--tab", tab, "--range", cells)
        assert (edit["outcome"]["status"], edit["outcome"]["state"]) == (202, "queued"), tab
        (posted,) = edit["requests"]
        notice = json.loads(posted["payload"])
        assert posted["payload"].isascii() and (notice["sheet"], notice["range"]) == (tab, cells)


# One server, then every trigger that must post nothing.
OUTSIDE_THE_INPUT_TABS = {
    "an edit of a computed tab": ("--tab", "Funnel", "--range", "C3"),
    "an edit of a computed tab by its Chinese name": ("--tab", "销售漏斗", "--range", "C3"),
    "an edit of Data Issues": ("--tab", "Data Issues", "--range", "A2"),
    "an edit of the owner's own tab": ("--tab", "My notes", "--range", "B7"),
    "a change that is an edit (the edit trigger posts it)": ("--change", "EDIT"),
    "a change of formatting": ("--change", "FORMAT"),
}


def test_an_edit_outside_the_input_tabs_posts_nothing(chain: Chain):
    for what, trigger in OUTSIDE_THE_INPUT_TABS.items():
        result = run_addon(chain.url, SECRET, SHEET, *trigger)
        assert (result["outcome"], result["requests"], result["toasts"]) == (None, [], []), what
    # The server saw no post at all, and has nothing queued.
    assert chain.answered("/hooks/sheets-edit") == []
    assert chain.status()["state"] == "idle"
