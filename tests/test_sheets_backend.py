"""The Google Sheets backend through real gspread and google-auth, against the emulator."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from sync.backends.sheets.auth import RetryPolicy
from sync.backends.sheets.backend import SheetsBackend
from sync.contract.plan import ChartSeries, ChartSpec, PlanColumn, TabOutput
from sync.errors import CredentialsError, MissingTabError, SheetsApiError
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
PIPELINE = [
    ["Deal ID", "Deal", "Owner", "Stage", "Amount", "Created"],
    ["D-1", "Acme renewal", "Ana Ruiz", "Proposal", 12000, date(2026, 9, 14)],
    ["D-2", "Globex", "Bo Chen", "Won", 8000, date(2026, 8, 1)],
]


@pytest.fixture
def book(sheets_env: SheetsEmulator) -> SheetsEmulator:
    """An emulated spreadsheet with the owner's Pipeline and Settings, shared with us."""
    sheets_env.create(
        SHEET,
        {"Pipeline": PIPELINE, "Settings": [["Setting", "Value"], ["Currency", "EUR"]]},
        editors=(CLIENT_EMAIL,),
    )
    return sheets_env


def no_wait() -> RetryPolicy:
    """A retry policy that records its waits instead of sleeping."""
    waits: list[float] = []
    return RetryPolicy(sleep=waits.append, jitter=lambda: 0.5)


def backend(retry: RetryPolicy | None = None) -> SheetsBackend:
    """A fresh backend, as each sync makes one (URL and key come from the environment)."""
    return SheetsBackend(SHEET, retry=retry or no_wait())


def funnel(deals: int = 3, rows: int = 4) -> TabOutput:
    """A small hand-built Funnel tab."""
    return TabOutput(
        name="Funnel",
        columns=[
            PlanColumn("Rep", "text", 18),
            PlanColumn("Stage", "text", 14),
            PlanColumn("Deals", "integer", 8),
            PlanColumn("Amount", "money", 14),
            PlanColumn("Conversion From First", "percent", 14),
        ],
        rows=[["All", f"Stage {i}", deals + i, 1000.0 * i, 1 / (i + 1)] for i in range(rows)],
        currency="EUR",
    )


def dashboard() -> TabOutput:
    """A hand-built Dashboard: mixed value types and one chart."""
    return TabOutput(
        name="Dashboard",
        columns=[
            PlanColumn("KPI", "text", 26),
            PlanColumn("Value", "number", 14),
            PlanColumn("Target", "number", 14),
            PlanColumn("Status", "text", 12),
        ],
        rows=[
            ["Revenue This Period", 20000.0, 25000.0, "Behind"],
            ["Win Rate", 0.5, None, ""],
            ["Source", '=IMPORTXML("https://example.com","//title")', None, None],
        ],
        currency="EUR",
        cell_types={(0, 1): "money", (0, 2): "money", (1, 1): "percent"},
        charts=[
            ChartSpec("Revenue by period", "column", 0, (ChartSeries("Value", 1, 0, 1),), 0, 5)
        ],
    )


def stage_log(*rows: list) -> TabOutput:
    """The append-only Stage Log."""
    return TabOutput(
        name="Stage Log",
        columns=[
            PlanColumn("Deal ID", "id", 10),
            PlanColumn("From Stage", "text", 14),
            PlanColumn("To Stage", "text", 14),
            PlanColumn("Changed At", "datetime", 18),
        ],
        rows=[list(row) for row in rows],
        append_only=True,
    )


def batch_bodies(emulator: SheetsEmulator) -> list[dict]:
    """The batchUpdate bodies the emulator received."""
    return [r.body for r in emulator.api_records() if r.endpoint == "batchUpdate"]


def sheet_ids(node) -> set[int]:
    """Every sheetId a request body refers to."""
    if isinstance(node, dict):
        found = {node["sheetId"]} if "sheetId" in node else set()
        return found.union(*(sheet_ids(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(sheet_ids(item) for item in node))
    return set()


def sync(outputs: list[TabOutput], retry: RetryPolicy | None = None):
    """One sync as the engine does it: read the input tabs, then write."""
    sheets = backend(retry)
    grids = sheets.read(["Settings", "Stages", "Pipeline", "Stage Log"])
    return grids, sheets.write(outputs)


# ---- a full sync ---------------------------------------------------------------------------


def test_first_sync_reads_and_writes_in_three_calls(book: SheetsEmulator) -> None:
    grids, stats = sync(
        [
            funnel(),
            dashboard(),
            stage_log(["D-1", "Lead", "Proposal", datetime(2026, 11, 3, 9, 30)]),
        ]
    )
    assert [r.endpoint for r in book.api_records()] == ["get", "values.batchGet", "batchUpdate"]
    # Input tabs come back as written; the date cell as its serial: 2026-09-14 is 50 days
    # before 2026-11-03 (16 + 31 + 3), serial 46329 - 50 = 46279.
    assert grids["Pipeline"][1] == ["D-1", "Acme renewal", "Ana Ruiz", "Proposal", 12000, 46279]
    assert "Stages" not in grids  # absent tabs are absent
    assert stats.tabs_written == ["Funnel", "Dashboard", "Stage Log"]
    # Header and rows: Funnel 5 rows x 5 columns, Dashboard 4 x 4, Stage Log 2 x 4.
    assert stats.cells_written == 25 + 16 + 8
    assert stats.requests == 1
    assert book.values(SHEET, "Funnel")[1] == ["All", "Stage 0", 3, 0, 1]


def test_computed_tabs_get_formats_protection_and_frozen_header(book: SheetsEmulator) -> None:
    sync([funnel(), dashboard()])
    sheet = book.book(SHEET).sheet("Funnel")
    assert sheet.properties["gridProperties"]["frozenRowCount"] == 1
    assert book.cell(SHEET, "Funnel", "A1")["userEnteredFormat"]["textFormat"] == {"bold": True}
    money = book.cell(SHEET, "Funnel", "D3")
    assert money["formattedValue"] == "€1,000.00"
    assert book.cell(SHEET, "Funnel", "E3")["formattedValue"] == "50.0%"
    assert [p["warningOnly"] for p in sheet.protected_ranges] == [True]
    # Dashboard values carry their own type: money, then percent.
    assert book.cell(SHEET, "Dashboard", "B2")["formattedValue"] == "€20,000.00"
    assert book.cell(SHEET, "Dashboard", "B3")["formattedValue"] == "50.0%"


def test_imported_formulas_stay_text(book: SheetsEmulator) -> None:
    sync([dashboard()])
    cell = book.cell(SHEET, "Dashboard", "B4")
    assert cell["userEnteredValue"] == {
        "stringValue": '=IMPORTXML("https://example.com","//title")'
    }


def test_dashboard_chart_is_added_once_then_updated(book: SheetsEmulator) -> None:
    sync([dashboard()])
    charts = book.book(SHEET).sheet("Dashboard").charts
    assert [c["spec"]["title"] for c in charts] == ["Revenue by period"]
    changed = dashboard()
    changed.charts = [
        ChartSpec("Revenue by period", "line", 0, (ChartSeries("Value", 1, 0, 2),), 0, 5)
    ]
    book.reset_counters()
    sync([changed])
    requests = batch_bodies(book)[0]["requests"]
    assert [next(iter(r)) for r in requests] == ["updateChartSpec"]
    charts = book.book(SHEET).sheet("Dashboard").charts
    assert [c["spec"]["basicChart"]["chartType"] for c in charts] == ["LINE"]


def _without_defaults(node):
    """A JSON answer as proto3 prints it: fields holding 0, false or "" left out."""
    if isinstance(node, dict):
        # `value not in (0, "")` also leaves out False, which equals 0.
        return {k: _without_defaults(v) for k, v in node.items() if v not in (0, "")}
    if isinstance(node, list):
        return [_without_defaults(item) for item in node]
    return node


def test_a_chart_read_back_without_its_default_fields_is_left_alone(book: SheetsEmulator) -> None:
    sync([dashboard()])
    sheet = book.book(SHEET).sheet("Dashboard")
    (chart,) = sheet.charts
    assert (
        chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0][
            "startColumnIndex"
        ]
        == 0
    )
    chart["spec"] = _without_defaults(chart["spec"])  # headerCount 0, startColumnIndex 0 gone
    assert "headerCount" not in chart["spec"]["basicChart"]
    book.reset_counters()
    _, stats = sync([dashboard()])
    assert (stats.requests, stats.tabs_written) == (0, [])
    assert "batchUpdate" not in book.calls


def test_input_tabs_are_never_written(book: SheetsEmulator) -> None:
    sync([funnel(), dashboard()])
    pipeline_id = book.book(SHEET).sheet("Pipeline").sheet_id
    assert pipeline_id not in sheet_ids(batch_bodies(book))
    assert book.values(SHEET, "Pipeline")[1][-1] == 46279
    wrong = TabOutput("Pipeline", [PlanColumn("Deal ID", "id", 10)], [["X"]])
    with pytest.raises(ValueError, match="input tab"):
        backend().write([wrong])


# ---- writes proportional to the change -------------------------------------------------------


def test_an_unchanged_resync_sends_no_batch_update(book: SheetsEmulator) -> None:
    outputs = [funnel(), dashboard(), stage_log(["D-1", "Lead", "Proposal", datetime(2026, 11, 3)])]
    sync(outputs)
    book.reset_counters()
    _, stats = sync(outputs)
    assert (stats.cells_written, stats.requests, stats.tabs_written) == (0, 0, [])
    assert [r.endpoint for r in book.api_records()] == ["get", "values.batchGet"]


def test_a_small_edit_sends_only_the_changed_cells(book: SheetsEmulator) -> None:
    sync([funnel(rows=50)])
    edited = funnel(rows=50)
    edited.rows[10][3] = 123.0  # sheet row 12, column D
    edited.rows[11][3] = 456.0  # sheet row 13, column D
    book.reset_counters()
    _, stats = sync([edited])
    assert stats.cells_written == 2
    (body,) = batch_bodies(book)
    (request,) = body["requests"]
    assert request["updateCells"]["range"] == {
        "sheetId": request["updateCells"]["range"]["sheetId"],
        "startRowIndex": 11,
        "endRowIndex": 13,
        "startColumnIndex": 3,
        "endColumnIndex": 4,
    }
    assert book.values(SHEET, "Funnel")[12][3] == 456


def test_a_growing_tab_is_resized_with_headroom(book: SheetsEmulator) -> None:
    sync([funnel(rows=4)])
    grid = book.book(SHEET).sheet("Funnel").properties["gridProperties"]
    # Header + 4 rows, plus 50 rows of headroom; 5 columns.
    assert (grid["rowCount"], grid["columnCount"]) == (5 + 50, 5)
    sync([funnel(rows=30)])  # 31 rows still fit in 55: no resize
    assert book.book(SHEET).sheet("Funnel").properties["gridProperties"]["rowCount"] == 55
    book.reset_counters()
    sync([funnel(rows=80)])
    (body,) = batch_bodies(book)
    resize = [r["updateSheetProperties"] for r in body["requests"] if "updateSheetProperties" in r]
    assert [r["properties"]["gridProperties"] for r in resize] == [
        {"rowCount": 81 + 50, "columnCount": 5}
    ]
    assert len(book.values(SHEET, "Funnel")) == 81
    # The new rows get the column formats: row 81 holds data row 79, Amount 79,000.
    assert book.cell(SHEET, "Funnel", "D81")["formattedValue"] == "€79,000.00"


def test_a_shrinking_tab_clears_the_rows_that_are_gone(book: SheetsEmulator) -> None:
    sync([funnel(rows=6)])
    _, stats = sync([funnel(rows=2)])
    assert len(book.values(SHEET, "Funnel")) == 3  # header + 2 rows
    assert stats.cells_written == 4 * 5  # four rows of five cells emptied


def test_stage_log_is_append_only(book: SheetsEmulator) -> None:
    first = ["D-1", "Lead", "Proposal", datetime(2026, 11, 3, 9, 30)]
    second = ["D-2", "Proposal", "Won", datetime(2026, 11, 4, 10, 0)]
    sync([stage_log(first)])
    book.reset_counters()
    # The engine hands the whole log back; only the new row travels.
    _, stats = sync([stage_log(first, second)])
    assert stats.cells_written == 4
    (body,) = batch_bodies(book)
    update = [r["updateCells"] for r in body["requests"] if "updateCells" in r]
    assert [(u["range"]["startRowIndex"], u["range"]["endRowIndex"]) for u in update] == [(2, 3)]
    # 2026-11-04 10:00 is serial 46330 + 10/24.
    assert book.values(SHEET, "Stage Log")[2] == ["D-2", "Proposal", "Won", 46330 + 10 / 24]


def test_a_big_plan_is_split_into_bodies_under_two_megabytes(book: SheetsEmulator) -> None:
    big = TabOutput(
        name="Customer Segments",
        columns=[PlanColumn(f"Column {i}", "text", 12) for i in range(10)],
        rows=[[f"customer {r} field {c} " + "x" * 20 for c in range(10)] for r in range(6000)],
    )
    _, stats = sync([big])
    sizes = [r.request_bytes for r in book.api_records() if r.endpoint == "batchUpdate"]
    assert stats.requests == len(sizes) >= 2
    assert sum(sizes) > 2_000_000 and max(sizes) <= 2_000_000
    assert book.values(SHEET, "Customer Segments")[6000][9] == "customer 5999 field 9 " + "x" * 20


def test_a_split_write_that_fails_half_way_is_completed_by_the_next_sync(
    book: SheetsEmulator,
) -> None:
    big = TabOutput(
        name="Customer Segments",
        columns=[
            PlanColumn("Customer", "text", 30),
            *(PlanColumn(f"Note {i}", "text", 12) for i in range(8)),
            PlanColumn("Revenue", "money", 14),
        ],
        rows=[
            [f"customer {r}", *(f"note {r}.{c} " + "x" * 20 for c in range(8)), 100.0 + r]
            for r in range(6000)
        ],
        currency="EUR",
    )
    book.fail(400, times=1, endpoint="batchUpdate", skip=1)  # the second body is refused
    with pytest.raises(SheetsApiError):
        sync([big])
    bodies = [r for r in book.api_records() if r.endpoint == "batchUpdate"]
    assert [r.status for r in bodies] == [200, 400]
    _, stats = sync([big])
    assert stats.requests >= 1
    # Values, formats, widths and the protection are all there after the second sync ...
    assert book.values(SHEET, "Customer Segments")[6000][-1] == 6099
    assert book.cell(SHEET, "Customer Segments", "A1")["userEnteredFormat"]["textFormat"] == {
        "bold": True
    }
    assert book.cell(SHEET, "Customer Segments", "J6001")["formattedValue"] == "€6,099.00"
    sheet = book.book(SHEET).sheet("Customer Segments")
    assert sheet.column_pixels[0] == 30 * 7 + 12
    assert [p["warningOnly"] for p in sheet.protected_ranges] == [True]
    # ... and a third sync has nothing left to do.
    book.reset_counters()
    _, stats = sync([big])
    assert (stats.requests, stats.cells_written) == (0, 0)


# ---- tab names -------------------------------------------------------------------------------


def test_tab_names_with_spaces_apostrophes_and_chinese(sheets_env: SheetsEmulator) -> None:
    sheets_env.create(
        SHEET,
        {"销售管道": PIPELINE, "Ana's Notes 备注": [["Note"], ["call back"]]},
        editors=(CLIENT_EMAIL,),
    )
    grids = backend().read(["Pipeline", "Ana's Notes 备注"])
    assert grids["Pipeline"][2][0] == "D-2"  # the zh-CN name of the Pipeline tab
    assert grids["Ana's Notes 备注"] == [["Note"], ["call back"]]


def test_today_is_in_the_spreadsheets_time_zone(sheets_env: SheetsEmulator) -> None:
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: never the same date.
    sheets_env.create("east", {"Pipeline": PIPELINE}, (CLIENT_EMAIL,), "Pacific/Kiritimati")
    sheets_env.create("west", {"Pipeline": PIPELINE}, (CLIENT_EMAIL,), "Pacific/Pago_Pago")
    east = SheetsBackend("east").today()
    west = SheetsBackend("west").today()
    assert east - west in (timedelta(days=1), timedelta(days=2))


# ---- retries ---------------------------------------------------------------------------------


def test_quota_errors_are_retried_honouring_retry_after(book: SheetsEmulator) -> None:
    book.fail(429, times=2, endpoint="batchUpdate", retry_after=3)
    retry = no_wait()
    _, stats = sync([funnel()], retry)
    assert stats.requests == 1
    # Two waits, each at least the 3 s Retry-After (backoff alone would be 1.5 s, then 2.5 s).
    assert retry.waits == [3.0, 3.0]
    assert book.values(SHEET, "Funnel")[0][0] == "Rep"


def test_server_errors_are_retried_with_backoff(book: SheetsEmulator) -> None:
    book.fail(500, times=1, endpoint="values.batchGet")
    retry = no_wait()
    sync([funnel()], retry)
    # 2^0 s plus a random part drawn as 0.5 s.
    assert retry.waits == [1.5]


def test_endless_quota_errors_stop_within_the_budget(book: SheetsEmulator) -> None:
    book.fail(429, times=float("inf"), endpoint="batchUpdate")
    retry = RetryPolicy(budget_seconds=60, sleep=lambda _: None, jitter=lambda: 1.0)
    retry_waits = retry.waits
    with pytest.raises(SheetsApiError, match="kept answering 429"):
        sync([funnel()], retry)
    # 2^n + 1 s: 2, 3, 5, 9, 17 s, 36 s in all; the next, min(32 + 1, 32) = 32 s, would
    # end at 68 s, past 60 s.
    assert retry_waits == [2, 3, 5, 9, 17]
    assert [sheet.title for sheet in book.book(SHEET).sheets] == ["Pipeline", "Settings"]


def test_slow_server_errors_count_against_the_budget(book: SheetsEmulator) -> None:
    book.fail(503, times=float("inf"), endpoint="get")
    now = [0.0]

    def clock() -> float:
        # Each reading comes after one more answer, and every answer took 25 s.
        reading = now[0]
        now[0] += 25
        return reading

    def sleep(seconds: float) -> None:
        now[0] += seconds

    retry = RetryPolicy(budget_seconds=60, sleep=sleep, clock=clock, jitter=lambda: 0.5)
    with pytest.raises(SheetsApiError, match="kept answering 503") as caught:
        backend(retry).metadata()
    # Answer 1 at 25 s, wait 1 + 0.5 s; answer 2 at 51.5 s, wait 2 + 0.5 s; answer 3 at
    # 79 s: past 60 s, so three attempts, not the twelve the waits alone allow.
    assert retry.waits == [1.5, 2.5]
    assert book.calls["get"] == 3
    assert "for 79 s after 3 attempts" in str(caught.value)


def test_the_budget_is_shared_by_the_calls_of_one_sync(book: SheetsEmulator) -> None:
    book.fail(429, times=2, endpoint="get", retry_after=25)
    book.fail(429, times=1, endpoint="values.batchGet", retry_after=25)
    retry = no_wait()
    with pytest.raises(SheetsApiError) as caught:
        sync([funnel()], retry)
    # The metadata call waited 25 s twice (Retry-After), then succeeded; the batchGet's
    # first 25 s wait would end at 75 s, past the 60 s budget of the whole sync.
    assert retry.waits == [25.0, 25.0]
    assert "kept answering 429 Too Many Requests for 50 s after 1 attempt:" in str(caught.value)
    assert (book.calls["get"], book.calls["values.batchGet"]) == (3, 1)


def test_a_failed_write_leaves_the_computed_tabs_as_they_were(book: SheetsEmulator) -> None:
    sync([funnel()])
    before = book.values(SHEET, "Funnel")
    book.fail(400, times=1, endpoint="batchUpdate")
    with pytest.raises(SheetsApiError):
        sync([funnel(deals=99)])
    assert book.values(SHEET, "Funnel") == before


# ---- errors that say what to do ------------------------------------------------------------------


def test_unshared_spreadsheet(sheets_env: SheetsEmulator) -> None:
    sheets_env.create(SHEET, {"Pipeline": PIPELINE}, editors=("owner@example.com",))
    with pytest.raises(SheetsApiError) as caught:
        backend().read(["Pipeline"])
    assert f"Share the spreadsheet with {CLIENT_EMAIL} as an editor" in str(caught.value)


def test_sheets_api_not_enabled(book: SheetsEmulator) -> None:
    # Google's answer when the key's Cloud project has not enabled the Sheets API.
    book.fail(
        403,
        endpoint="get",
        message="Google Sheets API has not been used in project 123456 before or it is "
        "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
        "sheets.googleapis.com/overview?project=123456 then retry.",
    )
    with pytest.raises(SheetsApiError) as caught:
        backend().read(["Pipeline"])
    assert str(caught.value).startswith(
        "The Google Sheets API is not enabled for the service account's project"
    )


def test_wrong_spreadsheet_id(sheets_env: SheetsEmulator) -> None:
    with pytest.raises(SheetsApiError, match=f"No spreadsheet has the id {SHEET}"):
        backend().read(["Pipeline"])


def test_a_renamed_pipeline_tab(sheets_env: SheetsEmulator) -> None:
    sheets_env.create(SHEET, {"Deals 2026": PIPELINE}, editors=(CLIENT_EMAIL,))
    with pytest.raises(MissingTabError) as caught:
        backend().read(["Settings", "Pipeline"])
    assert str(caught.value) == (
        f'Spreadsheet {SHEET} has no "Pipeline" tab (renamed or deleted?): rename it back to '
        f'"Pipeline", or run `salesops init --sheet {SHEET}` to recreate the missing template '
        "tabs."
    )


def test_a_renamed_optional_tab_is_a_data_issue_offering_init(
    sheets_env: SheetsEmulator,
) -> None:
    from sync.engine import check_workbook

    sheets_env.create(SHEET, {"Pipeline": PIPELINE, "Team 2": [["Rep"], ["Ana"]]},
                      editors=(CLIENT_EMAIL,))
    report = check_workbook(backend(), now=datetime(2026, 11, 3, 18, 0))
    team = [issue for issue in report.issues if issue.tab == "Team"]
    assert team[0].problem == (
        f'The Team tab is missing, so it is read as empty: run "salesops init --sheet {SHEET}" '
        "to add it (your other tabs are kept)"
    )


def test_a_key_google_refuses(book: SheetsEmulator, tmp_path: Path) -> None:
    from tests.sheets_emulator.fixtures import make_private_key, write_key_file

    # A key the token endpoint does not know: deleted in the console, say.
    stranger = write_key_file(
        tmp_path / "old-key.json", make_private_key(), book.token_uri, CLIENT_EMAIL
    )
    with pytest.raises(CredentialsError) as caught:
        SheetsBackend(SHEET, credentials=stranger, retry=no_wait()).read(["Pipeline"])
    assert str(caught.value).startswith("Google refused the service account's key")
    assert "create a new JSON key" in str(caught.value)
    assert book.api_records() == [] and book.calls["token"] >= 1


def test_missing_key_file(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SALESOPS_GOOGLE_CREDENTIALS", str(tmp_path / "nope.json"))
    with pytest.raises(CredentialsError, match="nope.json does not exist"):
        SheetsBackend(SHEET)


def test_no_key_configured(monkeypatch) -> None:
    monkeypatch.delenv("SALESOPS_GOOGLE_CREDENTIALS", raising=False)
    with pytest.raises(CredentialsError, match="set SALESOPS_GOOGLE_CREDENTIALS"):
        SheetsBackend(SHEET)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not a readable JSON key"),
        ('{"type": "authorized_user"}', "is not a service-account key"),
        ('{"type": "service_account", "client_email": "a@b"}', "lacks private_key, token_uri"),
        (
            '{"type": "service_account", "client_email": "a@b", "token_uri": "http://x",'
            ' "private_key": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"}',
            "malformed private key",
        ),
    ],
)
def test_malformed_key_files(tmp_path: Path, content: str, message: str) -> None:
    key = tmp_path / "key.json"
    key.write_text(content, encoding="utf-8")
    with pytest.raises(CredentialsError, match=message):
        SheetsBackend(SHEET, credentials=key)


# ---- end to end ----------------------------------------------------------------------------------


def test_engine_sync_end_to_end(sheets_env: SheetsEmulator) -> None:
    from sync.demo.workbook import demo_grids
    from sync.engine import sync_workbook

    today = date(2026, 11, 3)
    sheets_env.create(SHEET, demo_grids(1, today=today), editors=(CLIENT_EMAIL,))
    now = datetime(2026, 11, 3, 18, 0)
    report = sync_workbook(backend(), now=now)
    assert report.requests >= 1 and report.cells_written > 0
    assert len(sheets_env.api_records()) == 2 + report.requests
    assert sheets_env.values(SHEET, "Funnel")[0][:3] == ["Rep", "Stage", "Deals"]
    sheets_env.reset_counters()
    again = sync_workbook(backend(), now=now)
    assert (again.cells_written, again.requests) == (0, 0)
    assert [r.endpoint for r in sheets_env.api_records()] == ["get", "values.batchGet"]


def test_the_demo_computes_the_same_from_sheets_as_from_xlsx(
    sheets_env: SheetsEmulator,
    tmp_path: Path,
) -> None:
    from sync.backends.xlsx.backend import XlsxBackend
    from sync.demo.workbook import demo_grids, write_demo_workbook
    from sync.engine import compute_tabs
    from sync.read import validate_workbook
    from sync.schema import input_tabs

    today, now = date(2026, 11, 3), datetime(2026, 11, 3, 18, 0)
    sheets_env.create(SHEET, demo_grids(1, 7, today=today), editors=(CLIENT_EMAIL,))
    workbook = write_demo_workbook(tmp_path / "demo.xlsx", today=today)
    names = [spec.tab for spec in input_tabs()] + ["Stage Log"]
    computed = {}
    for label, source in (("sheets", backend()), ("xlsx", XlsxBackend(workbook))):
        tables, issues = validate_workbook(source.read(names), today=today)
        computed[label] = compute_tabs(tables, issues, now)
    sheets, xlsx = computed["sheets"], computed["xlsx"]
    # The same validation sees the same rows (serial dates read as dates), finds the same
    # mistakes the demo plants, and every computed tab comes out equal, value and type.
    assert [i.problem for i in sheets.issues] == [i.problem for i in xlsx.issues]
    assert len(sheets.issues) == 5
    assert sheets.kpis == xlsx.kpis
    for ours, theirs in zip(sheets.outputs, xlsx.outputs, strict=True):
        assert ours.name == theirs.name
        assert ours.rows == theirs.rows, ours.name
        assert [list(map(type, row)) for row in ours.rows] == [
            list(map(type, row)) for row in theirs.rows
        ], ours.name


def test_engine_resync_after_a_stage_move_appends_one_log_row(sheets_env: SheetsEmulator) -> None:
    from sync.demo.workbook import demo_grids
    from sync.engine import sync_workbook

    sheets_env.create(SHEET, demo_grids(1, today=date(2026, 11, 3)), editors=(CLIENT_EMAIL,))
    sync_workbook(backend(), now=datetime(2026, 11, 3, 18, 0))
    log_rows = len(sheets_env.values(SHEET, "Stage Log"))
    pipeline = sheets_env.book(SHEET).sheet("Pipeline")
    stage = pipeline.rows[0].index("Stage")
    row = next(r for r in range(1, len(pipeline.rows)) if pipeline.value(r, stage) == "Lead")
    pipeline.set_value(row, stage, "Qualified")  # the owner moves one deal
    sheets_env.reset_counters()
    sync_workbook(backend(), now=datetime(2026, 11, 4, 9, 0))
    log = sheets_env.values(SHEET, "Stage Log")
    # 2026-11-04 09:00 is serial 46330 + 9/24 = 46330.375.
    assert log[-1] == [pipeline.value(row, 0), "Lead", "Qualified", 46330.375]
    assert len(log) == log_rows + 1
    log_id = sheets_env.book(SHEET).sheet("Stage Log").sheet_id
    (body,) = batch_bodies(sheets_env)
    log_writes = [
        r["updateCells"]["range"]
        for r in body["requests"]
        if "updateCells" in r and r["updateCells"]["range"]["sheetId"] == log_id
    ]
    assert [(w["startRowIndex"], w["endRowIndex"]) for w in log_writes] == [
        (log_rows, log_rows + 1)
    ]


def test_a_computed_tab_named_in_another_case_is_reused(sheets_env: SheetsEmulator) -> None:
    # Sheets refuses a second tab whose name differs only by case, so write into it.
    sheets_env.create(
        SHEET, {"Pipeline": PIPELINE, "funnel": [["old"], ["stale"]]}, editors=(CLIENT_EMAIL,)
    )
    sync([funnel(rows=1)])
    assert [sheet.title for sheet in sheets_env.book(SHEET).sheets] == ["Pipeline", "funnel"]
    assert sheets_env.values(SHEET, "funnel") == [
        ["Rep", "Stage", "Deals", "Amount", "Conversion From First"],
        ["All", "Stage 0", 3, 0, 1],
    ]


def test_a_chart_added_twice_is_removed_again(book: SheetsEmulator) -> None:
    sync([dashboard()])
    sheet = book.book(SHEET).sheet("Dashboard")
    duplicate = {**sheet.charts[0], "chartId": 424242}  # as if a retried write added it again
    sheet.charts.append(duplicate)
    book.reset_counters()
    sync([dashboard()])
    (body,) = batch_bodies(book)
    assert body["requests"] == [{"deleteEmbeddedObject": {"objectId": 424242}}]
    assert len(book.book(SHEET).sheet("Dashboard").charts) == 1
