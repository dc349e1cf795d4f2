"""Credentials, the base-URL override and the retry schedule of the Sheets HTTP client."""

from __future__ import annotations

import pytest

from sync.backends.sheets.auth import (
    GOOGLE_API_URL,
    SCOPES,
    RetryPolicy,
    SheetsHTTPClient,
    api_url,
    load_key,
    open_client,
)
from sync.backends.sheets.backend import SheetsBackend
from sync.config import load_config
from sync.errors import CredentialsError
from sync.workbooks import open_backend
from tests.sheets_emulator.fixtures import CLIENT_EMAIL


@pytest.mark.parametrize(
    ("attempt", "retry_after", "delay"),
    [
        (0, None, 1.5),  # 2^0 s + random part 0.5 s
        (3, None, 8.5),  # 2^3 = 8 s + 0.5 s
        (4, None, 16.5),  # 2^4 = 16 s + 0.5 s
        (5, None, 32.0),  # 2^5 + 0.5 = 32.5 s, truncated at the 32 s maximum
        (9, None, 32.0),  # 2^9 + 0.5 = 512.5 s, truncated at 32 s
        (0, 7.0, 7.0),  # never sooner than Retry-After
        (3, 2.0, 8.5),  # 8.5 s is already later than Retry-After 2 s
    ],
)
def test_truncated_exponential_backoff(
    attempt: int, retry_after: float | None, delay: float
) -> None:
    # Google's documented backoff for the Sheets API: min(2^n + random up to 1 s, maximum)
    assert RetryPolicy(jitter=lambda: 0.5).delay(attempt, retry_after) == delay


def test_a_retry_never_comes_sooner_than_two_to_the_n_seconds() -> None:
    # even with a random part of 0, retry n waits 2^n s: a 429 is not retried 10 ms later
    policy = RetryPolicy(jitter=lambda: 0.0)
    assert [policy.delay(n, None) for n in range(6)] == [1, 2, 4, 8, 16, 32]


def test_the_key_asks_for_the_spreadsheets_scope_only(service_account) -> None:
    key = load_key(service_account.key_path)
    assert key.client_email == CLIENT_EMAIL
    assert (
        tuple(key.credentials.scopes) == SCOPES == ("https://www.googleapis.com/auth/spreadsheets",)
    )
    # The token comes from the key file's own token_uri.
    assert key.credentials._token_uri.endswith("/token")


def test_api_url_from_the_environment(monkeypatch, tmp_path) -> None:
    # The environment is read once, by the configuration; the client takes what it is given.
    monkeypatch.chdir(tmp_path)  # no config.yaml here
    for name in ("SALESOPS_SHEETS_API_URL", "SALESOPS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert api_url(load_config().sheets_api_url) == GOOGLE_API_URL
    monkeypatch.setenv("SALESOPS_SHEETS_API_URL", "http://127.0.0.1:9999/")
    assert api_url(load_config().sheets_api_url) == "http://127.0.0.1:9999"
    assert api_url() == GOOGLE_API_URL  # auth.py itself reads no variable


def test_the_key_file_setting_goes_through_the_configuration(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESOPS_GOOGLE_CREDENTIALS", str(tmp_path / "missing.json"))
    # An explicit override wins over the environment, as for every other setting.
    assert load_config(google_credentials=tmp_path / "other.json").google_credentials == (
        tmp_path / "other.json")
    with pytest.raises(CredentialsError, match="missing.json does not exist"):
        SheetsBackend("abc")  # nothing given: the configured key, from the environment


class RecordingClient(SheetsHTTPClient):
    """A transport handed in by a test: the real client, noting every call it sends."""

    sent: list[tuple[str, str]] = []

    def request(self, method, endpoint, *args, **kwargs):  # type: ignore[no-untyped-def]
        RecordingClient.sent.append((method.upper(), endpoint))
        return super().request(method, endpoint, *args, **kwargs)


def test_a_transport_handed_in_carries_every_call(sheets_env) -> None:
    sheets_env.create("abc", {"Pipeline": [["Deal ID"], ["D-1"]]}, editors=(CLIENT_EMAIL,))
    RecordingClient.sent = []
    backend = open_backend(load_config(), sheet="abc", http_client=RecordingClient)
    assert backend.read(["Pipeline"])["Pipeline"][1] == ["D-1"]
    # One metadata read and one batchGet, both through the client handed in, both sent to
    # the configured base URL (gspread's own Google URLs rewritten).
    assert [method for method, _ in RecordingClient.sent] == ["GET", "GET"]
    assert [r.endpoint for r in sheets_env.api_records()] == ["get", "values.batchGet"]
    with pytest.raises(ValueError, match="not a file"):
        open_backend(load_config(), path="sales.xlsx", http_client=RecordingClient)


def test_gspread_urls_are_rewritten_to_the_base_url(service_account, sheets_emulator) -> None:
    sheets_emulator.create("abc", {"Pipeline": [["Deal ID"]]}, editors=(CLIENT_EMAIL,))
    client = open_client(load_key(service_account.key_path), sheets_emulator.url)
    # gspread's own helper, with its https://sheets.googleapis.com URL, reaches the emulator.
    spreadsheet = client.open_by_key("abc")
    assert spreadsheet.worksheet("Pipeline").row_values(1) == ["Deal ID"]
    assert sheets_emulator.calls["get"] >= 1


def test_key_and_api_url_from_config_yaml(
    monkeypatch,
    tmp_path,
    service_account,
    sheets_emulator,
) -> None:
    from click.testing import CliRunner

    from sync.cli import main

    for name in ("SALESOPS_GOOGLE_CREDENTIALS", "SALESOPS_SHEETS_API_URL", "SALESOPS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "key.json").write_text(service_account.key_path.read_text(), encoding="utf-8")
    (folder / "config.yaml").write_text(
        f"google_credentials: key.json\nsheets_api_url: {sheets_emulator.url}\n", encoding="utf-8"
    )
    monkeypatch.chdir(folder)
    sheets_emulator.create("cfg", {"Pipeline": [["Deal ID"]]}, editors=(CLIENT_EMAIL,))
    result = CliRunner().invoke(main, ["check", "--sheet", "cfg"])
    # Exit 2: the check ran and reports the missing optional tabs as data issues.
    assert result.exit_code == 2, result.output
    assert not result.output.startswith("Error:")
    # The key named in config.yaml got its token from its own token_uri, the emulator's,
    # and the API calls went to the base URL config.yaml names.
    assert sheets_emulator.calls["token"] == 1
    assert [r.endpoint for r in sheets_emulator.api_records()] == ["get", "values.batchGet"]
