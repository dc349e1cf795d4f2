"""Reading tabs: plain values, blanks, dates, tab names, error cells, merges, far cells."""

from __future__ import annotations

import gc
import re
import tracemalloc
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.prescan import calamine_can_read
from sync.backends.xlsx.read import WorkbookReader, find_tab
from sync.backends.xlsx.template import write_input_workbook
from sync.contract.grid import CellError, TabGrid
from sync.demo.workbook import demo_grids
from sync.engine import sync_workbook


def test_values_come_back_plain(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pipeline"
    sheet.append(["Deal ID", "Amount", "Created", "Seen", "Won", "Note"])
    sheet.append(["0001", 1200.5, date(2026, 9, 14), datetime(2026, 9, 14, 8, 15), True, None])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["D-2", 3, None, None, False, "  text  "])
    sheet["H9"] = None
    workbook.save(path)
    grids = XlsxBackend(path).read(["Pipeline", "Orders"])
    assert list(grids) == ["Pipeline"]  # a missing tab is simply absent
    assert grids["Pipeline"] == [
        ["Deal ID", "Amount", "Created", "Seen", "Won", "Note"],
        ["0001", 1200.5, date(2026, 9, 14), datetime(2026, 9, 14, 8, 15), True, None],
        [None, None, None, None, None, None],
        ["D-2", 3.0, None, None, False, "  text  "],
    ]


def test_the_first_column_may_be_empty(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    workbook = Workbook()
    workbook.active.title = "Team"
    workbook.active["B1"] = "Rep"
    workbook.active["B2"] = "Ana"
    workbook.save(path)
    assert XlsxBackend(path).read(["Team"])["Team"] == [[None, "Rep"], [None, "Ana"]]


def test_tab_names_match_ignoring_case_and_spaces() -> None:
    names = ["settings ", "Commission plans", "Pipeline"]
    assert find_tab(names, "Pipeline") == "Pipeline"
    assert find_tab(names, "Settings") == "settings "
    assert find_tab(names, "Commission Plans") == "Commission plans"
    assert find_tab(names, "Orders") is None


def _patch_sheet(
    path: Path, replace: dict[str, str], part: str = "xl/worksheets/sheet1.xml"
) -> None:
    """Rewrite one part of a workbook with text replacements (XML as other writers make it)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    text = parts[part].decode()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    parts[part] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)


def _pipeline(path: Path, rows: int = 3) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pipeline"
    sheet.append(["Deal ID", "Amount", "Created"])
    for number in range(1, rows + 1):
        sheet.append([f"D-{number}", 100.0 * number, date(2026, 1, number)])
    return workbook


def test_far_away_cells_are_stray_and_cost_nothing(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    workbook = _pipeline(path)
    workbook.active["XFD1048576"] = "oops"
    workbook.active["N1048576"] = 7
    workbook.active["ZZ3"] = "right of every header"
    workbook.save(path)
    with zipfile.ZipFile(path) as package, package.open("xl/worksheets/sheet1.xml") as stream:
        assert not calamine_can_read(stream, {})  # calamine would allocate 17 billion cells
    tracemalloc.start()
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 1024**2
    assert isinstance(grid, TabGrid)
    assert grid == [
        ["Deal ID", "Amount", "Created"],
        ["D-1", 100.0, date(2026, 1, 1)],
        ["D-2", 200.0, date(2026, 1, 2)],
        ["D-3", 300.0, date(2026, 1, 3)],
    ]
    assert grid.stray == [(1048576, 14, 7.0), (1048576, 16384, "oops")]


def test_a_far_header_cell_does_not_widen_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "far-header.xlsx"
    workbook = _pipeline(path)
    workbook.active["XFD1"] = "oops"
    workbook.save(path)
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert [len(row) for row in grid] == [3, 3, 3, 3]
    assert grid.stray == [(1, 16384, "oops")]


def test_rows_within_the_gap_are_data_and_beyond_it_stray(tmp_path: Path) -> None:
    path = tmp_path / "gap.xlsx"
    workbook = _pipeline(path, rows=1)
    # Row 2 holds data; row 1002 is 1,000 rows below it (still data), row 2003 is 1,001
    # rows below row 1002 (stray), and so is everything after it.
    workbook.active["A1002"] = "D-1002"
    workbook.active["A2003"] = "D-2003"
    workbook.active["B2004"] = 5
    workbook.save(path)
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert len(grid) == 1002 and grid[-1] == ["D-1002", None, None]
    assert grid.stray == [(2003, 1, "D-2003"), (2004, 2, 5.0)]


def test_error_values_and_uncalculated_formulas_are_cell_errors(tmp_path: Path) -> None:
    path = tmp_path / "errors.xlsx"
    workbook = _pipeline(path, rows=0)
    sheet = workbook.active
    sheet.append(["D-1", "=B3*2", "=NOW()"])  # openpyxl writes formulas with no cached value
    sheet.append(["D-2", 5, "x"])
    sheet.append(["D-3", 6, "y"])
    workbook.save(path)
    _patch_sheet(
        path,
        {
            '<c r="B3" t="n"><v>5</v></c>': '<c r="B3" t="e"><f>VLOOKUP(A3,X,2)</f><v>#N/A</v></c>',
            '<c r="C3" t="inlineStr"><is><t>x</t></is></c>': '<c r="C3" t="e"><v>#DIV/0!</v></c>',
            '<c r="B4" t="n"><v>6</v></c>': '<c r="B4" t="e"><v>#GETTING_DATA</v></c>',
        },
    )
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert grid[1:] == [
        ["D-1", "=B3*2", "=NOW()"],
        ["D-2", "#N/A", "#DIV/0!"],
        ["D-3", "#GETTING_DATA", "y"],
    ]
    errors = [value for row in grid[1:] for value in row[1:] if isinstance(value, CellError)]
    assert errors == ["=B3*2", "=NOW()", "#N/A", "#DIV/0!", "#GETTING_DATA"]
    assert [error.is_formula for error in errors] == [True, True, False, False, False]


def test_a_shared_formula_without_values_reads_as_its_own_formula(tmp_path: Path) -> None:
    path = tmp_path / "shared.xlsx"
    workbook = _pipeline(path, rows=0)
    workbook.active.append(["D-1", 1, "=B2*2"])
    workbook.active.append(["D-2", 2, "=B3*2"])
    workbook.save(path)
    _patch_sheet(
        path,
        {
            "<f>B2*2</f><v /></c>": '<f t="shared" ref="C2:C3" si="0">B2*2+$B$2</f></c>',
            "<f>B3*2</f><v /></c>": '<f t="shared" si="0"/></c>',
        },
    )
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert [row[2] for row in grid[1:]] == ["=B2*2+$B$2", "=B3*2+$B$2"]


def test_merged_ranges_hold_the_top_left_value(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    workbook = _pipeline(path, rows=0)
    sheet = workbook.active
    sheet.append(["D-1", 100, date(2026, 1, 1)])
    sheet.append(["D-2", None, None])
    sheet.append(["D-3", 300, date(2026, 1, 3)])
    sheet.merge_cells("B2:C3")
    sheet.merge_cells("A4:Z9")  # reaches past the last header and the last row
    workbook.save(path)
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert grid[1:] == [
        ["D-1", 100.0, 100.0],
        ["D-2", 100.0, 100.0],
        ["D-3", "D-3", "D-3"],
    ]
    assert grid.merged == ["B2:C3", "A4:Z9"]  # in sheet order, row by row


@pytest.mark.parametrize(
    ("typed", "number_format", "read"),
    [
        (-1e15, "yyyy-mm-dd", -1e15),  # calamine panics on this one
        (-3, "yyyy-mm-dd", -3.0),  # calamine reads it as the time 00:00:00
        (-0.5, "yyyy-mm-dd", -0.5),
        (3e6, "yyyy-mm-dd", 3e6),  # past 9999-12-31
        (1e300, "yyyy-mm-dd hh:mm", 1e300),
        (45000, "yyyy-mm-dd", date(2023, 3, 15)),
        (45000.25, "yyyy-mm-dd hh:mm", datetime(2023, 3, 15, 6, 0)),
        (0.5, "hh:mm", time(12, 0)),
        (1.5, "[h]:mm:ss", timedelta(days=1, hours=12)),
    ],
)
def test_numbers_in_date_cells_read_safely(
    tmp_path: Path, typed: float, number_format: str, read: object
) -> None:
    path = tmp_path / "dates.xlsx"
    workbook = _pipeline(path, rows=0)
    workbook.active.append(["D-1", 1, typed])
    workbook.active["C2"].number_format = number_format
    workbook.save(path)
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert grid[1][2] == read and type(grid[1][2]) is type(read)


def test_1904_dates(tmp_path: Path) -> None:
    path = tmp_path / "1904.xlsx"
    workbook = _pipeline(path, rows=0)
    workbook.epoch = CALENDAR_MAC_1904
    workbook.active.append(["D-1", 1, date(2026, 3, 5)])
    workbook.save(path)
    assert XlsxBackend(path).read(["Pipeline"])["Pipeline"][1][2] == date(2026, 3, 5)


def test_the_streaming_reader_reads_what_calamine_reads(tmp_path: Path) -> None:
    """On sheets calamine reads safely, both readers give the same grid, cell for cell."""
    path = tmp_path / "demo.xlsx"
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mixed"
    sheet.append(["Text", "Number", "Date", "Time", "Bool", "Rich", "Escaped"])
    sheet.append(["a", 1.5, datetime(2026, 1, 2, 3, 4, 5), time(6, 7), True, None, "_x0041_"])
    sheet.append([" spaced ", -2, date(1904, 1, 1), None, False, None, "a\nb"])
    workbook.save(tmp_path / "mixed.xlsx")
    for book in (path, tmp_path / "mixed.xlsx"):
        with zipfile.ZipFile(book) as archive:
            reader = WorkbookReader(archive, str(book), book)
            for name, part in reader.sheets.items():
                with archive.open(part) as stream:
                    assert calamine_can_read(stream, reader._date_kinds or {})
                fast = reader.grid(name)
                reader.path = None  # the streaming reader only
                slow = reader.grid(name)
                reader.path = book
                assert slow == fast, name
                assert slow.merged == fast.merged and slow.stray == fast.stray
            reader.close()


def test_prefixed_worksheet_xml_reads_like_plain(tmp_path: Path) -> None:
    path = tmp_path / "prefixed.xlsx"
    _pipeline(path).save(path)
    with zipfile.ZipFile(path) as source:
        plain = source.read("xl/worksheets/sheet1.xml").decode()
    prefixed = re.sub(r"<(/?)(\w+)", r"<\1x:\2", plain).replace(
        'xmlns="http://', 'xmlns:x="http://'
    )
    _patch_sheet(path, {plain: prefixed})
    assert XlsxBackend(path).read(["Pipeline"])["Pipeline"][3] == ["D-3", 300.0, date(2026, 1, 3)]


def test_error_merged_and_far_cells_reach_the_reader_and_a_sync_completes(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    grids = demo_grids(1, 7, today=date(2026, 11, 26))
    write_input_workbook(path, grids)
    workbook = load_workbook(path)
    orders = workbook["Orders"]
    orders["D2"] = "=NA()"  # saved without a cached value
    orders.merge_cells("C3:C4")
    orders["XFD1048576"] = "oops"
    workbook.save(path)
    grid = XlsxBackend(path).read(["Orders"])["Orders"]
    assert grid[1][3] == CellError("=NA()")
    assert grid.merged == ["C3:C4"] and grid[3][2] == grid[2][2]
    assert grid.stray == [(1048576, 16384, "oops")]
    sync_workbook(XlsxBackend(path), now=datetime(2026, 11, 26, 9, 0))
    assert "Data Issues" in load_workbook(path).sheetnames


def test_headers_moved_down_by_an_inserted_row_still_reach_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "shifted.xlsx"
    workbook = _pipeline(path, rows=2)
    workbook.active.insert_rows(1)
    workbook.save(path)
    grid = XlsxBackend(path).read(["Pipeline"])["Pipeline"]
    assert grid == [
        [None, None, None],
        ["Deal ID", "Amount", "Created"],
        ["D-1", 100.0, date(2026, 1, 1)],
        ["D-2", 200.0, date(2026, 1, 2)],
    ]
    with zipfile.ZipFile(path) as archive:
        streaming = WorkbookReader(archive, str(path))  # no path: the streaming reader only
        assert streaming.grid("Pipeline") == grid


def test_calamine_reading_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path) -> None:
    # The collector is paused while calamine's rows become a grid, then restored: on when
    # it was on, still off when the program had turned it off.
    path = tmp_path / "demo.xlsx"
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    with zipfile.ZipFile(path) as archive:
        reader = WorkbookReader(archive, str(path), path)
        assert gc.isenabled()
        orders = reader.grid("Orders")
        assert gc.isenabled()
        with archive.open(reader.sheets["Orders"]) as stream:  # calamine read it
            assert calamine_can_read(stream, reader._date_kinds or {})
        gc.disable()
        try:
            assert reader.grid("Orders") == orders
            assert not gc.isenabled()
        finally:
            gc.enable()
        reader.close()
    assert orders[0][:2] == ["Order ID", "Date"] and len(orders) > 2
