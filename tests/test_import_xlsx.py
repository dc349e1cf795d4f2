"""Appending to an .xlsx: lossless, atomic, after the last data row, text never a formula."""

from __future__ import annotations

import csv
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from import_support import tab_rows, template

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.rawzip import read_members
from sync.errors import WorkbookError
from sync.imports import CannotImportError, import_file
from sync.imports.append_xlsx import AppendConflictError, append_to_sheet_xml
from tests.xlsx_support import convert, owner_workbook_with_cached_values

# Every character a spreadsheet could take as the start of a formula (SPEC section 9).
INJECTIONS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1",
              '=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def libreoffice_owner_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return owner_workbook_with_cached_values(tmp_path_factory.mktemp("owner"))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def raw_members(path: Path) -> dict[str, tuple[int, int, bytes]]:
    with path.open("rb") as handle:
        return {m.name: (m.method, m.crc, m.data) for m in read_members(handle)}


@pytest.mark.libreoffice
def test_append_is_lossless_on_a_libreoffice_workbook(
    libreoffice_owner_workbook: Path, tmp_path: Path
) -> None:
    workbook = tmp_path / "sales.xlsx"
    shutil.copyfile(libreoffice_owner_workbook, workbook)
    before = raw_members(workbook)
    with zipfile.ZipFile(workbook) as package:
        sheet_before = package.read("xl/worksheets/sheet1.xml")
    export = write_csv(tmp_path / "orders.csv", [
        ["Order ID", "Date", "Customer", "Amount", "Quantity"],
        ["O-0100", "2026-11-02", "Customer 9", "250", "2"],
        ["O-0101", "2026-11-03", "=1+1", "-75.5", "1"],
    ])
    report = import_file(XlsxBackend(workbook), export, tab="Orders")
    assert report.summary == "Orders rows 10–11 appended"
    after = raw_members(workbook)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"xl/worksheets/sheet1.xml"}  # every other part: same compressed bytes
    assert set(after) == set(before)
    with zipfile.ZipFile(workbook) as package:
        sheet_after = package.read("xl/worksheets/sheet1.xml")
    # The sheet XML gains the two rows right after row 9; every other byte is as it was,
    # except the dimension, which grows to row 11.
    added = re.search(rb'<row r="10".*?</row><row r="11".*?</row>', sheet_after, re.S)
    assert added is not None
    rebuilt = sheet_after[:added.start()] + sheet_after[added.end():]
    assert re.sub(rb'<dimension ref="[^"]*"', b"", rebuilt) == \
        re.sub(rb'<dimension ref="[^"]*"', b"", sheet_before)
    assert b"<f>" not in added.group(0) and b"sharedStrings" not in added.group(0)
    # LibreOffice reads it: the owner's formulas still compute, the new text stays text,
    # the new dates take the date style of the date above them.
    shown = convert(workbook, "csv", tmp_path / "out")  # the first tab: Orders
    lines = list(csv.reader(shown.read_text(encoding="utf-8").splitlines()))
    assert lines[1][7] == "3600"  # =SUM(D2:D9) of the owner, unchanged
    assert [lines[9][0], *lines[9][2:4]] == ["O-0100", "Customer 9", "250"]
    assert re.sub(r"\d", "9", lines[9][1]) == re.sub(r"\d", "9", lines[8][1])  # same format
    assert lines[10][2] == "=1+1"


def test_rows_go_after_the_last_data_row_and_existing_rows_keep_their_bytes() -> None:
    xml = (b'<worksheet><dimension ref="A1:B3"/><sheetData>'
           b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
           b'<row r="2" spans="1:2"><c r="A2"><v>5</v></c></row>'
           b'<row r="3" s="4" customFormat="1"><c r="A3" s="4"/></row>'  # formatted, empty
           b'<row r="9"><c r="B9" s="4"/></row>'
           b"</sheetData></worksheet>")
    out = append_to_sheet_xml(xml, [["x", 7]], 3)
    assert out == (b'<worksheet><dimension ref="A1:B3"/><sheetData>'
                   b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                   b'<row r="2" spans="1:2"><c r="A2"><v>5</v></c></row>'
                   b'<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c>'
                   b'<c r="B3"><v>7</v></c></row>'
                   b'<row r="9"><c r="B9" s="4"/></row>'
                   b"</sheetData></worksheet>")


def test_a_row_filled_since_the_read_stops_the_append() -> None:
    xml = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    with pytest.raises(AppendConflictError, match="row 1 of the tab is no longer empty"):
        append_to_sheet_xml(xml, [["x"]], 1)


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_arrives_as_text_on_xlsx(tmp_path: Path, text: str) -> None:
    workbook = template(tmp_path)
    export = write_csv(tmp_path / "deals.csv", [
        ["Deal ID", "Deal", "Customer", "Stage", "Created", "Source"],
        ["D-1", text, text, "Lead", "2026-01-05", text],
    ])
    import_file(XlsxBackend(workbook), export, tab="Pipeline")
    rows = tab_rows(workbook, "Pipeline")
    kept = text.strip()  # text is trimmed as every cell is read (SPEC section 2)
    assert [rows[0][1], rows[0][2], rows[0][11]] == [kept, kept, kept]
    with zipfile.ZipFile(workbook) as package:
        names = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        sheets = b"".join(package.read(n) for n in names)
    assert b"<f>" not in sheets and b"<f " not in sheets


def test_reimporting_skips_every_existing_key(tmp_path: Path) -> None:
    workbook = template(tmp_path)
    export = write_csv(tmp_path / "team.csv", [
        ["Rep", "Email", "Team"], ["Ana Ruiz", "ana@x.example", "North"],
        ["Bo Chen", "bo@x.example", "South"]])
    assert import_file(XlsxBackend(workbook), export, tab="Team").summary == \
        "Team rows 2–3 appended"
    again = write_csv(tmp_path / "team2.csv", [
        ["Rep", "Email"], ["  ana ruiz ", "new@x.example"], ["Chloé Martin", "c@x.example"]])
    report = import_file(XlsxBackend(workbook), again, tab="Team")
    assert report.summary == "Team row 4 appended"
    assert report.plan.skipped == [(2, "Rep ana ruiz is already in the tab (row 2)")]
    assert [row[0] for row in tab_rows(workbook, "Team")] == ["Ana Ruiz", "Bo Chen",
                                                              "Chloé Martin"]


def test_order_lines_equal_in_every_imported_column_are_skipped(tmp_path: Path) -> None:
    workbook = template(tmp_path)
    lines = [["Order ID", "Date", "Customer", "Amount"],
             ["O-1", "2026-01-05", "Acme", "10"], ["O-1", "2026-01-05", "Acme", "10"],
             ["O-1", "2026-01-05", "Acme", "12"]]
    first = import_file(XlsxBackend(workbook), write_csv(tmp_path / "a.csv", lines), tab="Orders")
    assert len(first.plan.rows) == 3  # two equal lines of one order are both sales
    # The same file again, with one more copy of the repeated line: only that copy is new.
    more = [*lines, ["O-1", "2026-01-05", "ACME", "10.00"]]
    second = import_file(XlsxBackend(workbook), write_csv(tmp_path / "b.csv", more),
                         tab="Orders")
    assert [row for row, _why in second.plan.skipped] == [2, 3, 4]
    assert second.plan.source_rows == [5]  # "ACME" is not "Acme": Customer compares as typed


def test_a_far_away_cell_is_never_overwritten(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    workbook = template(tmp_path)
    book = load_workbook(workbook)
    book["Team"]["A1003"] = "note far below"  # more than 1,000 rows below the data
    book.save(workbook)
    export = write_csv(tmp_path / "team.csv", [["Rep"], *[[f"Rep {n}"] for n in range(1005)]])
    with pytest.raises(CannotImportError, match="has a cell in row 1003"):
        import_file(XlsxBackend(workbook), export, tab="Team")


def test_a_missing_key_column_says_how_to_map_it(tmp_path: Path) -> None:
    workbook = template(tmp_path)
    export = write_csv(tmp_path / "deals.csv", [["opportunity", "Stage", "Created"],
                                                ["D-1", "Lead", "2026-01-01"]])
    with pytest.raises(CannotImportError, match='no column for "Deal ID"'):
        import_file(XlsxBackend(workbook), export, tab="Pipeline")


def test_a_workbook_saved_meanwhile_is_not_overwritten(tmp_path: Path, monkeypatch) -> None:
    import sync.imports.append_xlsx as append

    workbook = template(tmp_path)
    export = write_csv(tmp_path / "team.csv", [["Rep"], ["Ana Ruiz"]])
    real = append.append_to_sheet_xml

    def owner_saves_meanwhile(*args, **kwargs):  # the owner saves while the import runs
        os.utime(workbook, ns=(1, 1))
        return real(*args, **kwargs)

    monkeypatch.setattr(append, "append_to_sheet_xml", owner_saves_meanwhile)
    before = workbook.read_bytes()
    with pytest.raises(WorkbookError, match="changed while the import was running.*Run the same"):
        import_file(XlsxBackend(workbook), export, tab="Team")
    assert workbook.read_bytes() == before
    assert not list(tmp_path.glob("*.salesops-tmp"))


@pytest.mark.parametrize(("dimension", "grown"), [
    (b"A1:B3", b"A1:C4"), (b"A1", b"A1:C4"), (b"A1:Z2", b"A1:Z4"), (b"B2:D9", b"B2:D9")])
def test_the_dimension_grows_to_cover_the_new_rows(dimension: bytes, grown: bytes) -> None:
    xml = (b'<worksheet><dimension ref="' + dimension + b'"/><sheetData>'
           b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    out = append_to_sheet_xml(xml, [["a", "b", "c"], ["d"]], 3)
    assert b'<dimension ref="' + grown + b'"/>' in out
