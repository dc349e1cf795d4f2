"""A write whose answer is lost may have been applied: it is completed, never repeated."""

from __future__ import annotations

from datetime import datetime

import pytest

from sync.contract.plan import PlanColumn, TabOutput
from sync.errors import SheetsApiError
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator
from tests.test_sheets_backend import (  # noqa: F401 - the `book` fixture
    SHEET,
    backend,
    batch_bodies,
    book,
    dashboard,
    funnel,
    no_wait,
    stage_log,
)


def titles(emulator: SheetsEmulator) -> list[str]:
    return [sheet.title for sheet in emulator.book(SHEET).sheets]


def request_kinds(emulator: SheetsEmulator) -> list[list[str]]:
    """The request kinds of each batchUpdate body received, in order."""
    return [[next(iter(r)) for r in body["requests"]] for body in batch_bodies(emulator)]


def test_a_write_applied_but_unanswered_is_not_sent_again(book: SheetsEmulator) -> None:  # noqa: F811
    book.lose_answer(endpoint="batchUpdate")  # applied, then the connection drops
    retry = no_wait()
    sheets = backend(retry)
    sheets.read(["Pipeline"])
    stats = sheets.write([dashboard(), funnel()])
    # The spreadsheet was read again: both tabs and the chart were there, nothing was left
    # to send, so no second addSheet or addChart (which Google refuses: "already exists").
    assert [kinds.count("addSheet") for kinds in request_kinds(book)] == [2]
    assert [kinds.count("addChart") for kinds in request_kinds(book)] == [1]
    assert book.calls["get"] == 2 and book.calls["batchUpdate"] == 1
    assert titles(book) == ["Pipeline", "Settings", "Dashboard", "Funnel"]
    assert len(book.book(SHEET).sheet("Dashboard").charts) == 1
    assert book.values(SHEET, "Funnel")[1] == ["All", "Stage 0", 3, 0, 1]
    # One wait before reading again: 2^0 s + the random part (0.5 s).
    assert retry.waits == [1.5]
    assert stats.tabs_written == ["Dashboard", "Funnel"]


def test_a_write_that_timed_out_after_it_was_applied(book: SheetsEmulator) -> None:  # noqa: F811
    book.lose_answer(endpoint="batchUpdate", stall=2.0)  # answers after the client gave up
    sheets = backend()
    sheets.client.http_client.timeout = (10.0, 0.5)  # a read time-out the stall outlasts
    sheets.read(["Pipeline"])
    sheets.write([dashboard()])
    assert titles(book) == ["Pipeline", "Settings", "Dashboard"]
    assert len(book.book(SHEET).sheet("Dashboard").charts) == 1
    assert book.calls["batchUpdate"] == 1


def test_the_rest_of_a_split_write_is_sent_after_a_lost_answer(book: SheetsEmulator) -> None:  # noqa: F811
    big = TabOutput(
        name="Customer Segments",
        columns=[PlanColumn(f"Column {i}", "text", 12) for i in range(10)],
        rows=[[f"customer {r} field {c} " + "x" * 20 for c in range(10)] for r in range(6000)],
    )
    book.lose_answer(endpoint="batchUpdate", skip=1)  # the second body's answer is lost
    sheets = backend()
    sheets.read(["Pipeline"])
    sheets.write([big, dashboard()])
    assert titles(book) == ["Pipeline", "Settings", "Customer Segments", "Dashboard"]
    assert len(book.book(SHEET).sheet("Dashboard").charts) == 1
    assert book.values(SHEET, "Customer Segments")[6000][9] == "customer 5999 field 9 " + "x" * 20
    added = [kinds.count("addSheet") + kinds.count("addChart") for kinds in request_kinds(book)]
    assert sum(added) == 3  # two tabs and one chart, each added once


def test_stage_log_rows_of_a_lost_write_are_not_appended_twice(book: SheetsEmulator) -> None:  # noqa: F811
    first = ["D-1", None, "Proposal", datetime(2026, 11, 3, 9, 30)]
    backend().write([stage_log(first)])
    second = ["D-2", "Proposal", "Won", datetime(2026, 11, 4, 10, 0)]
    log = stage_log(first, second)
    log.appended = 1  # the engine's plan: the whole log, the last row new
    book.lose_answer(endpoint="batchUpdate")
    sheets = backend()
    sheets.read(["Stage Log"])
    sheets.write([log])
    # 2026-11-03 09:30 is serial 46329 + 9.5/24; 2026-11-04 10:00 is 46330 + 10/24
    assert book.values(SHEET, "Stage Log") == [
        ["Deal ID", "From Stage", "To Stage", "Changed At"],
        ["D-1", None, "Proposal", 46329 + 9.5 / 24],
        ["D-2", "Proposal", "Won", 46330 + 10 / 24],
    ]


def test_writes_google_may_have_applied_are_retried_within_the_budget(
    book: SheetsEmulator,  # noqa: F811 - fixture by name
) -> None:
    book.fail(503, times=float("inf"), endpoint="batchUpdate")
    retry = no_wait()
    retry.jitter = lambda: 1.0
    sheets = backend(retry)
    sheets.read(["Pipeline"])
    with pytest.raises(SheetsApiError, match="kept answering 503"):
        sheets.write([funnel()])
    # Each 503 may hide an applied write, so each retry reads the spreadsheet again.
    # Waits 2^n + 1 s: 2, 3, 5, 9, 17 = 36 s; the next, 32 s, would end past 60 s.
    assert retry.waits == [2, 3, 5, 9, 17]
    assert book.calls["batchUpdate"] == 6
    assert book.calls["get"] == 6  # the first read, then once before each retry


def test_init_whose_answer_is_lost_adds_each_tab_once(
    sheets_env: SheetsEmulator,  # noqa: F811 - fixture by name
) -> None:
    from sync.backends.sheets.template import init_sheet
    from sync.schema import input_tabs

    sheets_env.create(SHEET, {"Sheet1": []}, editors=(CLIENT_EMAIL,))
    sheets_env.lose_answer(endpoint="batchUpdate")
    result = init_sheet(SHEET, retry=no_wait())
    names = [spec.tab for spec in input_tabs()]
    assert titles(sheets_env) == ["Sheet1", *names]
    assert sheets_env.calls["batchUpdate"] == 1  # read again: nothing left to add
    assert (result.created, result.kept) == (names, [])
