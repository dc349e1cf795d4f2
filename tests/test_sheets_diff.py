"""Diffing a planned computed tab against the values read from the sheet."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from sync.backends.sheets.diff import Block, changed_blocks, comparable, new_log_rows
from sync.serials import to_serial as serial


def test_serials() -> None:
    # 2026-11-03 is 46329 days after 1899-12-30; 18:00 is 0.75 of a day.
    assert serial(date(2026, 11, 3)) == 46329
    assert serial(datetime(2026, 11, 3, 18, 0)) == 46329.75


def test_values_compare_as_read_back() -> None:
    assert comparable(date(2026, 11, 3)) == comparable(46329)  # a date reads back as a serial
    assert comparable(3) == comparable(3.0)
    assert comparable(True) != comparable(1)  # a bool is not a number
    assert comparable("") is None and comparable(None) is None
    assert comparable("3") != comparable(3)


def test_an_unchanged_grid_has_no_blocks() -> None:
    grid = [["Rep", "Revenue"], ["Ana", 1200.0], ["Bo", 800.0]]
    assert changed_blocks(grid, [list(row) for row in grid]) == []


def test_one_changed_cell_is_one_cell_block() -> None:
    old = [["Rep", "Revenue", "Payout"], ["Ana", 1200.0, 24.0], ["Bo", 800.0, 16.0]]
    new = [["Rep", "Revenue", "Payout"], ["Ana", 1200.0, 24.0], ["Bo", 900.0, 16.0]]
    assert changed_blocks(old, new) == [Block(2, 3, 1, 2)]


def test_adjacent_changed_rows_merge_and_gaps_split() -> None:
    old = [["h"], [1], [2], [3], [4], [5]]
    new = [["h"], [1], [9], [9], [4], [9]]
    # rows 2-3 changed together, row 4 did not, row 5 did.
    assert changed_blocks(old, new) == [Block(2, 4, 0, 1), Block(5, 6, 0, 1)]


def test_rows_that_are_gone_must_be_cleared() -> None:
    old = [["h", "v"], ["a", 1], ["b", 2], ["c", 3]]
    new = [["h", "v"], ["a", 1]]
    assert changed_blocks(old, new) == [Block(2, 4, 0, 2)]


def test_stage_log_only_new_rows() -> None:
    existing = [["D-1", "Lead", "Qualified", 46329.5]]
    planned_whole_log = [
        ["D-1", "Lead", "Qualified", datetime(2026, 11, 3, 12)],
        ["D-2", "Lead", "Won", datetime(2026, 11, 4, 9)],
    ]
    assert new_log_rows(existing, planned_whole_log) == [planned_whole_log[1]]
    # A plan holding only this sync's rows gives the same answer.
    assert new_log_rows(existing, planned_whole_log[1:]) == [planned_whole_log[1]]


cells = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.sampled_from(["", "a", "b", "=IMPORTXML(x)"]),
    st.booleans(),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    # A date's serial as the API reads it back, ints and floats that are equal, and a
    # float that rounds to the same 8 decimals (0.1 + 0.2 against 0.3), and NaN (blank).
    st.sampled_from([46329, 46329.0, 1.0, 0.1 + 0.2, 0.3, float("nan")]),
)
grids = st.lists(st.lists(cells, max_size=5), max_size=8)


def _apply(old: list[list], new: list[list], blocks: list[Block]) -> list[list]:
    """Write each block's cells of `new` over `old`, as the backend's requests do."""
    height = max(len(old), len(new))
    width = max([len(row) for row in old + new] + [0])
    result = [
        [old[r][c] if r < len(old) and c < len(old[r]) else None for c in range(width)]
        for r in range(height)
    ]
    for block in blocks:
        for r in range(block.top, block.bottom):
            for c in range(block.left, block.right):
                result[r][c] = new[r][c] if r < len(new) and c < len(new[r]) else None
    return result


@given(grids, grids)
def test_writing_the_blocks_turns_old_into_new(old: list[list], new: list[list]) -> None:
    written = _apply(old, new, changed_blocks(old, new))
    expected = _apply(new, new, [])
    height = max(len(written), len(expected))
    for r in range(height):
        for c in range(max(len(written[0]) if written else 0, len(expected[0]) if expected else 0)):
            got = written[r][c] if r < len(written) and c < len(written[r]) else None
            want = expected[r][c] if r < len(expected) and c < len(expected[r]) else None
            assert comparable(got) == comparable(want)


@given(grids, grids)
def test_a_row_changes_exactly_where_its_cells_read_back_differently(
    old: list[list], new: list[list]
) -> None:
    def cell(row: list, column: int):
        return row[column] if column < len(row) else None

    for old_row, new_row in zip(old, new, strict=False):
        differ = any(comparable(cell(old_row, c)) != comparable(cell(new_row, c))
                     for c in range(max(len(old_row), len(new_row))))
        one_row = changed_blocks([old_row], [new_row])
        assert bool(one_row) == differ, (old_row, new_row)


def test_a_date_and_its_serial_are_the_same_cell() -> None:
    # 2026-11-03 reads back as 46329; 3 reads back as 3.0; 0.1 + 0.2 as 0.3 (8 decimals).
    old = [["Day", "Count", "Share"], [46329, 3.0, 0.3]]
    new = [["Day", "Count", "Share"], [date(2026, 11, 3), 3, 0.1 + 0.2]]
    assert changed_blocks(old, new) == []


@given(grids, grids)
def test_blocks_never_overlap_and_cover_only_changes(old: list[list], new: list[list]) -> None:
    blocks = changed_blocks(old, new)
    for first, second in zip(blocks, blocks[1:], strict=False):
        assert first.bottom <= second.top
    assert sum(block.cells for block in blocks) <= max(len(old), len(new)) * max(
        [len(row) for row in old + new] + [0]
    )
