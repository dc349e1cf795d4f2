"""No secret leaks: a real `salesops serve` at DEBUG, a recompute, and every error path.

Every captured log line (the server's and its embedded worker's stderr), every HTTP
answer and every Data Issue is searched for the webhook secret and for the service
account's private key (its PEM, each base64 line of it, and the key file's JSON value):
zero occurrences.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import serialization

from tests.server_fixtures import (  # noqa: F401 - pytest fixtures
    SECRET,
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
from tests.test_worker import set_amount, small_book

SHEET = "1SecretsTestSheet0123456789"
UNSHARED = "1SecretsUnsharedSheet012345"
MISSING = "1SecretsMissingSheet0123456"

pytestmark = pytest.mark.slow


def secrets_of(service_account) -> list[str]:  # noqa: F811
    """The strings that must never appear: the secret and every piece of the private key."""
    pem = service_account.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    key_json = json.loads(service_account.key_path.read_text())["private_key"]
    lines = [line for line in pem.splitlines() if len(line) > 20 and "PRIVATE KEY" not in line]
    return [SECRET, pem, key_json, json.dumps(key_json), *lines]


def test_no_secret_in_logs_answers_or_data_issues(
    processes, sheets_emulator: SheetsEmulator, service_account  # noqa: F811
) -> None:
    processes.env.update({
        "SALESOPS_GOOGLE_CREDENTIALS": str(service_account.key_path),
        "SALESOPS_SHEETS_API_URL": sheets_emulator.url,
        "SALESOPS_ALLOWED_SPREADSHEETS": f"{SHEET},{UNSHARED},{MISSING}",
        "SALESOPS_LOG_LEVEL": "DEBUG",
    })
    small_book(sheets_emulator, SHEET, 12000)
    small_book(sheets_emulator, UNSHARED, 500, shared=False)
    with sheets_emulator.lock:  # a Data Issue that quotes the owner's text
        sheets_emulator.book(SHEET).sheet("Pipeline").set_value(1, 4, "twelve thousand")
    url = processes.serve()
    answers: list[str] = []

    def keep(response: requests.Response) -> requests.Response:
        answers.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response

    def post(body: bytes, headers: dict[str, str]) -> requests.Response:
        return keep(requests.post(url + "/hooks/sheets-edit", data=body, headers=headers,
                                  timeout=10))

    def status(sheet: str, **signing) -> dict:
        _, headers = signed(b"", **signing)
        return keep(requests.get(f"{url}/status/{sheet}", headers=headers, timeout=10)).json()

    # A recompute that succeeds, with a Data Issue.
    assert post(*signed(edit(SHEET))).status_code == 202
    wait_for(lambda: status(SHEET)["last_sync"] is not None, timeout=90)
    # Every refusal of the protocol.
    assert post(*signed(edit(SHEET), secret="wrong")).status_code == 401
    assert post(*signed(edit(SHEET), timestamp=int(time.time()) - 3600)).status_code == 401
    assert post(json.dumps(edit(SHEET)).encode(), {}).status_code == 401
    assert post(*signed(b"{not json")).status_code == 400
    assert post(*signed(edit(SHEET, edited_at="yesterday"))).status_code == 400
    assert post(*signed(edit("1NotAllowed0000"))).status_code == 403
    assert post(*signed(b" " * (65 * 1024))).status_code == 413
    assert post(*signed(edit(SHEET, sheet="Funnel"))).status_code == 200
    assert status(SHEET, secret="wrong") == {"status": "rejected", "reason": "signature"}
    assert status("1NotAllowed0000")["reason"] == "spreadsheet not allowed on this server"
    keep(requests.get(url + "/nowhere", timeout=10))
    keep(requests.get(url + "/healthz", timeout=10))
    # Recomputes that fail: not shared, no such spreadsheet, Google's 500s, then a key
    # Google no longer accepts.
    for sheet in (UNSHARED, MISSING):
        assert post(*signed(edit(sheet))).status_code == 202
        wait_for(lambda sheet=sheet: status(sheet)["last_error"], timeout=90)
    sheets_emulator.fail(500, times=3, endpoint="get")
    set_amount(sheets_emulator, SHEET, 13000)
    assert post(*signed(edit(SHEET))).status_code == 202
    wait_for(lambda: sheets_emulator.calls["get"] >= 3, timeout=90)
    sheets_emulator.refused_scopes.add("https://www.googleapis.com/auth/spreadsheets")
    before = status(SHEET)["last_error"]
    assert post(*signed(edit(SHEET))).status_code == 202
    wait_for(lambda: status(SHEET)["last_error"] not in (None, before), timeout=120)
    assert "service-account key" in status(SHEET)["last_error"]

    sheets_emulator.refused_scopes.clear()
    issues = sheets_emulator.values(SHEET, "Data Issues")
    log = processes.log(processes.started[0])
    assert '"level":"debug"' in log  # DEBUG lines were really captured
    assert any("twelve thousand" in str(row) for row in issues)  # owner text is there
    haystacks = {"log": log, "answers": "\n".join(answers), "data issues": json.dumps(issues)}
    leaks = [(where, secret[:12]) for where, text in haystacks.items()
             for secret in secrets_of(service_account) if secret in text]
    assert leaks == []
