"""`salesops watch --sheet ID`: the Drive version poll against the emulator's Drive v3
`files.get`, edits made through the API by the test, and Google's refusals explained."""

from __future__ import annotations

import os
import queue
import threading

import pytest
import requests
from click.testing import CliRunner
from google.auth.transport.requests import AuthorizedSession
from watch_support import LINE_WAIT_SECONDS, TINY_GRIDS

from sync.backends.sheets.auth import load_key, open_client
from sync.cli import main
from sync.config import load_config
from sync.errors import DriveApiError
from sync.watch.drive import DriveBusyError, DriveVersion, SpreadsheetWatch, watch_spreadsheet
from tests.sheets_emulator.fixtures import CLIENT_EMAIL

SHEET = "watched-sheet"


@pytest.fixture
def google(monkeypatch, sheets_emulator, service_account):
    """The emulator with a tiny shared spreadsheet, and the environment pointing at it."""
    for name in list(os.environ):
        if name.upper().startswith("SALESOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SALESOPS_GOOGLE_CREDENTIALS", str(service_account.key_path))
    monkeypatch.setenv("SALESOPS_SHEETS_API_URL", sheets_emulator.url)
    monkeypatch.setenv("SALESOPS_DRIVE_API_URL", sheets_emulator.url)
    monkeypatch.setenv("SALESOPS_DEBOUNCE_SECONDS", "0.2")
    monkeypatch.chdir(service_account.key_path.parent)
    sheets_emulator.create(SHEET, tabs=TINY_GRIDS, editors=(CLIENT_EMAIL,))
    return sheets_emulator


def versions(emulator, spreadsheet_id: str = SHEET) -> DriveVersion:
    config = load_config()
    return DriveVersion(spreadsheet_id, load_key(config.google_credentials), emulator.url)


def edit_amount(emulator, amount: float) -> None:
    """The owner types a new Amount for D-1 (Pipeline F2), through the Sheets API."""
    client = open_client(load_key(load_config().google_credentials), emulator.url)
    client.open_by_key(SHEET).worksheet("Pipeline").update_acell("F2", amount)


def funnel_amount(emulator, stage: str) -> float:
    funnel = emulator.values(SHEET, "Funnel")
    header = funnel[0]
    for row in funnel[1:]:
        if row[header.index("Rep")] == "All" and row[header.index("Stage")] == stage:
            return float(row[header.index("Amount")])
    raise AssertionError(f"no All/{stage} row")


# ---- the emulator's Drive files.get ----------------------------------------------------------


def test_the_version_is_an_int64_string_that_grows_with_every_write(google):
    session = AuthorizedSession(
        load_key(load_config().google_credentials).credentials.with_scopes(
            ["https://www.googleapis.com/auth/drive.metadata.readonly"]
        )
    )
    url = f"{google.url}/drive/v3/files/{SHEET}"
    first = session.get(url, params={"fields": "version"}, timeout=30)
    assert first.status_code == 200
    assert first.json() == {"version": "1"}
    google.reset_counters()
    edit_amount(google, 1100)  # one values.update: one change of the file
    assert session.get(url, params={"fields": "version"}, timeout=30).json() == {"version": "2"}
    open_client(load_key(load_config().google_credentials), google.url).open_by_key(
        SHEET
    ).worksheet("Pipeline").acell("F2")  # a read changes nothing
    assert session.get(url, params={"fields": "version"}, timeout=30).json() == {"version": "2"}
    bare = session.get(url, timeout=30).json()
    assert bare == {"kind": "drive#file", "id": SHEET, "name": "Sales",
                    "mimeType": "application/vnd.google-apps.spreadsheet"}


@pytest.mark.parametrize(
    ("setup", "status", "reason"),
    [
        ("unknown id", 404, "notFound"),
        ("not shared", 404, "notFound"),  # Drive hides files the caller may not see
        ("api disabled", 403, "accessNotConfigured"),
        ("no drive scope", 403, "insufficientPermissions"),
        ("no token", 401, "required"),
    ],
)
def test_the_emulators_drive_refusals(google, setup, status, reason):
    key = load_key(load_config().google_credentials)
    scopes = ["https://www.googleapis.com/auth/drive.metadata.readonly"]
    file_id = SHEET
    if setup == "unknown id":
        file_id = "no-such-file"
    if setup == "not shared":
        google.create("private", tabs=TINY_GRIDS)
        file_id = "private"
    if setup == "api disabled":
        google.drive_enabled = False
    if setup == "no drive scope":
        scopes = ["https://www.googleapis.com/auth/spreadsheets"]
    session = AuthorizedSession(key.credentials.with_scopes(scopes))
    if setup == "no token":
        session = requests.Session()
    with session:
        answer = session.get(f"{google.url}/drive/v3/files/{file_id}",
                             params={"fields": "version"}, timeout=30)
    assert answer.status_code == status
    assert answer.json()["error"]["errors"][0]["reason"] == reason


# ---- DriveVersion: what the owner is told ------------------------------------------------------


def test_the_current_version(google):
    assert versions(google).current() == 1
    edit_amount(google, 1300)
    assert versions(google).current() == 2


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("api disabled", "The Google Drive API is not enabled for the service account's project, "
         "and `watch --sheet` asks it for the spreadsheet's version: enable it in the Cloud "
         "console (APIs & Services > Library > Google Drive API > Enable), wait a minute, and "
         "start the watch again."),
        ("not shared", f"The service account cannot see spreadsheet private in Google Drive: "
         f"share the spreadsheet with {CLIENT_EMAIL} as an editor (Share button, paste the "
         "address, choose Editor), and check the id is the part of its address between /d/ "
         "and /edit."),
        ("scope refused", "Google refused the service account a token for reading Drive file "
         "metadata"),
    ],
)
def test_refusals_say_what_to_do(google, setup, message):
    file_id = SHEET
    if setup == "api disabled":
        google.drive_enabled = False
    if setup == "not shared":
        google.create("private", tabs=TINY_GRIDS)
        file_id = "private"
    if setup == "scope refused":
        google.refused_scopes.add("https://www.googleapis.com/auth/drive.metadata.readonly")
    with pytest.raises(Exception) as raised:
        versions(google, file_id).current()
    assert str(raised.value).startswith(message)


def test_insufficient_scopes_are_explained(google):
    drive = versions(google)
    drive.session = AuthorizedSession(drive.key.credentials)  # the spreadsheets scope only
    with pytest.raises(DriveApiError, match="did not grant the service account the Drive scope "
                       "https://www.googleapis.com/auth/drive.metadata.readonly"):
        drive.current()


@pytest.mark.parametrize("code", [429, 500, 503])
def test_quota_and_server_errors_are_passing(google, code):
    google.fail(code, endpoint="drive.files.get")
    with pytest.raises(DriveBusyError, match=f"Google Drive did not answer \\({code}\\)"):
        versions(google).current()
    assert versions(google).current() == 1  # the next call goes through


# ---- the watch ---------------------------------------------------------------------------------


class RunningWatch:
    """A SpreadsheetWatch in a thread; its lines in a queue."""

    def __init__(self, emulator, interval: float = 0.3):
        config = load_config()
        self.lines: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()
        from sync.workbooks import open_backend

        self.watch = SpreadsheetWatch(
            SHEET, versions(emulator), lambda: open_backend(config, sheet=SHEET), interval,
            config.debounce_seconds, config.max_delay_seconds, self.lines.put, stop=self.stop,
        )
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.watch.run()
        except BaseException as error:  # noqa: BLE001 - shown by the test
            self.failure = error
            self.lines.put(f"failed: {error}")

    def next_line(self) -> str:
        return self.lines.get(timeout=LINE_WAIT_SECONDS)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=LINE_WAIT_SECONDS)
        assert not self.thread.is_alive()


def polls_since(emulator, index: int) -> list[str]:
    return [record.endpoint for record in emulator.records[index:]]


def wait_for_polls(emulator, index: int, polls: int) -> list[str]:
    """The calls since `index`, once `polls` Drive polls were made (bounded wait)."""
    done = threading.Event()
    for _ in range(LINE_WAIT_SECONDS * 20):
        endpoints = polls_since(emulator, index)
        if endpoints.count("drive.files.get") >= polls:
            return endpoints
        done.wait(0.05)
    raise AssertionError(f"fewer than {polls} polls: {polls_since(emulator, index)}")


def test_each_edit_through_the_api_is_synced_once_and_our_write_never(google):
    running = RunningWatch(google)
    try:
        line = running.next_line()
        assert f"spreadsheet {SHEET} at start: synced in " in line, line
        assert funnel_amount(google, "Lead") == 1000  # D-1 alone in Lead
        for amount in (1500, 1800):
            before_edit = len(google.records)
            edit_amount(google, amount)
            line = running.next_line()
            assert f"spreadsheet {SHEET} changed (version " in line and ": synced in " in line
            assert "in 1 API request" in line, line
            assert funnel_amount(google, "Lead") == amount  # D-1's Amount as typed
            # Our write made a new version; three later polls start no sync (a sync reads
            # the values first, which would show as values.batchGet).
            calls = polls_since(google, before_edit)
            written = len(calls) - calls[::-1].index("batchUpdate")
            after_write = wait_for_polls(google, before_edit + written, 3)
            assert "values.batchGet" not in after_write, after_write
        assert running.watch.syncs == 3
    finally:
        running.close()
    assert running.failure is None


def test_a_burst_of_edits_gives_one_sync(google):
    running = RunningWatch(google, interval=1.0)
    try:
        assert ": synced in " in running.next_line()
        for amount in (1100, 1200, 1300, 1400):
            edit_amount(google, amount)
        line = running.next_line()
        assert ": synced in " in line, line
        assert funnel_amount(google, "Lead") == 1400  # the last edit wins
        assert running.watch.syncs == 2
    finally:
        running.close()


def test_a_sync_that_fails_is_reported_and_the_watch_goes_on(google):
    running = RunningWatch(google)
    try:
        assert ": synced in " in running.next_line()
        google.fail(403, endpoint="values.batchGet", message="The caller does not have permission")
        edit_amount(google, 1900)
        line = running.next_line()
        assert ": not synced: No access to spreadsheet " in line, line
        # Tried again after the interval (0.3 s here), doubling up to 10 minutes.
        assert line.endswith("Trying again in 0.3 s, or at the next change."), line
        line = running.next_line()
        assert f"spreadsheet {SHEET} retried: synced in " in line, line
        assert funnel_amount(google, "Lead") == 1900
        edit_amount(google, 2100)
        assert ": synced in " in running.next_line()
        assert funnel_amount(google, "Lead") == 2100
    finally:
        running.close()


def test_a_drive_refusal_stops_the_command_with_what_to_do(google):
    google.drive_enabled = False
    result = CliRunner().invoke(main, ["watch", "--sheet", SHEET, "--interval", "1"])
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: The Google Drive API is not enabled for the service account's project"
    ), result.output
    assert google.calls["values.batchGet"] == 0  # nothing was synced


def test_watch_spreadsheet_ends_when_stopped(google):
    stop = threading.Event()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if ": synced in " in line:
            stop.set()

    watch = watch_spreadsheet(SHEET, load_config(), say=say, interval=1, stop=stop)
    assert watch.syncs == 1
    assert lines[-1] == f"Stopped watching spreadsheet {SHEET} after 1 sync."


def test_a_busy_drive_is_reported_and_asked_again(google):
    running = RunningWatch(google)
    try:
        assert ": synced in " in running.next_line()
        google.fail(503, endpoint="drive.files.get")
        line = running.next_line()
        assert line.split(" ", 1)[1] == "Google Drive did not answer (503). Asking again in 0.3 s."
        edit_amount(google, 2600)
        assert ": synced in " in running.next_line()
        assert funnel_amount(google, "Lead") == 2600
        assert running.watch.syncs == 2
    finally:
        running.close()
