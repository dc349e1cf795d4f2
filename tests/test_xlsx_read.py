"""Reading tabs with calamine: plain values, blanks, dates, tab names."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from sync.backends.xlsx import XlsxBackend
from sync.backends.xlsx_read import find_tab, plain_grid


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


cells = st.one_of(st.none(), st.just(""), st.text(max_size=3), st.floats(allow_nan=False))


@given(st.lists(st.lists(cells, max_size=5), max_size=6))
def test_plain_grid_is_rectangular_and_trimmed(rows: list[list[object]]) -> None:
    width = max((len(row) for row in rows), default=0)
    padded = [row + [""] * (width - len(row)) for row in rows]
    grid = plain_grid(padded)
    assert all(value != "" for row in grid for value in row)
    assert len({len(row) for row in grid}) <= 1
    if grid:
        assert any(value is not None for value in grid[-1])
        assert any(row[-1] is not None for row in grid) if grid[0] else True
