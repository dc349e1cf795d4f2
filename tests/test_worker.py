"""Dispatch and recompute in process: real syncs through the Sheets emulator, real SQLite."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

import sync.engine
from sync.backends.sheets.auth import RetryPolicy
from sync.backends.sheets.backend import SheetsBackend
from sync.config import load_config
from sync.engine import sync_workbook
from sync.server.queue import RecomputeQueue, open_queue
from sync.server.status import status_view
from sync.server.worker import MAX_ATTEMPTS, dispatch_due, recompute
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import WRITE_ENDPOINTS, SheetsEmulator

SHEET = "1WorkerTestSheet0123456789"


def small_book(emulator: SheetsEmulator, spreadsheet_id: str, amount: float, shared=True) -> None:
    """A spreadsheet with one open deal of `amount` and a fixed As Of."""
    emulator.create(
        spreadsheet_id,
        {
            "Settings": [["Setting", "Value"], ["As Of", date(2026, 11, 2)]],
            "Pipeline": [
                ["Deal ID", "Deal", "Owner", "Stage", "Amount", "Created"],
                ["D-1", "Acme renewal", "Ana Ruiz", "Proposal", amount, date(2026, 9, 14)],
            ],
        },
        editors=(CLIENT_EMAIL,) if shared else (),
    )


def funnel_amount(emulator: SheetsEmulator, spreadsheet_id: str, stage: str = "Proposal"):
    """The Funnel's Amount for rep All at `stage`."""
    rows = emulator.values(spreadsheet_id, "Funnel")
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("Rep")] == "All" and row[header.index("Stage")] == stage:
            return row[header.index("Amount")]
    raise AssertionError(f"no All/{stage} row in {rows}")


def set_amount(emulator: SheetsEmulator, spreadsheet_id: str, amount: float) -> None:
    """The owner types a new Amount for D-1 (Pipeline E2, the Amount column)."""
    with emulator.lock:
        emulator.book(spreadsheet_id).sheet("Pipeline").set_value(1, 4, amount)


@pytest.fixture
def queue(sheets_env: SheetsEmulator, tmp_path: Path, monkeypatch) -> RecomputeQueue:
    monkeypatch.chdir(tmp_path)
    config = load_config(
        queue=f"sqlite:///{tmp_path / 'queue.sqlite3'}", debounce_seconds=3, lease_seconds=30
    )
    return open_queue(config)


def quick_sync(queue: RecomputeQueue, spreadsheet_id: str):
    """A real sync whose retries of Google's errors record their waits instead of sleeping."""
    retry = RetryPolicy(sleep=lambda _s: None, jitter=lambda: 0.5)
    return sync_workbook(SheetsBackend(spreadsheet_id, retry=retry))


def dispatched_tasks(queue: RecomputeQueue) -> list[tuple]:
    """The recompute tasks waiting in huey, as (spreadsheet id, lease token)."""
    return [task.args for task in queue.huey.pending()]


def test_nothing_is_dispatched_before_the_debounce(queue):
    now = time.time()
    queue.store.mark_edit(SHEET, now)
    assert dispatch_due(queue, now + 2.9) == []  # 3 s debounce not over
    assert dispatch_due(queue, now + 3.0) == [SHEET]
    assert [args[0] for args in dispatched_tasks(queue)] == [SHEET]
    # Dispatched under its lease: a second pass does not queue it twice.
    assert dispatch_due(queue, now + 3.5) == []
    assert len(dispatched_tasks(queue)) == 1


def test_a_lost_task_is_dispatched_again_when_its_lease_runs_out(queue):
    now = time.time()
    queue.store.mark_edit(SHEET, now)
    assert dispatch_due(queue, now + 3) == [SHEET]
    queue.huey.flush()  # the task is lost with the worker that took it
    assert dispatch_due(queue, now + 3 + 29) == []  # the 30 s lease still holds
    assert dispatch_due(queue, now + 3 + 30) == [SHEET]


def test_a_recompute_syncs_and_records_the_status(queue, sheets_env):
    small_book(sheets_env, SHEET, 12000)
    queue.store.mark_edit(SHEET, time.time() - 5)
    dispatch_due(queue)
    (sid, token), = dispatched_tasks(queue)
    assert recompute(queue, sid, token) == "synced"
    assert funnel_amount(sheets_env, SHEET) == 12000
    assert queue.store.pending() == []
    view = status_view(queue.store, SHEET, time.time())
    assert view["state"] == "idle" and view["last_error"] is None
    assert set(view["last_sync"]) == {"finished_at", "seconds", "errors", "warnings",
                                      "cells_written"}
    assert view["last_sync"]["cells_written"] > 0
    assert queue.store.lease_holder(SHEET, time.time()) is None  # released


def test_a_recompute_without_the_lease_does_nothing(queue, sheets_env):
    small_book(sheets_env, SHEET, 12000)
    queue.store.mark_edit(SHEET, time.time() - 5)
    assert recompute(queue, SHEET, "a-token-that-holds-nothing") == "lease lost"
    assert sheets_env.syncs(SHEET) == []
    assert len(queue.store.pending()) == 1


def test_a_spreadsheet_not_shared_stops_and_says_how_to_share_it(queue, sheets_env):
    small_book(sheets_env, SHEET, 12000, shared=False)
    queue.store.mark_edit(SHEET, time.time() - 5)
    dispatch_due(queue)
    (sid, token), = dispatched_tasks(queue)
    assert recompute(queue, sid, token) == "failed"
    assert queue.store.pending() == []  # permanent: not retried until the next edit
    assert status_view(queue.store, SHEET, time.time())["last_error"] == (
        f"No access to spreadsheet {SHEET}. Share the spreadsheet with {CLIENT_EMAIL} as an "
        "editor (Share button, paste the address, choose Editor)."
    )


def test_a_transient_failure_retries_with_backoff_then_gives_up(queue, sheets_env):
    small_book(sheets_env, SHEET, 12000)
    sheets_env.fail(503, times=float("inf"))
    queue.store.mark_edit(SHEET, time.time() - 5)
    outcomes = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (pending,) = queue.store.pending()
        token = f"t{attempt}"
        assert queue.store.acquire_lease(SHEET, token, 30, time.time())
        before = time.time()
        outcomes.append(recompute(queue, SHEET, token, sync=quick_sync))
        if outcomes[-1] == "retry":
            (pending,) = queue.store.pending()
            # 5 s doubling per failure, +-10 % jitter: 5, 10, 20, 40, 80 s
            expected = 5 * 2 ** (attempt - 1)
            assert 0.9 * expected <= pending.not_before - before <= 1.1 * expected + 1
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert queue.store.pending() == []
    assert status_view(queue.store, SHEET, time.time())["last_error"].endswith(
        f"(gave up after {MAX_ATTEMPTS} attempts; the next edit tries again)"
    )


def test_an_edit_during_a_recompute_schedules_exactly_one_more(queue, sheets_env):
    small_book(sheets_env, SHEET, 12000)
    queue.store.mark_edit(SHEET, time.time() - 5)
    dispatch_due(queue)
    (sid, token), = dispatched_tasks(queue)
    queue.huey.flush()

    def sync_then_edit(queue: RecomputeQueue, spreadsheet_id: str):
        report = quick_sync(queue, spreadsheet_id)
        set_amount(sheets_env, SHEET, 15000)  # the owner edits while it runs
        queue.store.mark_edit(SHEET, time.time())
        return report

    assert recompute(queue, sid, token, sync=sync_then_edit) == "synced"
    assert funnel_amount(sheets_env, SHEET) == 12000
    (pending,) = queue.store.pending()
    assert dispatch_due(queue, pending.last_at + 3) == [SHEET]
    (sid, token), = dispatched_tasks(queue)
    assert recompute(queue, sid, token) == "synced"
    assert funnel_amount(sheets_env, SHEET) == 15000
    assert queue.store.pending() == []
    assert dispatch_due(queue, time.time() + 60) == []


def test_a_long_burst_is_recomputed_30_seconds_after_its_first_edit(queue):
    start = time.time()
    for second in range(0, 30, 2):  # an edit every 2 s: never a 3 s pause
        queue.store.mark_edit(SHEET, start + second)
    # last edit at start + 28: the debounce alone would wait until start + 31
    assert dispatch_due(queue, start + 29.9) == []
    assert dispatch_due(queue, start + 30.0) == [SHEET]


def test_a_recompute_that_lost_its_lease_stops_before_writing(queue, sheets_env, monkeypatch):
    small_book(sheets_env, SHEET, 12000)
    queue.store.mark_edit(SHEET, time.time() - 5)
    dispatch_due(queue)
    (sid, token), = dispatched_tasks(queue)
    computed = sync.engine.compute_tabs

    def stalled(*args, **kwargs):
        # The worker stalls past its lease while it computes: another dispatch takes over.
        queue.store.release_lease(SHEET, token)
        assert queue.store.acquire_lease(SHEET, "the-next-recompute", 30, time.time())
        return computed(*args, **kwargs)

    monkeypatch.setattr(sync.engine, "compute_tabs", stalled)
    sheets_env.reset_counters()
    assert recompute(queue, sid, token) == "lease lost"
    endpoints = {call.endpoint for call in sheets_env.api_records()}
    assert endpoints and not endpoints & WRITE_ENDPOINTS  # read, never written
    assert len(queue.store.pending()) == 1  # the edit waits for the lease's new holder
    assert queue.store.lease_holder(SHEET, time.time()) == "the-next-recompute"
