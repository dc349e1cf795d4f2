"""The Sheets API emulator itself: A1 ranges, discovery validation, responses, faults."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from tests.sheets_emulator.a1 import (
    A1Range,
    column_index,
    column_letters,
    format_a1,
    parse_a1,
    quote_tab,
)
from tests.sheets_emulator.discovery import InvalidArgument, validate_body
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator
from tests.sheets_emulator.values import render, to_serial


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1", A1Range(None, 0, 0, 1, 1)),
        ("Sheet1!B2:D10", A1Range("Sheet1", 1, 1, 10, 4)),
        ("'Deal Health'!A1:C", A1Range("Deal Health", 0, 0, None, 3)),
        ("'Ana''s Q4'!A:B", A1Range("Ana's Q4", 0, 0, None, 2)),
        ("'销售管道'!2:5", A1Range("销售管道", 1, None, 5, None)),
        ("'销售管道'", A1Range("销售管道", None, None, None, None)),
        ("AA10", A1Range(None, 9, 26, 10, 27)),
    ],
)
def test_parse_a1(text: str, expected: A1Range) -> None:
    assert parse_a1(text) == expected


def test_a_bare_tab_name_is_the_whole_tab() -> None:
    assert parse_a1("Pipeline", {"Pipeline"}) == A1Range("Pipeline", None, None, None, None)


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("Pipeline", "Pipeline"),
        ("Deal Health", "'Deal Health'"),
        ("Ana's", "'Ana''s'"),
        ("销售管道", "'销售管道'"),
        ("A1", "'A1'"),  # would read as a cell
    ],
)
def test_tab_names_are_quoted_like_the_api(title: str, quoted: str) -> None:
    assert quote_tab(title) == quoted


def test_format_a1() -> None:
    # Rows 0..9 and columns 0..3 (end-exclusive) are A1:D10.
    assert format_a1("Deal Health", 0, 0, 10, 4) == "'Deal Health'!A1:D10"


@given(st.integers(min_value=0, max_value=18_277))
def test_column_letters_round_trip(index: int) -> None:
    assert column_index(column_letters(index)) == index


def test_serial_dates() -> None:
    # 1899-12-30 is day 0; 1900-01-01 is day 2; 2026-11-03 is 46329 days later.
    assert to_serial(date(1899, 12, 30)) == 0
    assert to_serial(date(1900, 1, 1)) == 2
    assert to_serial(date(2026, 11, 3)) == 46329


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (1234.5, {"type": "CURRENCY", "pattern": '"$"#,##0.00;-"$"#,##0.00'}, "$1,234.50"),
        (-5, {"type": "CURRENCY", "pattern": '"$"#,##0.00;-"$"#,##0.00'}, "-$5.00"),
        (0.256, {"type": "PERCENT", "pattern": "0.0%"}, "25.6%"),
        (46329, {"type": "DATE", "pattern": "yyyy-mm-dd"}, "2026-11-03"),
        (46329.5, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}, "2026-11-03 12:00:00"),
        (3, None, "3"),
        (True, None, "TRUE"),
    ],
)
def test_formatted_values(value, number_format, shown) -> None:
    assert render(value, number_format) == shown


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"requests": [{"updateCels": {}}]}, "Unknown name \"updateCels\" at 'requests[0]'"),
        (
            {"requests": [{"addSheet": {"properties": {"title": "X", "sheetType": "PIE"}}}]},
            "Invalid value at 'requests[0].add_sheet.properties.sheet_type', \"PIE\"",
        ),
        (
            {"requests": [{"addSheet": {"properties": {"gridProperties": {"rowCount": "many"}}}}]},
            "(TYPE_INT32)",
        ),
        (
            {
                "requests": [
                    {
                        "updateCells": {
                            "rows": [
                                {
                                    "values": [
                                        {"userEnteredValue": {"stringValue": "a", "numberValue": 1}}
                                    ]
                                }
                            ],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            },
            "oneof field 'value' is already set",
        ),
        ({"requests": [{}]}, "No request set"),
        (
            {"requests": [{"addSheet": {}, "deleteSheet": {"sheetId": 1}}]},
            "oneof field 'kind' is already set",
        ),
        (
            {
                "requests": [
                    {"repeatCell": {"cell": {"userEnteredFormat": {"textFormat": {"bold": "yes"}}}}}
                ]
            },
            "(TYPE_BOOL)",
        ),
    ],
)
def test_discovery_validation_refuses_what_google_refuses(body, message) -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate_body(body, "BatchUpdateSpreadsheetRequest")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        (
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": 1, "gridProperties": {"rowCount": 5}},
                    "fields": "gridProperties.rowcount",
                }
            },
            "'gridProperties.rowcount' names 'rowcount', which is not a field of SheetProperties",
        ),
        (
            {
                "repeatCell": {
                    "cell": {"userEnteredFormat": {"numberFormat": {"type": "NUMBER"}}},
                    "fields": "userEnteredFormat.numberformat",
                }
            },
            "names 'numberformat', which is not a field of CellData",
        ),
        (
            {"updateCells": {"fields": "userEnteredValue,noteText", "rows": []}},
            "names 'noteText', which is not a field of CellData",
        ),
        (
            {
                "updateDimensionProperties": {
                    "properties": {"pixelSize": 10},
                    "fields": "pixelsize",
                }
            },
            "names 'pixelsize', which is not a field of DimensionProperties",
        ),
    ],
)
def test_a_misspelled_field_mask_is_refused(request_body, message) -> None:
    with pytest.raises(InvalidArgument, match="Invalid field mask") as caught:
        validate_body({"requests": [request_body]}, "BatchUpdateSpreadsheetRequest")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "mask",
    [
        "userEnteredValue,userEnteredFormat.textFormat.bold,note",
        "userEnteredFormat(numberFormat,textFormat/bold)",
        "*",
    ],
)
def test_field_masks_the_product_sends_pass(mask: str) -> None:
    validate_body({"requests": [{"repeatCell": {"fields": mask}}]}, "BatchUpdateSpreadsheetRequest")


def test_a_valid_body_passes() -> None:
    validate_body(
        {
            "requests": [
                {
                    "updateCells": {
                        "range": {"sheetId": 1, "startRowIndex": 0, "endRowIndex": 1},
                        "rows": [
                            {"values": [{"userEnteredValue": {"stringValue": "=IMPORTXML(1)"}}, {}]}
                        ],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        },
        "BatchUpdateSpreadsheetRequest",
    )


# ---- over HTTP ---------------------------------------------------------------------------


def _session(emulator: SheetsEmulator, account) -> requests.Session:
    """A requests session holding a token from the emulator, obtained by google-auth."""
    from google.auth.transport.requests import AuthorizedSession

    from sync.backends.sheets.auth import load_key

    return AuthorizedSession(load_key(account.key_path).credentials)


@pytest.fixture
def api(sheets_emulator, service_account):
    """(emulator, authorized session, base URL of a seeded spreadsheet)."""
    sheets_emulator.create(
        "book1",
        {
            "Pipeline": [
                ["Deal ID", "Amount", "Created", "Note"],
                ["D-1", 1200, date(2026, 11, 3), ""],
                ["D-2", None, None, None],
                [],
                [],
            ],
            "It's 销售": [["x"]],
        },
        editors=(CLIENT_EMAIL,),
    )
    base = f"{sheets_emulator.url}/v4/spreadsheets/book1"
    return sheets_emulator, _session(sheets_emulator, service_account), base


def test_values_get_is_shaped_like_the_api(api) -> None:
    emulator, session, base = api
    answer = session.get(
        f"{base}/values/Pipeline", params={"valueRenderOption": "UNFORMATTED_VALUE"}
    ).json()
    # The whole grid is 1000 rows x 26 columns; trailing empty cells and rows are trimmed.
    assert answer == {
        "range": "Pipeline!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["Deal ID", "Amount", "Created", "Note"], ["D-1", 1200, 46329], ["D-2"]],
    }


def test_formatted_values_and_quoted_ranges(api) -> None:
    emulator, session, base = api
    answer = session.get(
        f"{base}/values:batchGet", params={"ranges": ["'It''s 销售'!A1:B2", "Pipeline!C2"]}
    ).json()
    assert [r["range"] for r in answer["valueRanges"]] == ["'It''s 销售'!A1:B2", "Pipeline!C2"]
    assert answer["valueRanges"][1]["values"] == [["2026-11-03"]]


def test_bad_enum_in_a_query_parameter_is_refused(api) -> None:
    emulator, session, base = api
    answer = session.get(f"{base}/values/Pipeline", params={"valueRenderOption": "RAW"})
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_batch_update_is_atomic(api) -> None:
    emulator, session, base = api
    sheet_id = emulator.book("book1").sheet("Pipeline").sheet_id
    answer = session.post(
        f"{base}:batchUpdate",
        json={
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": 0},
                        "rows": [{"values": [{"userEnteredValue": {"stringValue": "X"}}]}],
                        "fields": "userEnteredValue",
                    }
                },
                {"deleteSheet": {"sheetId": 987654}},  # no such sheet: the whole batch fails
            ]
        },
    )
    assert answer.status_code == 400
    assert emulator.values("book1", "Pipeline")[1][0] == "D-1"


def test_writes_outside_the_grid_are_refused(api) -> None:
    emulator, session, base = api
    answer = session.post(
        f"{base}:batchUpdate",
        json={
            "requests": [
                {
                    "updateCells": {
                        "range": {"sheetId": 0, "startRowIndex": 999, "endRowIndex": 1001},
                        "fields": "userEnteredValue",
                    }
                }
            ]
        },
    )
    assert answer.status_code == 400
    assert "exceeds grid limits" in answer.json()["error"]["message"]


def test_fields_mask_on_get(api) -> None:
    emulator, session, base = api
    answer = session.get(base, params={"fields": "properties(timeZone),sheets(properties(title))"})
    assert answer.json() == {
        "properties": {"timeZone": "Etc/UTC"},
        "sheets": [{"properties": {"title": "Pipeline"}}, {"properties": {"title": "It's 销售"}}],
    }


def test_a_misspelled_fields_selector_is_refused_over_http(api) -> None:
    emulator, session, base = api
    answer = session.get(base, params={"fields": "sheets(propertiez(title))"})
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "'propertiez', which is not a field of Spreadsheet" in answer.json()["error"]["message"]


def test_a_misspelled_body_field_is_refused_over_http(api) -> None:
    emulator, session, base = api
    answer = session.post(
        f"{base}:batchUpdate",
        json={"requests": [{"addSheet": {"properties": {"title": "New", "frozenRows": 1}}}]},
    )
    assert answer.status_code == 400
    assert 'Unknown name "frozenRows"' in answer.json()["error"]["message"]
    assert [sheet.title for sheet in emulator.book("book1").sheets] == ["Pipeline", "It's 销售"]


def test_injected_429_carries_retry_after(api) -> None:
    emulator, session, base = api
    emulator.fail(429, times=1, retry_after=7)
    first = session.get(base)
    second = session.get(base)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 200
    assert emulator.calls["get"] == 2


def test_unshared_and_unknown_spreadsheets(api) -> None:
    emulator, session, base = api
    emulator.create("private", {"Pipeline": []}, editors=("someone@else.example",))
    assert session.get(base.replace("book1", "private")).status_code == 403
    assert session.get(base.replace("book1", "nope")).json()["error"]["status"] == "NOT_FOUND"


def test_a_token_needs_the_right_key(sheets_emulator, tmp_path) -> None:
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request

    from sync.backends.sheets.auth import load_key
    from tests.sheets_emulator.fixtures import make_private_key, write_key_file

    stranger = write_key_file(
        tmp_path / "other.json", make_private_key(), sheets_emulator.token_uri, CLIENT_EMAIL
    )
    credentials = load_key(stranger).credentials
    with pytest.raises(RefreshError, match="Invalid JWT Signature"):
        credentials.refresh(Request())


def test_requests_without_a_token_are_refused(api) -> None:
    emulator, session, base = api
    assert requests.get(base, timeout=10).status_code == 401


def test_grid_data_and_columns_major(api) -> None:
    emulator, session, base = api
    grid = session.get(base, params={"includeGridData": "true"}).json()
    # Offsets of 0 are left out, as Google does.
    assert "startRow" not in grid["sheets"][0]["data"][0]
    cell = grid["sheets"][0]["data"][0]["rowData"][1]["values"][2]
    assert cell["userEnteredValue"] == {"numberValue": 46329}
    assert cell["userEnteredFormat"]["numberFormat"]["type"] == "DATE"
    columns = session.get(
        f"{base}/values/Pipeline!A1:B3", params={"majorDimension": "COLUMNS"}
    ).json()
    assert columns["values"] == [["Deal ID", "D-1", "D-2"], ["Amount", "1200"]]


tab_names = st.text(
    alphabet=st.sampled_from(list("AbZ z'_-!销售1")), min_size=1, max_size=12
).filter(lambda name: name.strip() == name)


@given(
    tab_names,
    st.integers(0, 5000),
    st.integers(0, 700),
    st.integers(1, 50),
    st.integers(1, 30),
)
def test_a1_ranges_round_trip(title: str, row: int, column: int, height: int, width: int) -> None:
    text = format_a1(title, row, column, row + height, column + width)
    assert parse_a1(text) == A1Range(title, row, column, row + height, column + width)


def test_values_update_batch_update_and_clear_through_gspread(api, service_account) -> None:
    from sync.backends.sheets.auth import load_key, open_client

    emulator, session, base = api
    client = open_client(load_key(service_account.key_path), emulator.url)
    worksheet = client.open_by_key("book1").worksheet("It's 销售")
    # values.update, USER_ENTERED: text is parsed as a user would type it.
    answer = worksheet.update([["1,200", "2026-11-03", "=A1*2", "'0001", "TRUE"]], "A2", raw=False)
    assert answer["updatedRange"] == "'It''s 销售'!A2:E2"
    assert answer["updatedCells"] == 5
    assert emulator.values("book1", "It's 销售")[1] == [1200, 46329, "=A1*2", "0001", True]
    assert emulator.cell("book1", "It's 销售", "B2")["formattedValue"] == "2026-11-03"
    # RAW (gspread's default) keeps the text as typed.
    worksheet.update([["=A1*2", "2026-11-03"]], "A3")
    assert emulator.values("book1", "It's 销售")[2] == ["=A1*2", "2026-11-03"]
    assert emulator.cell("book1", "It's 销售", "A3")["userEnteredValue"] == {"stringValue": "=A1*2"}
    # values.batchUpdate: several ranges in one atomic call.
    worksheet.batch_update(
        [{"range": "C3", "values": [["c"]]}, {"range": "D3:E3", "values": [["d", 5]]}]
    )
    assert emulator.values("book1", "It's 销售")[2] == ["=A1*2", "2026-11-03", "c", "d", 5]
    assert emulator.calls["values.batchUpdate"] == 1
    # values.clear empties the values of the whole tab.
    worksheet.clear()
    assert emulator.values("book1", "It's 销售") == []
    assert emulator.calls["values.clear"] == 1
    # A write past the grid's last row is refused, as Google does.
    worksheet.resize(rows=3)  # gspread's mask is `gridProperties/rowCount`
    assert emulator.book("book1").sheet("It's 销售").properties["gridProperties"] == {
        "rowCount": 3,
        "columnCount": 26,
    }
    with pytest.raises(Exception, match="exceeds grid limits"):
        worksheet.update([["x"]], "A4")
