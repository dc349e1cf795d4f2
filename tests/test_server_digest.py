"""The daily digest on the server: made at Digest Time by the periodic task, GET /digest/<id>."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sync.demo.workbook import demo_grids
from sync.server.digests import DIGEST_TASK, check_digests, is_due
from tests.server_fixtures import SECRET, signed
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    CLIENT_EMAIL,
    service_account,
    sheets_emulator,
    sheets_env,
    sheets_private_key,
)
from tests.smtp_server import parts, smtp_inbox
from webhook_app import create_app, queue_of

SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
OTHER = "1ZzZzZzZzNotAllowedOnThisServer000000"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> float:
    """A moment on the spreadsheet's clock (Shanghai), as the server's Unix time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).timestamp()


@pytest.fixture
def inbox():
    with smtp_inbox() as server:
        yield server


@pytest.fixture
def app(tmp_path, monkeypatch, sheets_env, inbox):  # noqa: F811 - fixtures by name
    grids = demo_grids(size=1, seed=7, today=date(2026, 11, 28))
    for row in grids["Settings"]:
        if row[0] == "Digest To":
            row[1] = "owner@example.com, lead@example.com"
        if row[0] == "Digest Time":
            row[1] = "08:30"
    sheets_env.create(SHEET, grids, editors=(CLIENT_EMAIL,), time_zone="Asia/Shanghai")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("SALESOPS_ALLOWED_SPREADSHEETS", SHEET)
    monkeypatch.setenv("SALESOPS_SMTP_URL", inbox.url)
    return create_app({"queue": f"sqlite:///{tmp_path / 'queue.sqlite3'}"})


def digest(client, spreadsheet_id: str, **signing):
    _, headers = signed(b"", **signing)
    return client.get(f"/digest/{spreadsheet_id}", headers=headers)


def test_no_digest_yet_is_404(app):
    answer = digest(app.test_client(), SHEET)
    assert (answer.status_code, answer.get_json()) == (
        404, {"status": "not found", "reason": "no digest made yet"})


def test_digest_is_signed_and_allowed_like_status(app):
    client = app.test_client()
    assert digest(client, SHEET, secret="wrong").status_code == 401
    assert digest(client, SHEET, secret="wrong").get_json()["reason"] == "signature"
    assert digest(client, OTHER).status_code == 403


def test_made_at_digest_time_in_the_spreadsheets_zone_then_served(app, inbox):
    queue = queue_of(app)
    # 08:29 in Shanghai is 00:29 UTC: not yet.
    assert check_digests(queue, now=at(28, 8, 29)) == {SHEET: "not due"}
    assert inbox.messages == []
    assert check_digests(queue, now=at(28, 8, 30)) == {SHEET: "sent to 2"}
    # Later in the hour: already made.
    assert check_digests(queue, now=at(28, 9, 29)) == {SHEET: "not due"}
    [received] = inbox.messages
    assert received.recipients == ["owner@example.com", "lead@example.com"]
    text, html = parts(received.message)
    assert "Revenue This Period: USD 633,361.00 (target USD 769,000.00, Ahead)" in text
    assert "<li>Revenue This Period: USD 633,361.00 (target USD 769,000.00, Ahead)</li>" in html

    answer = digest(app.test_client(), SHEET)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["spreadsheet_id"] == SHEET
    assert body["subject"] == "Sales digest 2026-11-28"
    assert body["text"] == text and body["html"] == html.rstrip("\n")  # mail ends a line

    # The next day's digest compares with this one's snapshot.
    assert check_digests(queue, now=at(29, 8, 31)) == {SHEET: "sent to 2"}
    second, _html = parts(inbox.messages[1].message)
    assert "Changes since the digest as of 2026-11-28." in second


def test_a_spreadsheet_being_recomputed_is_left_to_the_next_minute(app, inbox, sheets_env):  # noqa: F811
    """The check reads a spreadsheet only under its recompute lease, never beside a recompute."""
    queue = queue_of(app)
    now = at(28, 8, 30)
    recompute = "a-running-recompute"
    assert queue.store.acquire_lease(SHEET, recompute, 30, now)
    sheets_env.reset_counters()
    assert check_digests(queue, now=now) == {SHEET: "recompute running (next minute)"}
    assert sheets_env.api_records() == [] and inbox.messages == []
    queue.store.release_lease(SHEET, recompute)
    assert check_digests(queue, now=at(28, 8, 31)) == {SHEET: "sent to 2"}
    # The digest gave the lease back: a recompute can take it at once.
    assert queue.store.acquire_lease(SHEET, recompute, 30, at(28, 8, 31))


def test_the_check_runs_every_minute_on_the_workers_scheduler(app):
    queue = queue_of(app)
    due = queue.huey.read_periodic(datetime(2026, 11, 28, 0, 31))
    assert [task.name for task in due] == [DIGEST_TASK]


@pytest.mark.parametrize(("day", "hour", "minute", "made_on", "due"), [
    (28, 8, 29, None, False),  # a minute early
    (28, 8, 30, None, True),  # Digest Time 08:30 in Shanghai
    (28, 9, 29, None, True),  # still within the hour
    (28, 9, 30, None, False),  # the hour is over: not mailed late
    (28, 8, 45, "2026-11-28", False),  # made today already
    (29, 8, 45, "2026-11-28", True),  # made yesterday
])
def test_due_within_the_hour_from_digest_time(day, hour, minute, made_on, due):
    schedule = {"time": "08:30", "zone": "Asia/Shanghai"}
    assert is_due(schedule, made_on, at(day, hour, minute)) is due
