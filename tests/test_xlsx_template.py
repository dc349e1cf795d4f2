"""New workbooks for `salesops init` and `salesops demo`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import create_template, write_input_workbook
from sync.errors import WorkbookError
from sync.schema import input_tabs, settings_specs, tab_spec
from tests.xlsx_support import funnel_output, members


def validations(sheet) -> dict[str, str]:  # noqa: ANN001 - an openpyxl worksheet
    """First cell of each validated range -> the list formula."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            found[cell_range.coord.split(":")[0]] = validation.formula1
    return found


def test_template_has_every_input_tab_with_headers_notes_and_frozen_row(tmp_path: Path) -> None:
    path = create_template(tmp_path / "sales.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == [spec.tab for spec in input_tabs()]
    for spec in input_tabs():
        sheet = workbook[spec.tab]
        headers = [cell.value for cell in sheet[1]]
        assert headers == spec.headers
        assert sheet.freeze_panes == "A2"
        for cell, column in zip(sheet[1], spec.columns, strict=True):
            assert cell.font.b
            assert cell.comment is not None and cell.comment.text == column.note
            assert cell.comment.text.startswith(column.help)
            # The declared width, or the header's length + 2 when that is more.
            expected = max(column.width, len(column.header) + 2)
            assert sheet.column_dimensions[cell.column_letter].width == expected


def test_header_notes_give_the_declared_example(tmp_path: Path) -> None:
    workbook = load_workbook(create_template(tmp_path / "sales.xlsx"))
    notes = {cell.value: cell.comment.text for cell in workbook["Pipeline"][1]}
    assert notes["Deal ID"] == "A unique code for the deal. Example: D-0001"
    assert notes["Created"] == "When the deal was opened. Example: 2026-09-14"
    assert notes["Amount"] == "Expected value of the deal (0 or more). Example: 12000"
    # No example declared: the help alone; an example already in the help is not repeated.
    assert notes["Closed"] == "When it was won or lost: required for Won and Lost deals."
    stages = {cell.value: cell.comment.text for cell in workbook["Stages"][1]}
    assert stages["Probability"] == "Chance a deal at this stage is won, e.g. 50%."


def test_dropdowns(tmp_path: Path) -> None:
    workbook = load_workbook(create_template(tmp_path / "sales.xlsx"))
    pipeline = validations(workbook["Pipeline"])
    assert pipeline["E2"] == "'Stages'!$A$2:$A$201"  # Stage
    assert pipeline["D2"] == "'Team'!$A$2:$A$501"  # Owner: a rep
    assert validations(workbook["Team"])["F2"] == "'Commission Plans'!$A$2:$A$201"
    assert validations(workbook["Team"])["H2"] == '"Yes,No"'
    assert (
        validations(workbook["Goals"])["B2"] == '"Revenue,Deals Won,New Customers,Pipeline Created"'
    )
    assert validations(workbook["Stages"])["D2"] == '"Open,Won,Lost"'
    assert "A2" not in validations(workbook["Goals"])  # Owner: a rep, a team or Company


def test_stages_and_settings_defaults(tmp_path: Path) -> None:
    grids = XlsxBackend(create_template(tmp_path / "sales.xlsx")).read(["Stages", "Settings"])
    assert grids["Stages"][1:] == [
        ["Lead", 1.0, 0.1, "Open"],
        ["Qualified", 2.0, 0.25, "Open"],
        ["Proposal", 3.0, 0.5, "Open"],
        ["Negotiation", 4.0, 0.75, "Open"],
        ["Won", 5.0, 1.0, "Won"],
        ["Lost", 6.0, 0.0, "Lost"],
    ]
    settings = {row[0]: row[1] if len(row) > 1 else None for row in grids["Settings"][1:]}
    assert list(settings) == [setting.key for setting in settings_specs()]
    assert settings["Currency"] == "USD" and settings["Period"] == "Month"
    assert settings["As Of"] is None  # blank means today
    assert settings["Churned After Days"] == 180.0


def test_zh_cn_template_headers(tmp_path: Path) -> None:
    workbook = load_workbook(create_template(tmp_path / "sales.xlsx", locale="zh-CN"))
    assert [cell.value for cell in workbook["Pipeline"][1]][:6] == [
        "商机编号",
        "商机名称",
        "客户",
        "负责人",
        "阶段",
        "金额",
    ]
    assert workbook["Settings"]["A2"].value == "货币"
    assert workbook.sheetnames[0] == "Settings"  # tab names stay as SPEC names them


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_bytes(b"the owner's file")
    with pytest.raises(WorkbookError, match="already exists: choose another file name"):
        create_template(path)
    assert path.read_bytes() == b"the owner's file"
    assert [p.name for p in tmp_path.iterdir()] == ["sales.xlsx"]


def test_input_workbook_with_data(tmp_path: Path) -> None:
    grids = {
        "Settings": [["Setting", "Value"], ["Currency", "EUR"]],
        "Pipeline": [
            ["Deal ID", "Stage", "Amount", "Created", "My Notes"],
            ["D-0001", "Lead", 1200.0, date(2026, 9, 14), '=HYPERLINK("x")'],
            ["D-0002", "Won", 900.5, date(2026, 10, 1), None],
        ],
    }
    path = write_input_workbook(tmp_path / "demo.xlsx", grids)
    read = XlsxBackend(path).read(["Pipeline", "Settings", "Stages"])
    pipeline = read["Pipeline"]
    spec = tab_spec("Pipeline")
    assert pipeline[0] == [*spec.headers, "My Notes"]  # the owner's column kept, after
    row = dict(zip(pipeline[0], pipeline[1], strict=True))
    assert (row["Deal ID"], row["Stage"], row["Amount"]) == ("D-0001", "Lead", 1200.0)
    assert row["Created"] == date(2026, 9, 14)
    assert row["My Notes"] == '=HYPERLINK("x")'  # typed text, not a formula
    assert read["Settings"][1] == ["Currency", "EUR"]
    assert len(read["Stages"]) == 7  # no Stages grid given: the defaults
    sheet = load_workbook(path)["Pipeline"]
    assert sheet["F2"].number_format == '"€"#,##0.00;-"€"#,##0.00'
    assert sheet["N2"].data_type == "s"  # My Notes, after the 13 declared columns


def test_syncing_into_a_template_keeps_its_notes_and_dropdowns(tmp_path: Path) -> None:
    path = create_template(tmp_path / "sales.xlsx")
    before = members(path)
    XlsxBackend(path).write([funnel_output()])
    after = members(path)
    index_parts = {
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
    }
    for name, content in before.items():
        if name not in index_parts:
            assert after[name] == content, name
    workbook = load_workbook(path)
    assert workbook["Pipeline"]["A1"].comment is not None
    assert validations(workbook["Pipeline"])["E2"] == "'Stages'!$A$2:$A$201"
    assert workbook.sheetnames[-1] == "Funnel"
