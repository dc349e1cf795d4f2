"""`salesops init PATH` on an existing workbook adds the missing input tabs and keeps every
other byte; `salesops sync` refuses a workbook that has none of the input tabs."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from test_xlsx_support import build_owner_workbook, convert

from sync.backends.xlsx import XlsxBackend
from sync.backends.xlsx_init import add_input_tabs, existing_tab
from sync.backends.xlsx_zip import read_members
from sync.cli import main
from sync.engine import check_workbook, sync_workbook
from sync.errors import MissingTabError, WorkbookReadOnlyError
from sync.schema import input_tabs, tab_spec
from tests.sheets_emulator.fixtures import (  # noqa: F401 - pytest fixtures
    CLIENT_EMAIL,
    service_account,
    sheets_emulator,
    sheets_env,
    sheets_private_key,
)
from tests.sheets_emulator.server import SheetsEmulator

INPUT_TABS = [spec.tab for spec in input_tabs()]
# The index parts gain entries for the new tabs; every other part stays byte for byte.
INDEX_PARTS = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
               "xl/styles.xml"}
NOW = datetime(2026, 11, 20, 9, 0)


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result


def budget_workbook(path: Path) -> Path:
    """An owner's budget file: no input tab at all, a chart, and a second tab of notes."""
    workbook = Workbook()
    budget = workbook.active
    budget.title = "Budget"
    for row in (["Month", "Spend"], ["Jan", 1200], ["Feb", 950], ["Mar", 1430]):
        budget.append(row)
    chart = BarChart()
    chart.title = "Spend by month"
    chart.add_data(Reference(budget, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    budget.add_chart(chart, "D2")
    workbook.create_sheet("Notes").append(["Ask the bank about the loan"])
    workbook.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    """Each part's raw (compressed) bytes."""
    with path.open("rb") as handle:
        return {member.name: member.data for member in read_members(handle)}


def contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def entries(xml: bytes) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every element of an XML part as (tag, sorted attributes), in document order; the
    `count` a container keeps of its children is left out (it grows with them)."""
    return [(element.tag, tuple(sorted((k, v) for k, v in element.attrib.items() if k != "count")))
            for element in ET.fromstring(xml).iter()]


def assert_only_gained_entries(before: bytes, after: bytes) -> None:
    old, new = entries(before), entries(after)
    position = 0
    for entry in old:  # the old entries all remain, in their order
        position = new.index(entry, position) + 1


# The "none of the input tabs" refusal ------------------------------------------------------


def test_sync_refuses_a_workbook_with_none_of_the_input_tabs(tmp_path: Path) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    before = path.read_bytes()

    with pytest.raises(MissingTabError) as refused:
        sync_workbook(XlsxBackend(path), now=NOW)

    assert str(refused.value) == (
        f"{path} has none of the input tabs ({', '.join(INPUT_TABS)}), so it was left as it "
        "is: check that it is your sales workbook. To set this one up, run "
        f"`salesops init {path}`: it adds the input tabs and keeps every tab already there."
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["sync", "check"])
def test_the_command_says_what_to_do_and_writes_nothing(tmp_path: Path, command: str) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    before = path.read_bytes()
    result = run(command, str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path} has none of the input tabs (Settings, ")
    assert f"`salesops init {path}`" in result.output
    assert path.read_bytes() == before


def test_a_spreadsheet_with_none_of_the_input_tabs_is_told_to_run_init_sheet(
    sheets_env: SheetsEmulator,  # noqa: F811 - fixture by name
) -> None:
    sheet = "1BudgetSpreadsheet0123456789abcdefghijklmno"
    sheets_env.create(sheet, {"Budget": [["Month", "Spend"], ["Jan", 1200]]},
                      editors=(CLIENT_EMAIL,))
    result = run("sync", "--sheet", sheet)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Spreadsheet {sheet} has no \"Pipeline\" tab")
    assert f"`salesops init --sheet {sheet}`" in result.output
    assert [tab.title for tab in sheets_env.book(sheet).sheets] == ["Budget"]


def test_one_input_tab_is_enough_to_sync(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "pipeline "  # found as the reader finds tabs: any case, spaces
    workbook.active.append(["Deal ID", "Stage", "Amount", "Created"])
    workbook.save(tmp_path / "deals.xlsx")
    report = sync_workbook(XlsxBackend(tmp_path / "deals.xlsx"), now=NOW)
    assert "Funnel" in report.tabs_written


# init on an existing workbook --------------------------------------------------------------


def test_init_adds_every_input_tab_and_keeps_each_existing_part_byte_for_byte(
    tmp_path: Path,
) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    old_raw, old = members(path), contents(path)

    result = run("init", str(path))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Created: {', '.join(INPUT_TABS)}",
        f"Next: fill in the tabs, then run `salesops sync {path}`.",
    ]
    new_raw, new = members(path), contents(path)
    for name, raw in old_raw.items():
        if name in INDEX_PARTS:
            assert_only_gained_entries(old[name], new[name])
        else:
            assert new_raw[name] == raw, f"{name} changed"
    assert any(name.startswith("xl/charts/") for name in new)
    assert load_workbook(path).sheetnames == ["Budget", "Notes", *INPUT_TABS]


def test_the_added_tabs_carry_the_template(tmp_path: Path) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    add_input_tabs(path)
    workbook = load_workbook(path)

    for spec in input_tabs():
        sheet = workbook[spec.tab]
        assert [cell.value for cell in sheet[1]] == spec.headers
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFDDEBF7"
    pipeline = workbook["Pipeline"]
    notes = {cell.column_letter: cell.comment.text for cell in pipeline[1] if cell.comment}
    stage = tab_spec("Pipeline").headers.index("Stage")
    assert notes["A"] and "ABCDEFGHIJKLM"[stage] in notes
    lists = {str(rule.sqref): rule.formula1 for rule in pipeline.data_validations.dataValidation}
    assert lists["E2:E5001"] == "'Stages'!$A$2:$A$201"
    stages = workbook["Stages"]
    assert [row[0].value for row in stages.iter_rows(min_row=2)] == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"
    ]
    assert stages["C3"].value == 0.25 and stages["C3"].number_format == "0%"
    # The template selects its first tab; added to the owner's tabs, none is selected.
    assert not any(workbook[tab].sheet_view.tabSelected for tab in INPUT_TABS)


def test_init_keeps_the_input_tabs_that_exist_and_points_dropdowns_at_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "raw").mkdir()
    path = build_owner_workbook(tmp_path / "raw" / "owner.xlsx")
    workbook = load_workbook(path)
    team = workbook.create_sheet("team")  # the owner's own spelling and column order
    team.append(["Email", "Team", "Rep"])
    team.append(["ana@example.com", "North", "Ana Ruiz"])
    workbook.create_sheet("Stages")  # exists but empty: still the owner's, never touched
    workbook.save(path)
    old_raw = members(path)

    result = run("init", str(path))

    assert result.exit_code == 0, result.output
    created = ["Goals", "Pipeline", "Customers", "Commission Plans"]
    assert result.output.splitlines()[:2] == [
        f"Created: {', '.join(created)}",
        "Left as they are (they exist already): Settings, Stages, team, Orders",
    ]
    new_raw = members(path)
    assert all(new_raw[name] == raw for name, raw in old_raw.items() if name not in INDEX_PARTS)
    book = load_workbook(path)
    assert book.sheetnames == ["Orders", "Settings", "team", "Stages", *created]
    assert book["Orders"]["A1"].comment.text == "One row per sale."
    lists = {str(rule.sqref): rule.formula1
             for rule in book["Pipeline"].data_validations.dataValidation}
    assert lists["D2:D5001"] == "'team'!$C$2:$C$501"  # Rep is the owner's column C


def test_a_second_init_writes_nothing(tmp_path: Path) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    add_input_tabs(path)
    before = path.read_bytes()
    result = run("init", str(path))
    assert result.exit_code == 0
    assert f"{path} has every input tab already: nothing was written." in result.output
    assert path.read_bytes() == before


def test_after_init_the_workbook_syncs(tmp_path: Path) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    add_input_tabs(path, locale="zh-CN")
    report = sync_workbook(XlsxBackend(path), now=NOW)
    assert "Dashboard" in report.tabs_written
    assert report.error_count == 0
    assert load_workbook(path)["Budget"]["B3"].value == 950


def test_init_refuses_a_read_only_workbook(tmp_path: Path) -> None:
    path = budget_workbook(tmp_path / "budget.xlsx")
    path.chmod(0o444)
    before = path.read_bytes()
    with pytest.raises(WorkbookReadOnlyError):
        add_input_tabs(path)
    assert path.read_bytes() == before


def test_init_through_a_link_adds_the_tabs_to_the_linked_file(tmp_path: Path) -> None:
    real = budget_workbook(tmp_path / "budget.xlsx")
    link = tmp_path / "sales.xlsx"
    link.symlink_to(real)
    add_input_tabs(link)
    assert link.is_symlink()
    assert "Pipeline" in load_workbook(real).sheetnames


@pytest.mark.parametrize(
    ("names", "spec", "expected"),
    [
        (["Budget", "ORDERS "], "Orders", "ORDERS "),
        (["订单"], "Orders", "订单"),
        ([" commission PLANS"], "Commission Plans", " commission PLANS"),
        (["Order"], "Orders", None),
    ],
)
def test_an_existing_tab_is_found_as_the_reader_finds_it(
    names: list[str], spec: str, expected: str | None
) -> None:
    assert existing_tab(names, tab_spec(spec)) == expected


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_init_extended(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    path = build_owner_workbook(tmp_path / "raw" / "owner.xlsx")
    add_input_tabs(path)

    resaved = convert(path, "xlsx", tmp_path / "resaved")

    parts = contents(resaved)
    assert any(name.startswith("xl/charts/") for name in parts)  # the owner's chart
    assert any(name.startswith("xl/media/") for name in parts)  # and picture
    book = load_workbook(io.BytesIO(resaved.read_bytes()))
    assert book.sheetnames == ["Orders", "Settings", *(t for t in INPUT_TABS
                                                       if t not in ("Orders", "Settings"))]
    assert book["Orders"]["D2"].value == 100
    pipeline = book["Pipeline"]
    assert [cell.value for cell in pipeline[1]] == tab_spec("Pipeline").headers
    # (A headless conversion drops every tab's frozen panes, the template's own included.)
    assert pipeline["A1"].comment is not None
    assert any(re.search(r"Stages", str(rule.formula1))
               for rule in pipeline.data_validations.dataValidation)
    assert [row[0].value for row in book["Stages"].iter_rows(min_row=2)][:2] == [
        "Lead", "Qualified"
    ]
    assert check_workbook(XlsxBackend(resaved), now=NOW).error_count == 0
