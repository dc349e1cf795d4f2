"""What the Sheets backend hands the reader: error cells and merged ranges, in one read."""

from __future__ import annotations

from datetime import date

import pytest
from gspread.exceptions import APIError

from sync.backends.sheets.auth import RetryPolicy
from sync.backends.sheets.backend import SheetsBackend, input_grid
from sync.contract.grid import CellError, TabGrid
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator
from tests.sheets_emulator.values import ErrorValue

SHEET = "1ReadReadReadReadReadReadReadReadRead01"
ORDERS = [
    ["Order ID", "Date", "Customer", "Amount", "Rep"],
    ["O-1", date(2026, 10, 1), "Acme", 1000, "Ana"],
    ["O-2", date(2026, 10, 2), "", 500, ""],
    ["O-3", date(2026, 10, 3), "Globex", ErrorValue("#N/A", "=VLOOKUP(A4,Prices!A:B,2,0)"), "Bo"],
    ["O-4", ErrorValue("#DIV/0!", "=1/0"), "Initech", ErrorValue("#REF!", "=#REF!+1"), "Bo"],
]


def backend() -> SheetsBackend:
    return SheetsBackend(SHEET, retry=RetryPolicy(sleep=lambda _: None, jitter=lambda: 0.5))


@pytest.fixture
def book(sheets_env: SheetsEmulator) -> SheetsEmulator:
    sheets_env.create(SHEET, {"Orders": ORDERS, "Pipeline": [["Deal ID"]]}, editors=(CLIENT_EMAIL,))
    return sheets_env


def test_error_cells_arrive_as_cell_errors(book: SheetsEmulator) -> None:
    grid = backend().read(["Orders"])["Orders"]
    assert grid[3][3] == "#N/A" and isinstance(grid[3][3], CellError)
    assert [type(value) for value in grid[4][1:4:2]] == [CellError, CellError]
    assert grid[4][1:4:2] == ["#DIV/0!", "#REF!"]
    assert not grid[4][1].is_formula
    assert not any(isinstance(value, CellError) for row in grid[:3] for value in row)


def test_the_emulator_answers_error_cells_as_sheets_does(book: SheetsEmulator) -> None:
    worksheet = backend().client.open_by_key(SHEET).worksheet("Orders")
    assert worksheet.get("D4", value_render_option="UNFORMATTED_VALUE") == [["#N/A"]]
    assert worksheet.get("D4", value_render_option="FORMATTED_VALUE") == [["#N/A"]]
    assert worksheet.get("D4", value_render_option="FORMULA") == [["=VLOOKUP(A4,Prices!A:B,2,0)"]]
    # An error is the result of a formula: the API refuses to write one directly.
    with pytest.raises(APIError, match="errorValue is read-only"):
        worksheet.spreadsheet.batch_update(
            {
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": worksheet.id, "rowIndex": 5, "columnIndex": 0},
                            "rows": [
                                {"values": [{"userEnteredValue": {"errorValue": {"type": "N_A"}}}]}
                            ],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            }
        )


def test_merged_ranges_hold_their_top_left_value_in_the_same_two_calls(
    book: SheetsEmulator,
) -> None:
    worksheet = backend().client.open_by_key(SHEET).worksheet("Orders")
    worksheet.merge_cells("C2:C3")  # a real mergeCells request through gspread
    worksheet.merge_cells("E2:E3")
    # Sheets keeps only the top-left value of a merge; the values API shows the rest blank.
    assert worksheet.get("C2:C3") == [["Acme"]]
    merges = book.book(SHEET).sheet("Orders").merges
    assert merges[0] == {
        "sheetId": worksheet.id,
        "startRowIndex": 1,
        "endRowIndex": 3,
        "startColumnIndex": 2,
        "endColumnIndex": 3,
    }
    book.reset_counters()
    grid = backend().read(["Orders"])["Orders"]
    assert [r.endpoint for r in book.api_records()] == ["get", "values.batchGet"]
    assert isinstance(grid, TabGrid) and grid.merged == ["C2:C3", "E2:E3"]
    assert [row[2] for row in grid[1:3]] == ["Acme", "Acme"]
    assert [row[4] for row in grid[1:3]] == ["Ana", "Ana"]


def test_the_emulator_merges_by_columns_and_refuses_overlaps(book: SheetsEmulator) -> None:
    worksheet = backend().client.open_by_key(SHEET).worksheet("Orders")
    worksheet.merge_cells("A2:B3", merge_type="MERGE_COLUMNS")
    merges = book.book(SHEET).sheet("Orders").merges
    assert [(m["startColumnIndex"], m["endColumnIndex"]) for m in merges] == [(0, 1), (1, 2)]
    assert book.values(SHEET, "Orders")[2][:2] == [None, None]  # only top-left values stay
    with pytest.raises(APIError, match="overlap an existing merge"):
        worksheet.merge_cells("B3:C3")
    worksheet.unmerge_cells("A2:B3")
    assert book.book(SHEET).sheet("Orders").merges == []


def test_a_merge_below_the_data_or_on_short_rows_is_safe() -> None:
    rows = [["Order ID", "Customer", "Rep"], ["O-1", "Acme"], ["O-2"]]
    merges = [
        {"startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 1, "endColumnIndex": 3},
        {"startRowIndex": 40, "endRowIndex": 45, "startColumnIndex": 0, "endColumnIndex": 2},
    ]
    grid = input_grid(rows, merges)
    assert grid == [
        ["Order ID", "Customer", "Rep"],
        ["O-1", "Acme", "Acme"],
        ["O-2", "Acme", "Acme"],
    ]
    assert grid.merged == ["B2:C3"]
