"""Google failing in the middle of a sync, through the emulator: a 5xx, a dropped connection
and a time-out inside a split `batchUpdate`; an access token that expires mid-sync; the
service account losing access mid-sync.

Each split write below is a large Customer Segments tab (two bodies or more) and a
Dashboard. After any fault the tabs hold the new figures once the write (or the next sync)
completes; nothing is added twice.
"""

from __future__ import annotations

import time

import pytest

from sync.contract.plan import PlanColumn, TabOutput
from sync.errors import SheetsApiError
from sync.server.status import status_view
from sync.server.worker import dispatch_due, recompute
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    CLIENT_EMAIL,
    service_account,
    sheets_emulator,
    sheets_env,
    sheets_private_key,
)
from tests.sheets_emulator.server import SheetsEmulator
from tests.test_sheets_backend import (  # noqa: F401 - the `book` fixture
    SHEET,
    backend,
    book,
    dashboard,
    no_wait,
)
from tests.test_worker import (  # noqa: F401 - the `queue` fixture
    dispatched_tasks,
    funnel_amount,
    queue,
    set_amount,
    small_book,
)


def segments(version: int) -> TabOutput:
    """6,000 rows of 10 text cells: over 2 MB, so the write is split into several bodies."""
    return TabOutput(
        name="Customer Segments",
        columns=[PlanColumn(f"Column {i}", "text", 12) for i in range(10)],
        rows=[[f"v{version} customer {r} field {c} " + "x" * 20 for c in range(10)]
              for r in range(6000)],
    )


def assert_written(emulator: SheetsEmulator, version: int) -> None:
    values = emulator.values(SHEET, "Customer Segments")
    assert len(values) == 6001
    assert values[1][0] == f"v{version} customer 0 field 0 " + "x" * 20
    assert values[6000][9] == f"v{version} customer 5999 field 9 " + "x" * 20
    titles = [sheet.title for sheet in emulator.book(SHEET).sheets]
    assert titles.count("Customer Segments") == 1 and titles.count("Dashboard") == 1
    assert len(emulator.book(SHEET).sheet("Dashboard").charts) == 1


def first_version(emulator: SheetsEmulator) -> None:
    sheets = backend()
    sheets.read(["Pipeline"])
    sheets.write([segments(1), dashboard()])
    assert_written(emulator, 1)
    assert emulator.calls["batchUpdate"] >= 2  # split: the faults below hit its middle
    emulator.reset_counters()


@pytest.mark.parametrize("code", [500, 502, 503])
def test_a_5xx_in_the_middle_of_a_split_write_is_retried_to_completion(book, code):  # noqa: F811
    first_version(book)
    book.fail(code, endpoint="batchUpdate", skip=1)  # the second body fails once
    sheets = backend()
    sheets.read(["Pipeline"])
    sheets.write([segments(2), dashboard()])
    assert_written(book, 2)


def test_a_5xx_that_lasts_is_completed_by_the_next_sync(book):  # noqa: F811
    first_version(book)
    book.fail(503, times=float("inf"), endpoint="batchUpdate", skip=1)
    sheets = backend()
    sheets.read(["Pipeline"])
    with pytest.raises(SheetsApiError, match="503"):
        sheets.write([segments(2), dashboard()])
    book.faults.clear()  # Google is back
    sheets = backend()
    sheets.read(["Pipeline"])
    sheets.write([segments(2), dashboard()])
    assert_written(book, 2)


def test_a_dropped_connection_in_the_middle_of_a_split_write(book):  # noqa: F811
    first_version(book)
    book.lose_answer(endpoint="batchUpdate", skip=1)  # applied, then the connection drops
    sheets = backend()
    sheets.read(["Pipeline"])
    sheets.write([segments(2), dashboard()])
    assert_written(book, 2)


def test_a_time_out_in_the_middle_of_a_split_write(book):  # noqa: F811
    first_version(book)
    book.lose_answer(endpoint="batchUpdate", skip=1, stall=2.0)  # answered after we gave up
    sheets = backend()
    sheets.client.http_client.timeout = (10.0, 0.5)
    sheets.read(["Pipeline"])
    sheets.write([segments(2), dashboard()])
    assert_written(book, 2)


def test_every_answer_after_the_first_dropped_still_leaves_the_whole_write(book):  # noqa: F811
    first_version(book)
    # Each later body is applied and its connection dropped: each retry reads the
    # spreadsheet again, finds what already landed and sends only the rest.
    book.lose_answer(times=float("inf"), endpoint="batchUpdate", skip=1)
    sheets = backend()
    sheets.read(["Pipeline"])
    sheets.write([segments(2), dashboard()])
    assert_written(book, 2)


def test_an_access_token_that_expires_mid_sync_is_refreshed_once(book):  # noqa: F811
    sheets = backend()
    sheets.read(["Pipeline"])
    assert book.calls["token"] == 1
    with book.lock:
        book.tokens.clear()  # Google forgets the token: the next call answers 401
    sheets.write([dashboard()])
    assert book.calls["token"] == 2  # one refresh, then the write went through
    assert len(book.book(SHEET).sheet("Dashboard").charts) == 1


def test_losing_access_mid_sync_is_a_clear_error_in_the_status_view(queue, sheets_env):  # noqa: F811
    small_book(sheets_env, SHEET, 12000)
    queue.store.mark_edit(SHEET, time.time() - 5)
    dispatch_due(queue)
    (sid, token), = dispatched_tasks(queue)
    # The owner removes the service account after the sync read the spreadsheet: its
    # write is refused with Google's own 403.
    sheets_env.fail(403, endpoint="batchUpdate", message="The caller does not have permission")
    assert recompute(queue, sid, token) == "failed"
    view = status_view(queue.store, SHEET, time.time())
    assert view["state"] == "idle"
    assert view["last_error"] == (
        f"No access to spreadsheet {SHEET}. Share the spreadsheet with {CLIENT_EMAIL} as an "
        "editor (Share button, paste the address, choose Editor)."
    )
    # Shared again, the next edit's recompute writes the figures.
    sheets_env.faults.clear()
    set_amount(sheets_env, SHEET, 15000)
    queue.store.mark_edit(SHEET, time.time() - 5)
    dispatch_due(queue)
    sid, token = dispatched_tasks(queue)[-1]  # the new dispatch
    assert recompute(queue, sid, token) == "synced"
    assert funnel_amount(sheets_env, SHEET) == 15000
    assert status_view(queue.store, SHEET, time.time())["last_error"] is None
