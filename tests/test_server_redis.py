"""Scaling out: a real redis-server, two `salesops worker` processes, one `serve --no-worker`."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
import requests

from tests.server_fixtures import (  # noqa: F401 - pytest fixtures
    Processes,
    edit,
    processes,
    redis_url,
    signed,
    wait_for,
)
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    service_account,
    sheets_emulator,
    sheets_private_key,
)
from tests.sheets_emulator.server import SheetsEmulator
from tests.sheets_emulator.state import RequestError
from tests.test_worker import funnel_amount, set_amount, small_book

SHEETS = [f"1RedisSheet{n:02d}abcdefghijklmnop" for n in range(20)]

pytestmark = pytest.mark.slow


def post_edit(url: str, spreadsheet_id: str) -> int:
    body, headers = signed(edit(spreadsheet_id))
    answer = requests.post(url + "/hooks/sheets-edit", data=body, headers=headers, timeout=10)
    return answer.status_code


def mid_recompute(running: Processes, worker: subprocess.Popen) -> str | None:
    """A spreadsheet this worker has started recomputing and not finished, if any."""
    started, finished = {}, set()
    for line in running.log_lines(worker):
        if line["event"] == "recompute started":
            started[line["lease"]] = line["spreadsheet_id"]
        elif line["event"] == "recompute":
            finished.add(line["lease"])
    unfinished = [sid for lease, sid in started.items() if lease not in finished]
    return unfinished[0] if unfinished else None


def test_two_workers_share_twenty_spreadsheets_and_a_killed_one_loses_nothing(
    processes: Processes,  # noqa: F811
    redis_url: str,  # noqa: F811
    sheets_emulator: SheetsEmulator,  # noqa: F811
    service_account,  # noqa: F811
):
    processes.env.update(
        {
            "SALESOPS_QUEUE": redis_url,
            "SALESOPS_GOOGLE_CREDENTIALS": str(service_account.key_path),
            "SALESOPS_SHEETS_API_URL": sheets_emulator.url,
            "SALESOPS_ALLOWED_SPREADSHEETS": ",".join(SHEETS),
        }
    )
    for sid in SHEETS:
        small_book(sheets_emulator, sid, 100)
    sheets_emulator.latency = 0.2  # widen every sync, so overlaps would show
    url = processes.serve("--no-worker")
    workers = [processes.start("worker", "--threads", "2") for _ in range(2)]
    for worker in workers:
        wait_for(lambda w=worker: "worker started" in processes.log(w), timeout=60)

    last: dict[str, int] = {}
    killed: str | None = None
    for burst in range(3):
        for sid in SHEETS:
            for edit_number in range(4):
                amount = 1000 * (burst + 1) + edit_number + SHEETS.index(sid) * 10
                set_amount(sheets_emulator, sid, amount)
                last[sid] = amount
                assert post_edit(url, sid) == 202
        if burst == 1:
            # Kill a worker in the middle of a recompute (it writes nothing more).
            victim = workers[0]
            killed = wait_for(lambda v=victim: mid_recompute(processes, v), timeout=60, every=0.02)
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
        time.sleep(1.5)

    def shows_last_edit(sid: str) -> bool:
        try:
            return funnel_amount(sheets_emulator, sid) == last[sid]
        except RequestError:  # no Funnel tab yet
            return False

    def all_done() -> bool:
        return all(shows_last_edit(sid) for sid in SHEETS) and (
            requests.get(url + "/healthz", timeout=5).json()["pending"] == 0
        )

    wait_for(all_done, timeout=240, every=0.5)
    for sid in SHEETS:
        assert sheets_emulator.overlapping_syncs(sid) == [], sid
    assert killed is not None
    survivor = [line for line in processes.log_lines(workers[1]) if line["event"] == "recompute"]
    assert any(line["spreadsheet_id"] == killed for line in survivor)
