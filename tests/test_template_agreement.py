"""A new workbook looks the same on both backends: one description, two translations.

The .xlsx template is read back with openpyxl; the Google one is what `init --sheet` sent
the Sheets emulator in its batchUpdate. Column for column, in both locales, they show the
same header, help note, number format, width and dropdown. (An .xlsx template formats the
values it writes, so its number formats are read off a template holding a row of values;
a Google one formats the column's first 1,000 rows.)
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from sync.backends.sheets.template import init_sheet
from sync.backends.xlsx.template import create_template, write_input_workbook
from sync.contract.template import RANGE_SOURCES, input_format, template_tabs
from sync.schema import input_tabs, tab_spec
from tests.sheets_emulator.fixtures import CLIENT_EMAIL
from tests.sheets_emulator.server import SheetsEmulator

SHEET = "agreement-sheet"
LOCALES = ["en", "zh-CN"]


# A value of each type, to see the format the .xlsx template gives the values it writes.
SAMPLES: dict[str, Any] = {"date": date(2026, 1, 2), "datetime": datetime(2026, 1, 2, 9),
                           "money": 1.5, "percent": 0.25, "integer": 3, "number": 2.5}


def _sample_rows(path: Path, locale: str) -> Path:
    """A template whose tabs (but Settings) hold one row with a value in every column."""
    grids = {spec.tab: [spec.headers, [SAMPLES.get(column.type, "x") for column in spec.columns]]
             for spec in input_tabs() if spec.tab != "Settings"}
    return write_input_workbook(path, grids, locale)


def _xlsx_columns(path: Path, tab: str, samples: Path) -> list[dict[str, Any]]:
    """Per column of an .xlsx template tab: what the owner sees, backend words removed."""
    sheet = load_workbook(path)[tab]
    sample_row = load_workbook(samples)[tab][2] if tab != "Settings" else ()
    lists: dict[int, dict[str, Any]] = {}
    for validation in sheet.data_validations.dataValidation:
        first = str(validation.sqref).split(":")[0]
        if not first.endswith("2") or first[:-1].isdigit():
            continue
        formula = validation.formula1
        if formula.startswith('"'):
            offered: Any = tuple(formula.strip('"').split(","))
        else:  # 'Stages'!$A$2:$A$201 -> (Stages, column 0)
            source, cells = formula.rsplit("!", 1)
            offered = (source.strip("'"), column_index_from_string(cells.split("$")[1]) - 1)
        index = column_index_from_string(first[:-1]) - 1
        lists[index] = {"offered": offered, "strict": validation.errorStyle == "stop"}
    columns = []
    for index, cell in enumerate(sheet[1]):
        letter = cell.column_letter
        number_format = sample_row[index].number_format if sample_row else "General"
        columns.append({
            "header": cell.value,
            "note": cell.comment.text if cell.comment else "",
            "number_format": None if number_format == "General" else number_format,
            "width": sheet.column_dimensions[letter].width,
            "dropdown": lists.get(index),
        })
    return columns


def _sheets_columns(requests: list[dict[str, Any]], sheet_id: int) -> list[dict[str, Any]]:
    """The same per column, from the batchUpdate requests sent for one tab."""
    mine = [r for r in requests if _sheet_of(r) == sheet_id]
    header = next(r["updateCells"]["rows"][0]["values"] for r in mine if "updateCells" in r)
    columns = [
        {"header": cell["userEnteredValue"]["stringValue"], "note": cell.get("note", ""),
         "number_format": None, "width": None, "dropdown": None}
        for cell in header
    ]
    for request in mine:
        if "repeatCell" in request:
            index = request["repeatCell"]["range"]["startColumnIndex"]
            number_format = request["repeatCell"]["cell"]["userEnteredFormat"]["numberFormat"]
            columns[index]["number_format"] = number_format["pattern"]
        elif "updateDimensionProperties" in request:
            index = request["updateDimensionProperties"]["range"]["startIndex"]
            columns[index]["width"] = request["updateDimensionProperties"]["properties"]
        elif "setDataValidation" in request and _rows(request["setDataValidation"]) > 1:
            index = request["setDataValidation"]["range"]["startColumnIndex"]
            rule = request["setDataValidation"]["rule"]
            values = [value["userEnteredValue"] for value in rule["condition"]["values"]]
            if rule["condition"]["type"] == "ONE_OF_RANGE":  # ='Stages'!$A$2:$A
                source, cells = values[0].lstrip("=").rsplit("!", 1)
                offered: Any = (source.strip("'"),
                                column_index_from_string(cells.split("$")[1]) - 1)
            else:
                offered = tuple(values)
            columns[index]["dropdown"] = {"offered": offered, "strict": rule["strict"]}
    return columns


def _rows(request: dict[str, Any]) -> int:
    """How many rows a request's range spans (a column's dropdown, or one Settings value)."""
    return int(request["range"]["endRowIndex"] - request["range"]["startRowIndex"])


def _settings_lists(requests: list[dict[str, Any]], sheet_id: int) -> dict[int, tuple[str, ...]]:
    """Sheets: the choices offered in single Settings value cells, by sheet row."""
    return {
        r["setDataValidation"]["range"]["startRowIndex"] + 1: tuple(
            v["userEnteredValue"] for v in r["setDataValidation"]["rule"]["condition"]["values"])
        for r in requests
        if "setDataValidation" in r and _sheet_of(r) == sheet_id
        and _rows(r["setDataValidation"]) == 1
    }


def _xlsx_settings_lists(path: Path) -> dict[int, tuple[str, ...]]:
    """.xlsx: the same, from the Settings tab's single-cell validations."""
    sheet = load_workbook(path)["Settings"]
    return {
        int(str(v.sqref)[1:]): tuple(v.formula1.strip('"').split(","))
        for v in sheet.data_validations.dataValidation
        if ":" not in str(v.sqref)
    }


def _sheet_of(request: dict[str, Any]) -> int | None:
    body = next(iter(request.values()))
    where = body.get("range") or body.get("properties") or {}
    return where.get("sheetId")


@pytest.mark.parametrize("locale", LOCALES)
def test_both_backends_build_the_same_template(
    sheets_env: SheetsEmulator, tmp_path: Path, locale: str
) -> None:
    sheets_env.create(SHEET, {"Sheet1": []}, editors=(CLIENT_EMAIL,))
    init_sheet(SHEET, locale=locale)
    (sent,) = [r.body for r in sheets_env.api_records() if r.endpoint == "batchUpdate"]
    added = {r["addSheet"]["properties"]["title"]: r["addSheet"]["properties"]["sheetId"]
             for r in sent["requests"] if "addSheet" in r}
    path = create_template(tmp_path / "sales.xlsx", locale=locale)
    samples = _sample_rows(tmp_path / "samples.xlsx", locale)
    currency = "CNY" if locale == "zh-CN" else "USD"
    for spec in input_tabs():
        xlsx = _xlsx_columns(path, spec.tab, samples)
        sheets = _sheets_columns(sent["requests"], added[spec.tab])
        assert len(xlsx) == len(sheets) == len(spec.columns)
        for column, ours, theirs in zip(spec.columns, xlsx, sheets, strict=True):
            where = (locale, spec.tab, column.header)
            assert ours["header"] == theirs["header"] == column.label(locale), where
            assert ours["note"] == theirs["note"] == column.note_in(locale), where
            assert ours["dropdown"] == theirs["dropdown"], where
            if spec.tab != "Settings":  # its Value column holds text of every kind
                assert ours["number_format"] == theirs["number_format"], where
                assert ours["number_format"] == input_format(column.type, currency), where
            # Sheets sizes columns in pixels: about 7 a character, plus 12 of padding.
            assert theirs["width"] == {"pixelSize": int(ours["width"] * 7 + 12)}, where
    settings = _xlsx_settings_lists(path)
    assert settings == _settings_lists(sent["requests"], added["Settings"])
    # Period (row 3), Date Format (row 6) and Locale (row 16) offer their values.
    assert sorted(settings) == [3, 6, 16]
    assert settings[3] == (("Month", "Quarter") if locale == "en" else ("月", "季度"))


def test_the_description_says_what_both_show() -> None:
    """Spot checks of the one description, in the owner's words."""
    en = {tab.tab: tab for tab in template_tabs("en")}
    zh = {tab.tab: tab for tab in template_tabs("zh-CN")}
    stage = en["Pipeline"].columns[tab_spec("Pipeline").headers.index("Stage")]
    assert stage.dropdown is not None and stage.dropdown.source == "stages"
    assert (stage.dropdown.source_tab, stage.dropdown.source_position) == ("Stages", 0)
    assert stage.dropdown.strict is False  # a new stage name is a Data Issue, not refused
    amount = zh["Pipeline"].columns[tab_spec("Pipeline").headers.index("Amount")]
    assert (amount.header, amount.number_format) == ("金额", '"¥"#,##0.00;-"¥"#,##0.00')
    active = zh["Team"].columns[tab_spec("Team").headers.index("Active")]
    assert active.dropdown is not None and active.dropdown.choices == ("是", "否")
    owner = en["Goals"].columns[0]
    assert owner.dropdown is None  # a rep, a team or Company: free text
    assert input_format("percent", "USD") == "0%" and input_format("number", "USD") is None
    assert set(RANGE_SOURCES) == {"stages", "reps", "plans"}
    period = en["Settings"].settings[1]
    assert (period.key, period.value) == ("Period", "Month")
    assert period.dropdown is not None and period.dropdown.choices == ("Month", "Quarter")
    assert zh["Settings"].rows[1] == ("周期", "月")
