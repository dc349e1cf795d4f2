"""Every answer of SPEC section 7, through the Flask test client of the real app."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync.server.events import MAX_BODY_BYTES
from sync.server.logs import JsonLines, server_log
from tests.server_fixtures import SECRET, edit, signed
from webhook_app import create_app, queue_of

SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
OTHER = "1ZzZzZzZzNotAllowedOnThisServer000000"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app with the secret from the environment and a SQLite queue in a temp dir."""
    monkeypatch.chdir(tmp_path)  # no config.yaml here
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("SALESOPS_ALLOWED_SPREADSHEETS", f"{SHEET}, 1Second")
    return create_app({"queue": f"sqlite:///{tmp_path / 'queue.sqlite3'}"})


@pytest.fixture
def client(app):
    return app.test_client()


def padded(payload: dict[str, Any], size: int) -> bytes:
    """A JSON body of exactly `size` bytes (trailing spaces are valid JSON)."""
    body = json.dumps(payload).encode()
    return body + b" " * (size - len(body))


def post(client, body: bytes, headers: dict[str, str]):
    return client.post("/hooks/sheets-edit", data=body, headers=headers)


Case = Callable[[], tuple[bytes, dict[str, str]]]


def case(payload: dict | bytes, **signing: Any) -> Case:
    return lambda: signed(payload, **signing)


def resigned_over(other: dict) -> Case:
    """The body of one edit with the signature of another."""

    def make() -> tuple[bytes, dict[str, str]]:
        body, _ = signed(edit(SHEET))
        _, headers = signed(other)
        return body, headers

    return make


def unsigned(payload: dict) -> Case:
    return lambda: (json.dumps(payload).encode(), {"Content-Type": "application/json"})


def big(size: int, **signing: Any) -> Case:
    return lambda: signed(padded(edit(SHEET), size), **signing)


def now_plus(seconds: int) -> Callable[[], int]:
    return lambda: int(time.time()) + seconds


def shifted(payload: dict, seconds: int, secret: str = SECRET) -> Case:
    return lambda: signed(payload, secret=secret, timestamp=int(time.time()) + seconds)


QUEUED = {"status": "queued", "reason": "recompute queued"}
NOT_UTC = "2026-11-28T10:30:00+01:00"
UTC = "must be an ISO 8601 date-time in UTC, such as 2026-11-28T09:30:00.000Z"
TABLE = [
    # (name, request, status code, body)
    ("input edit", case(edit(SHEET)), 202, QUEUED),
    ("exactly 64 KiB", big(MAX_BODY_BYTES), 202, QUEUED),
    ("64 KiB and one byte", big(MAX_BODY_BYTES + 1), 413,
     {"status": "rejected", "reason": "body over 64 KiB"}),
    ("too large beats a bad signature", big(MAX_BODY_BYTES + 1, secret="wrong"), 413,
     {"status": "rejected", "reason": "body over 64 KiB"}),
    ("no signature headers", unsigned(edit(SHEET)), 401,
     {"status": "rejected", "reason": "signature"}),
    ("signed with another secret", case(edit(SHEET), secret="not-the-secret"), 401,
     {"status": "rejected", "reason": "signature"}),
    ("signature over a different body", resigned_over(edit(SHEET, cell="G9")), 401,
     {"status": "rejected", "reason": "signature"}),
    ("timestamp 301 s in the future", shifted(edit(SHEET), 301), 401,
     {"status": "rejected", "reason": "clock"}),
    ("timestamp 301 s in the past", shifted(edit(SHEET), -301), 401,
     {"status": "rejected", "reason": "clock"}),
    ("timestamp 299 s in the past", shifted(edit(SHEET), -299), 202,
     QUEUED),
    ("wrong secret and wrong clock says signature", shifted(edit(SHEET), 900, "x"), 401,
     {"status": "rejected", "reason": "signature"}),
    ("malformed JSON", case(b'{"spreadsheet_id": '), 400,
     {"status": "rejected", "reason": "body is not valid JSON"}),
    ("malformed JSON, unsigned", lambda: (b"{", {}), 401,
     {"status": "rejected", "reason": "signature"}),
    ("a JSON list", case(b"[]"), 400,
     {"status": "rejected", "reason": "body must be a JSON object"}),
    ("missing event_id", case({k: v for k, v in edit(SHEET).items() if k != "event_id"}), 400,
     {"status": "rejected", "reason": "event_id: missing"}),
    ("a number as spreadsheet id", case({**edit(SHEET), "spreadsheet_id": 12345}), 400,
     {"status": "rejected", "reason": "spreadsheet_id: input should be a valid string"}),
    ("edited_at not a date", case(edit(SHEET, edited_at="yesterday")), 400,
     {"status": "rejected", "reason": f"edited_at: {UTC}"}),
    ("edited_at not UTC", case(edit(SHEET, edited_at=NOT_UTC)), 400,
     {"status": "rejected", "reason": f"edited_at: {UTC}"}),
    ("edited_at without a time zone", case(edit(SHEET, edited_at="2026-11-28T10:30:00")), 400,
     {"status": "rejected", "reason": f"edited_at: {UTC}"}),
    ("edited_at as Unix seconds", case(edit(SHEET, edited_at=1795000000)), 400,
     {"status": "rejected", "reason": f"edited_at: {UTC}"}),
    ("range with the tab in it", case(edit(SHEET, cell="Pipeline!F5")), 400,
     {"status": "rejected", "reason": "range: must be an A1 range without the tab, such as F5 "
      "or B2:D9"}),
    ("range without a tab", case(edit(SHEET, sheet="", cell="F5")), 400,
     {"status": "rejected", "reason": "sheet: must name the tab of the range (both empty for a "
      "change)"}),
    ("malformed beats not allowed", case(edit(OTHER, event_id="")), 400,
     {"status": "rejected", "reason": "event_id: string should have at least 1 character"}),
    ("spreadsheet not allowed", case(edit(OTHER)), 403,
     {"status": "rejected", "reason": "spreadsheet not allowed on this server"}),
    ("second allowed spreadsheet", case(edit("1Second")), 202,
     QUEUED),
    ("computed tab", case(edit(SHEET, sheet="Funnel")), 200,
     {"status": "ignored", "reason": "not an input tab"}),
    ("computed tab in Chinese", case(edit(SHEET, sheet="销售漏斗")), 200,
     {"status": "ignored", "reason": "not an input tab"}),
    ("computed tab, other case and spaces", case(edit(SHEET, sheet="  deal HEALTH ")), 200,
     {"status": "ignored", "reason": "not an input tab"}),
    ("a tab that is not a template tab", case(edit(SHEET, sheet="My notes")), 200,
     {"status": "ignored", "reason": "not an input tab"}),
    ("input tab in Chinese", case(edit(SHEET, sheet="销售管道")), 202,
     QUEUED),
    ("input tab, other case and spaces", case(edit(SHEET, sheet=" commission plans ")), 202,
     QUEUED),
    ("structural change or Recompute now", case(edit(SHEET, sheet="", cell="")), 202,
     QUEUED),
    ("a range of cells", case(edit(SHEET, cell="B2:D9")), 202,
     QUEUED),
    ("an unknown extra field is ignored", case(edit(SHEET, source="sidebar")), 202,
     QUEUED),
]


@pytest.mark.parametrize(("name", "make", "code", "body"), TABLE, ids=[row[0] for row in TABLE])
def test_each_answer_of_the_protocol(client, name, make, code, body):
    request_body, headers = make()
    answer = post(client, request_body, headers)
    assert (answer.status_code, answer.get_json()) == (code, body)


def test_only_a_queued_answer_marks_the_spreadsheet_pending(app, client):
    store = queue_of(app).store
    post(client, *signed(edit(SHEET, sheet="Funnel")))
    post(client, *signed(edit(OTHER)))
    assert store.pending() == []
    post(client, *signed(edit(SHEET)))
    assert [p.spreadsheet_id for p in store.pending()] == [SHEET]


def test_a_replayed_event_id_is_answered_duplicate_and_not_queued_again(app, client):
    store = queue_of(app).store
    first = edit(SHEET)
    assert post(client, *signed(first)).status_code == 202
    generation = store.pending()[0].generation
    replay = post(client, *signed(first))  # the same body, signed again later
    assert (replay.status_code, replay.get_json()) == (
        200,
        {"status": "duplicate", "reason": "event already received"},
    )
    assert store.pending()[0].generation == generation


def test_a_duplicate_of_an_ignored_edit_is_a_duplicate(client):
    event = edit(SHEET, sheet="Funnel")
    assert post(client, *signed(event)).get_json()["status"] == "ignored"
    assert post(client, *signed(event)).get_json()["status"] == "duplicate"


def test_an_event_id_is_forgotten_after_ten_minutes(app):
    store = queue_of(app).store
    now = time.time()
    assert store.remember_event("e-1", now)
    assert not store.remember_event("e-1", now + 599)
    assert store.remember_event("e-1", now + 601)


def status(client, spreadsheet_id: str, **signing: Any):
    _, headers = signed(b"", **signing)
    return client.get(f"/status/{spreadsheet_id}", headers=headers)


def test_status_of_a_spreadsheet_nothing_happened_to(client):
    answer = status(client, SHEET)
    assert (answer.status_code, answer.get_json()) == (
        200,
        {"spreadsheet_id": SHEET, "state": "idle", "last_sync": None, "last_error": None},
    )


def test_status_says_queued_once_an_edit_waits(client):
    post(client, *signed(edit(SHEET)))
    assert status(client, SHEET).get_json()["state"] == "queued"


@pytest.mark.parametrize(
    ("signing", "sheet", "code", "reason"),
    [
        ({"secret": "wrong"}, SHEET, 401, "signature"),
        ({"timestamp": -1}, SHEET, 401, "clock"),
        ({}, OTHER, 403, "spreadsheet not allowed on this server"),
        ({"secret": "wrong"}, OTHER, 401, "signature"),
    ],
)
def test_status_is_signed_and_allowlisted_like_a_post(client, signing, sheet, code, reason):
    if signing.get("timestamp") == -1:
        signing = {"timestamp": int(time.time()) - 301}
    answer = status(client, sheet, **signing)
    expected = {"status": "rejected", "reason": reason}
    assert (answer.status_code, answer.get_json()) == (code, expected)


def test_status_over_a_body_signature_is_refused(client):
    _, headers = signed(b"{}")  # signed over a body, not over the empty body
    assert client.get(f"/status/{SHEET}", headers=headers).status_code == 401


def test_healthz_reports_the_queue(client):
    post(client, *signed(edit(SHEET)))
    answer = client.get("/healthz")
    assert (answer.status_code, answer.get_json()) == (
        200,
        {"status": "ok", "queue": "sqlite", "pending": 1, "leased": 0},
    )


def test_no_secret_configured_refuses_every_post(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SALESOPS_WEBHOOK_SECRET", raising=False)
    queue = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    app = create_app({"queue": queue, "allowed_spreadsheets": SHEET})
    answer = post(app.test_client(), *signed(edit(SHEET)))
    assert (answer.status_code, answer.get_json()["reason"]) == (401, "signature")


def test_an_empty_allowlist_allows_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("SALESOPS_ALLOWED_SPREADSHEETS", raising=False)
    app = create_app({"queue": f"sqlite:///{tmp_path / 'q.sqlite3'}"})
    assert post(app.test_client(), *signed(edit(SHEET))).status_code == 403


def test_one_log_line_per_request_without_secret_or_signature(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    server_log().addHandler(handler)
    try:
        body, headers = signed(edit(SHEET, sheet="Pipeline", cell="F2"))
        post(client, body, headers)
        post(client, *signed(edit(SHEET), secret="wrong"))
    finally:
        server_log().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["event"], line["status"], line.get("spreadsheet_id")) for line in lines] == [
        ("request", 202, SHEET),
        ("request", 401, None),
    ]
    assert set(lines[0]) == {"time", "level", "event", "method", "path", "status", "seconds",
                             "spreadsheet_id"}
    text = stream.getvalue()
    assert SECRET not in text and headers["X-Salesops-Signature"] not in text


def test_a_queue_that_cannot_be_reached_answers_503_not_a_crash(tmp_path, monkeypatch):
    from tests.server_fixtures import free_port

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app({"queue": nobody, "allowed_spreadsheets": SHEET})
    client = app.test_client()
    answer = post(client, *signed(edit(SHEET)))
    assert (answer.status_code, answer.get_json()) == (
        503,
        {"status": "error",
         "reason": "queue storage unreachable (ConnectionError); try again shortly"},
    )
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()["status"]) == (503, "error")


@pytest.mark.parametrize(
    ("method", "path", "code", "reason"),
    [
        ("GET", "/hooks/sheets-edit", 405, "method not allowed"),
        ("POST", "/hooks/other", 404, "not found"),
        ("GET", "/", 404, "not found"),
    ],
)
def test_other_paths_answer_json(client, method, path, code, reason):
    answer = client.open(path, method=method)
    expected = {"status": "rejected", "reason": reason}
    assert (answer.status_code, answer.get_json()) == (code, expected)
