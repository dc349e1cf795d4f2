"""`docs/openapi.yaml` is true to the webhook app: the same routes, and every answer the
protocol's own tests see is one the document describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.openapi_support import answer_errors, document, operations
from tests.server_fixtures import SECRET, edit, free_port, signed
from tests.test_webhook_app import OTHER, SHEET, TABLE
from webhook_app import create_app


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("SALESOPS_ALLOWED_SPREADSHEETS", f"{SHEET}, 1Second")
    return create_app({"queue": f"sqlite:///{tmp_path / 'queue.sqlite3'}"}).test_client()


def test_the_document_is_valid_openapi() -> None:
    validate(document())  # raises on the first mistake


def app_operations(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_app({"queue": f"sqlite:///{tmp_path / 'q.sqlite3'}"})
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        found |= {(method, template) for method in rule.methods or ()}
    return {(m, p) for m, p in found if m not in {"HEAD", "OPTIONS"}}


def test_every_route_is_documented_and_every_documented_route_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert app_operations(tmp_path) == operations()
    assert operations() == {
        ("POST", "/hooks/sheets-edit"),
        ("GET", "/status/{spreadsheet_id}"),
        ("GET", "/digest/{spreadsheet_id}"),
        ("GET", "/healthz"),
    }


@pytest.mark.parametrize(("name", "make", "code", "body"), TABLE, ids=[row[0] for row in TABLE])
def test_every_answer_of_the_protocol_table_is_documented(client, name, make, code, body):
    request_body, headers = make()
    answer = client.post("/hooks/sheets-edit", data=request_body, headers=headers)
    assert answer.status_code == code
    assert answer_errors("POST", "/hooks/sheets-edit", code, answer.get_json()) == []


def test_a_duplicate_is_documented(client):
    body, headers = signed(edit(SHEET))
    client.post("/hooks/sheets-edit", data=body, headers=headers)
    again = client.post("/hooks/sheets-edit", data=body, headers=signed(body)[1])
    assert (again.status_code, again.get_json()["status"]) == (200, "duplicate")
    assert answer_errors("POST", "/hooks/sheets-edit", 200, again.get_json()) == []


def get_status(client, sheet: str, **signing):
    return client.get(f"/status/{sheet}", headers=signed(b"", **signing)[1])


@pytest.mark.parametrize(
    ("sheet", "signing", "code"),
    [
        (SHEET, {}, 200),
        (SHEET, {"secret": "wrong"}, 401),
        (SHEET, {"timestamp": 1}, 401),
        (OTHER, {}, 403),
    ],
)
def test_every_status_answer_is_documented(client, sheet, signing, code):
    answer = get_status(client, sheet, **signing)
    assert answer.status_code == code
    assert answer_errors("GET", "/status/{spreadsheet_id}", code, answer.get_json()) == []


def test_a_status_with_a_last_sync_and_a_last_error_is_documented() -> None:
    body = {
        "spreadsheet_id": SHEET,
        "state": "running",
        "last_sync": {"finished_at": "2026-11-28T09:30:00Z", "seconds": 1.25, "errors": 0,
                      "warnings": 3, "cells_written": 420},
        "last_error": "The spreadsheet is not shared with the server's service account.",
    }
    assert answer_errors("GET", "/status/{spreadsheet_id}", 200, body) == []
    # ...and the validator does refuse what the document does not allow:
    assert answer_errors("GET", "/status/{spreadsheet_id}", 200, {**body, "key": "x"}) != []
    assert answer_errors("GET", "/status/{spreadsheet_id}", 200, {**body, "state": "busy"}) != []


def test_healthz_and_other_paths_are_documented(client):
    health = client.get("/healthz")
    assert answer_errors("GET", "/healthz", 200, health.get_json()) == []
    wrong_method = client.get("/hooks/sheets-edit")
    assert answer_errors("POST", "/hooks/sheets-edit", 405, wrong_method.get_json()) == []
    assert answer_errors("POST", "/hooks/sheets-edit", 500, {}) != []  # undocumented code


def test_a_queue_that_cannot_be_reached_is_a_documented_503(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_WEBHOOK_SECRET", SECRET)
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    client = create_app({"queue": nobody, "allowed_spreadsheets": SHEET}).test_client()
    body, headers = signed(edit(SHEET))
    post = client.post("/hooks/sheets-edit", data=body, headers=headers)
    assert post.status_code == 503
    assert answer_errors("POST", "/hooks/sheets-edit", post.status_code, post.get_json()) == []
    status = get_status(client, SHEET)
    assert status.status_code == 503
    assert answer_errors("GET", "/status/{spreadsheet_id}", 503, status.get_json()) == []
    health = client.get("/healthz")
    assert answer_errors("GET", "/healthz", health.status_code, health.get_json()) == []
