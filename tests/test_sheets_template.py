"""`salesops init --sheet ID`: the template's input tabs added to an existing spreadsheet."""

from __future__ import annotations

import pytest

from sync.backends.sheets.template import dropdown_rule, init_sheet
from sync.schema import input_tabs, tab_spec
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

SHEET = "template-sheet"


@pytest.fixture
def empty_book(sheets_env: SheetsEmulator) -> SheetsEmulator:
    """A new spreadsheet: one empty Sheet1, shared with the service account."""
    sheets_env.create(SHEET, {"Sheet1": []}, editors=(CLIENT_EMAIL,))
    return sheets_env


def test_init_creates_every_input_tab_in_one_batch_update(empty_book: SheetsEmulator) -> None:
    result = init_sheet(SHEET)
    assert result.created == [spec.tab for spec in input_tabs()]
    # No template tab exists yet, so there are no values to read.
    assert [r.endpoint for r in empty_book.api_records()] == ["get", "batchUpdate"]
    titles = [sheet.title for sheet in empty_book.book(SHEET).sheets]
    assert titles == ["Sheet1", *result.created]
    for spec in input_tabs():
        sheet = empty_book.book(SHEET).sheet(spec.tab)
        assert empty_book.values(SHEET, spec.tab)[0] == spec.headers
        assert sheet.properties["gridProperties"]["frozenRowCount"] == 1


def test_headers_carry_bold_and_help_notes(empty_book: SheetsEmulator) -> None:
    init_sheet(SHEET)
    header = empty_book.cell(SHEET, "Pipeline", "A1")
    # the same note as a local template: the help, then the declared example
    assert header["note"] == tab_spec("Pipeline").column("Deal ID").note
    assert header["note"].endswith("Example: D-0001")
    assert header["userEnteredFormat"]["textFormat"] == {"bold": True}


def test_stages_and_settings_rows(empty_book: SheetsEmulator) -> None:
    init_sheet(SHEET)
    assert empty_book.values(SHEET, "Stages")[1:] == [
        ["Lead", 1, 0.1, "Open"],
        ["Qualified", 2, 0.25, "Open"],
        ["Proposal", 3, 0.5, "Open"],
        ["Negotiation", 4, 0.75, "Open"],
        ["Won", 5, 1, "Won"],
        ["Lost", 6, 0, "Lost"],
    ]
    assert empty_book.cell(SHEET, "Stages", "C2")["formattedValue"] == "10%"
    settings = empty_book.values(SHEET, "Settings")
    assert [row[0] for row in settings[1:]] == [s.key for s in tab_spec("Settings").settings]
    assert settings[1] == ["Currency", "USD"]
    assert settings[4] == ["As Of"]  # blank: today
    period = empty_book.cell(SHEET, "Settings", "B3")["dataValidation"]["condition"]
    assert period == {
        "type": "ONE_OF_LIST",
        "values": [{"userEnteredValue": "Month"}, {"userEnteredValue": "Quarter"}],
    }


def test_dropdowns(empty_book: SheetsEmulator) -> None:
    init_sheet(SHEET)
    stage = empty_book.cell(SHEET, "Pipeline", "E2")["dataValidation"]
    assert stage["condition"] == {
        "type": "ONE_OF_RANGE",
        "values": [{"userEnteredValue": "='Stages'!$A$2:$A"}],
    }
    active = empty_book.cell(SHEET, "Team", "H500")["dataValidation"]
    assert active["condition"]["values"] == [
        {"userEnteredValue": "Yes"},
        {"userEnteredValue": "No"},
    ]
    assert active["strict"] is True
    metric = empty_book.cell(SHEET, "Goals", "B2")["dataValidation"]
    assert [v["userEnteredValue"] for v in metric["condition"]["values"]] == [
        "Revenue",
        "Deals Won",
        "New Customers",
        "Pipeline Created",
    ]


def test_chinese_headers(empty_book: SheetsEmulator) -> None:
    init_sheet(SHEET, locale="zh-CN")
    assert empty_book.values(SHEET, "Pipeline")[0][:2] == ["商机编号", "商机名称"]
    assert empty_book.cell(SHEET, "Team", "H2")["dataValidation"]["condition"]["values"] == [
        {"userEnteredValue": "是"},
        {"userEnteredValue": "否"},
    ]


def test_tabs_with_data_are_left_alone_and_empty_ones_filled(sheets_env: SheetsEmulator) -> None:
    own_pipeline = [["Deal ID", "My own column"], ["D-1", "keep me"]]
    sheets_env.create(SHEET, {"Pipeline": own_pipeline, "Team": []}, editors=(CLIENT_EMAIL,))
    result = init_sheet(SHEET)
    assert result.kept == ["Pipeline"]
    assert result.filled == ["Team"]
    assert "Pipeline" not in result.created and "Team" not in result.created
    assert sheets_env.values(SHEET, "Pipeline") == own_pipeline
    assert sheets_env.values(SHEET, "Team")[0] == tab_spec("Team").headers


def test_a_second_init_changes_nothing(empty_book: SheetsEmulator) -> None:
    init_sheet(SHEET)
    empty_book.reset_counters()
    result = init_sheet(SHEET)
    assert result.created == [] and result.filled == []
    assert "batchUpdate" not in empty_book.calls


def test_a_column_without_a_dropdown_has_no_rule() -> None:
    assert dropdown_rule(tab_spec("Pipeline").column("Deal"), "en") is None
