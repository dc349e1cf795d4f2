"""Write-plan pieces as Sheets API requests, checked against the discovery document."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sync.backends.sheets import chart_requests as charts
from sync.backends.sheets import requests as build
from sync.backends.sheets.diff import Block
from sync.contract.plan import ChartSeries, ChartSpec, PlanColumn, TabOutput
from tests.sheets_emulator.discovery import validate_body


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (
            '=IMPORTXML("https://x","//a")',
            {"userEnteredValue": {"stringValue": '=IMPORTXML("https://x","//a")'}},
        ),
        ("0001", {"userEnteredValue": {"stringValue": "0001"}}),
        (1200.5, {"userEnteredValue": {"numberValue": 1200.5}}),
        (True, {"userEnteredValue": {"boolValue": True}}),
        # 2026-11-03 is serial 46329 (days since 1899-12-30).
        (date(2026, 11, 3), {"userEnteredValue": {"numberValue": 46329}}),
        # 06:00 is a quarter of a day.
        (datetime(2026, 11, 3, 6, 0), {"userEnteredValue": {"numberValue": 46329.25}}),
        (None, {}),
        ("", {}),
        (float("nan"), {}),
    ],
)
def test_cells(value, cell) -> None:
    assert build.cell(value) == cell
    assert json.loads(build.cell_json(value)) == cell


def _dashboard() -> TabOutput:
    return TabOutput(
        name="Dashboard",
        columns=[PlanColumn("KPI", "text", 26), PlanColumn("Value", "number", 14)],
        rows=[["Revenue This Period", 1200.0], ["Win Rate", 0.25], ["As Of", date(2026, 11, 3)]],
        currency="EUR",
        cell_types={(0, 1): "money", (1, 1): "percent"},
        charts=[
            ChartSpec("Revenue by period", "column", 0, (ChartSeries("Revenue", 1, 0, 1),), 0, 5),
        ],
    )


def test_every_request_fits_the_discovery_document() -> None:
    output = _dashboard()
    grid = [output.headers, *output.rows]
    spec = charts.chart_spec(output.charts[0], 7)
    requests = [
        build.add_sheet(7, "Dashboard", 10, 6),
        build.resize(7, 20, 6),
        build.freeze_header(7),
        *[build.as_dict(r) for r in build.write_values(7, grid, Block(0, 4, 0, 2))],
        build.clear_rows(7, 4, 6, 2),
        *build.layout(output, 7, 20),
        *build.cell_formats(output, 7, 1, range(3)),
        build.protect(7),
        charts.add_chart(output.charts[0], spec, 7),
        charts.update_chart(12, spec),
        charts.delete_chart(13),
    ]
    validate_body({"requests": requests}, "BatchUpdateSpreadsheetRequest")


def test_cell_formats_follow_the_cell_types() -> None:
    requests = build.cell_formats(_dashboard(), 7, 1, range(3))
    formats = {
        r["repeatCell"]["range"]["startRowIndex"]: r["repeatCell"]["cell"]["userEnteredFormat"]
        for r in requests
    }
    assert formats == {
        1: {"numberFormat": {"type": "CURRENCY", "pattern": '"€"#,##0.00;-"€"#,##0.00'}},
        2: {"numberFormat": {"type": "PERCENT", "pattern": "0.0%"}},
        3: {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
    }


def test_chart_ranges_skip_the_header_row() -> None:
    spec = charts.chart_spec(_dashboard().charts[0], 7)
    series = spec["basicChart"]["series"][0]["series"]["sourceRange"]["sources"][0]
    # Data rows 0..1 are sheet rows 2..3: row indexes 1 to 3 (end-exclusive).
    assert (series["startRowIndex"], series["endRowIndex"]) == (1, 3)
    assert (series["startColumnIndex"], series["endColumnIndex"]) == (1, 2)


def test_protection_is_a_warning_only() -> None:
    assert build.protect(3)["addProtectedRange"]["protectedRange"]["warningOnly"] is True


def test_big_writes_split_by_rows_and_bodies() -> None:
    grid = [[f"row {r} cell {c}" for c in range(10)] for r in range(2000)]
    requests = build.write_values(1, grid, Block(0, 2000, 0, 10), max_bytes=50_000)
    assert len(requests) > 1
    ranges = [r.as_dict()["updateCells"]["range"] for r in requests]
    # The pieces cover rows 0..2000 exactly, in order, without gaps.
    assert ranges[0]["startRowIndex"] == 0 and ranges[-1]["endRowIndex"] == 2000
    for before, after in zip(ranges, ranges[1:], strict=False):
        assert before["endRowIndex"] == after["startRowIndex"]
    bodies = build.split_batches(requests, max_bytes=120_000)
    assert all(len(body) <= 120_000 for body in bodies)
    assert sum(len(json.loads(body)["requests"]) for body in bodies) == len(requests)


def test_contains_ignores_fields_google_adds() -> None:
    wanted = {"title": "T", "basicChart": {"chartType": "BAR"}}
    assert charts.contains(
        {"title": "T", "basicChart": {"chartType": "BAR", "stackedType": "X"}}, wanted
    )
    assert not charts.contains({"title": "T", "basicChart": {"chartType": "LINE"}}, wanted)


def test_contains_reads_a_left_out_field_as_its_default() -> None:
    source = {"sheetId": 5, "startRowIndex": 1, "endRowIndex": 4, "startColumnIndex": 0}
    wanted = {"headerCount": 0, "sources": [source], "stacked": False, "title": ""}
    # A proto3 JSON answer leaves out 0, false and "": they still match.
    answer = {"sources": [{"sheetId": 5, "startRowIndex": 1, "endRowIndex": 4}]}
    assert charts.contains(answer, wanted)
    assert charts.contains(
        {"sources": [{"sheetId": 5, "endRowIndex": 4, "startRowIndex": 1}]},
        {"sources": [{"sheetId": 5, "startRowIndex": 1, "endRowIndex": 4}], "series": []},
    )
    # A left-out field does not match a value other than its default.
    assert not charts.contains(
        {"sources": [{"sheetId": 5, "endRowIndex": 4}]}, {"sources": [source]}
    )
    assert not charts.contains({}, {"headerCount": 1})
    assert not charts.contains({}, {"title": "Funnel"})


@given(
    st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=60),
    st.integers(min_value=500, max_value=5000),
)
# Two requests of 29 + 26 and 29 + 400 bytes make a body of exactly 15 + 55 + 1 + 429 = 500.
@example(lengths=[26, 400], limit=500)
def test_split_batches_keeps_order_and_size(lengths: list[int], limit: int) -> None:
    requests = [{"updateCells": {"fields": "x" * length}} for length in lengths]
    bodies = build.split_batches(requests, max_bytes=limit)
    decoded = [r for body in bodies for r in json.loads(body)["requests"]]
    assert decoded == requests
    assert all(len(body) <= limit for body in bodies)
    # As few bodies as possible: no two neighbours would have fitted together.
    sizes = [len(body) for body in bodies]
    for first, second in zip(sizes, sizes[1:], strict=False):
        assert first + second - len('{"requests":[]}') + 1 > limit


def test_cell_formats_merge_into_blocks_of_equal_formats() -> None:
    columns = [PlanColumn("Metric", "text", 10), PlanColumn("Target", "number", 10),
               PlanColumn("Actual", "number", 10), PlanColumn("Pace", "text", 8)]
    rows = [["Revenue", 1, 2, "Ahead"], ["Revenue", 3, 4, "Done"], ["Deals Won", 5, 6, "Done"],
            ["Revenue", 7, 8, "Missed"]]
    money = {(row, column): "money" for row in (0, 1, 3) for column in (1, 2)}
    output = TabOutput("Goal Progress", columns, rows, currency="USD", cell_types=money)
    requests = build.cell_formats(output, sheet_id=5, first_row=1, rows=range(4))
    # rows 0-1 share one block over columns 1-2; row 2 keeps its column format; row 3 alone
    assert [r["repeatCell"]["range"] for r in requests] == [
        {"sheetId": 5, "startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 1,
         "endColumnIndex": 3},
        {"sheetId": 5, "startRowIndex": 4, "endRowIndex": 5, "startColumnIndex": 1,
         "endColumnIndex": 3},
    ]
    assert requests[0]["repeatCell"]["cell"]["userEnteredFormat"]["numberFormat"]["type"] == (
        "CURRENCY"
    )
    validate_body({"requests": requests}, "BatchUpdateSpreadsheetRequest")
