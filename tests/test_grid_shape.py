"""The shape of a grid read whole (`dense_grid`) and the count of rows holding values."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.backends.grid_shape import dense_grid, header_width, rows_with_values, with_merges
from sync.contract.grid import STRAY_GAP_ROWS, TabGrid


def reference_dense_grid(rows: list[list[Any]], merges: list[str]) -> TabGrid:
    """`dense_grid` as it was written row by row, before its fast path for plain tabs."""
    first = next((index for index, row in enumerate(rows) if row.count("") != len(row)), 0)
    header = {at: value for at, value in enumerate(rows[first] if rows else [], 1) if value != ""}
    width = header_width(header)
    stray = [(first + 1, at, value) for at, value in header.items() if at > width]
    lines: list[list[Any]] = []
    for number, row in enumerate(rows, 1):
        line = row if len(row) == width else row[:width]
        if "" in line:
            line = [None if value == "" else value for value in line]
        if len(line) < width:
            line += [None] * (width - len(line))
        used = line.count(None) != width
        if lines and number > len(lines) + STRAY_GAP_ROWS and (used or row.count("") != len(row)):
            for below, cells in enumerate(rows[number - 1 :], number):
                stray.extend((below, at, value) for at, value in enumerate(cells, 1) if value != "")
            break
        if used:
            if number - 1 > len(lines):
                lines.extend([None] * width for _ in range(number - 1 - len(lines)))
            lines.append(line)
    return with_merges(lines, width, merges, stray)


def reference_rows_read(grid: list[list[Any]]) -> int:
    """The count as the engine first wrote it: a pass over every cell of every row."""
    return sum(1 for row in grid[1:] if any(v not in (None, "") for v in row))


def _same(rows: list[list[Any]], merges: list[str]) -> None:
    # dense_grid fills merged ranges in the rows it is given: each version gets its own copy.
    expected = reference_dense_grid(copy.deepcopy(rows), merges)
    got = dense_grid(copy.deepcopy(rows), merges)
    assert got == expected
    assert got.merged == expected.merged and got.stray == expected.stray


# calamine's rows: all as wide as the sheet's used range, blanks as "".
_values = st.one_of(st.just(""), st.just(""), st.integers(-5, 5), st.text(max_size=2),
                    st.floats(allow_nan=False), st.booleans())


@st.composite
def _calamine_rows(draw: st.DrawFn) -> list[list[Any]]:
    width = draw(st.integers(0, 6))
    rows = draw(st.lists(st.lists(_values, min_size=width, max_size=width), max_size=12))
    if rows and draw(st.booleans()):
        rows[0] = [draw(st.text(min_size=1, max_size=3)) for _ in range(width)]  # a full header
    return rows


_merges = st.lists(
    st.sampled_from(["A1:B2", "B2:B3", "C3:D5", "A2:A2", "E1:F9", "B4", "Z9:Z10", "bad"]),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(_calamine_rows(), _merges)
def test_dense_grid_matches_the_row_by_row_shaping(
    rows: list[list[Any]], merges: list[str]
) -> None:
    _same(rows, merges)


def test_plain_tab_keeps_full_rows_and_turns_blanks_into_none() -> None:
    rows = [["Deal ID", "Amount"], ["D-1", 100.0], ["D-2", ""]]
    full = rows[1]
    grid = dense_grid(rows, [])
    assert grid == [["Deal ID", "Amount"], ["D-1", 100.0], ["D-2", None]]
    assert grid[1] is full  # a row without a blank is kept as calamine made it
    assert grid.stray == [] and grid.merged == []


def test_shapes_the_fast_path_leaves_to_the_row_by_row_loop() -> None:
    header = ["Deal ID", "Amount", ""]
    blank_inside = [header, ["", "", ""], ["D-2", 5, ""]]
    wider_than_header = [["Deal ID", "Amount", ""], ["D-1", 1, "x"]]
    header_below = [["", "", ""], ["Deal ID", "Amount", "Stage"], ["D-1", 1, "Won"]]
    far_header = [["Deal ID"] + [""] * 101 + ["far"], ["D-1"] + [""] * 102]
    far_rows = [["Deal ID", "Amount"], ["D-1", 1]] + [["", ""]] * (STRAY_GAP_ROWS + 1) + [
        ["D-9", 9],
        ["", "late"],
    ]
    for rows in (blank_inside, wider_than_header, header_below, far_header, far_rows, [], [[]]):
        _same(rows, ["A1:B2"])
    # rows 1-2 hold data, 3 to 1003 are blank: D-9 is row 2 + 1001 + 1 = 1004
    assert dense_grid(copy.deepcopy(far_rows), []).stray == [
        (STRAY_GAP_ROWS + 4, 1, "D-9"),
        (STRAY_GAP_ROWS + 4, 2, 9),
        (STRAY_GAP_ROWS + 5, 2, "late"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), _values), max_size=5), max_size=10))
def test_rows_with_values_counts_as_a_pass_over_every_cell(grid: list[list[Any]]) -> None:
    assert rows_with_values(grid) == reference_rows_read(grid)


def test_rows_with_values_skips_the_header_and_blank_rows() -> None:
    grid = [["Deal ID", "Amount"], [None, ""], ["", 5], [], ["D-3", None], [None, 0]]
    assert rows_with_values(grid) == 3  # ["", 5], ["D-3", None] and [None, 0]; 0 is a value
