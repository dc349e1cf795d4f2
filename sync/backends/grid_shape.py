"""The shape every backend gives a tab's grid: as wide as its header row, far-away cells
kept apart as stray cells, merged ranges filled with their top-left value (SPEC section 2).
"""

from __future__ import annotations

from typing import Any

from sync.contract.grid import STRAY_GAP_ROWS, TabGrid

# A header this many empty columns right of the previous one is a stray value, not a header.
FAR_COLUMN_GAP = 100
_DIGITS = "0123456789"

known_columns: dict[str, int] = {}  # letters -> column number, filled as met


def column_number(letters: str) -> int:
    """`A` -> 1, `AA` -> 27 (0 when `letters` is not a column)."""
    number = known_columns.get(letters)
    if number is None:
        number = 0
        for char in letters.upper():
            if not "A" <= char <= "Z":
                return 0
            number = number * 26 + ord(char) - 64
        known_columns[letters] = number
    return number


def split_ref(ref: str) -> tuple[int, int]:
    """`C12` -> (12, 3); (0, 0) when it is not a cell reference."""
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    if not digits or not letters:
        return 0, 0
    return int(digits), column_number(letters)


def header_width(headers: dict[int, Any]) -> int:
    """The last header's column: headers after a gap of more than FAR_COLUMN_GAP empty
    columns are far away, not headers (a stray `XFD1` must not widen every row)."""
    width = 0
    for at in sorted(headers):
        if at - width > FAR_COLUMN_GAP + 1:
            break
        width = at
    return width


def rows_with_values(grid: list[list[Any]]) -> int:
    """How many rows below the header hold a value (a cell neither None nor "").

    Each row is looked at only up to its first value: a data row's first cell usually
    holds one, so this costs about one step a row, not one a cell.
    """
    count = 0
    for row in grid[1:]:
        for value in row:
            if value is not None and value != "":
                count += 1
                break
    return count


def dense_grid(rows: list[list[Any]], merges: list[str]) -> TabGrid:
    """The grid of a worksheet read whole (calamine's rows, blanks as "", taken over and
    changed in place), shaped like `read_sheet`'s: as wide as the header row, far-away
    cells apart as stray cells."""
    # The first row with a value sets the width (row 1, where the headers belong).
    first = next((index for index, row in enumerate(rows) if row.count("") != len(row)), 0)
    header = {at: value for at, value in enumerate(rows[first] if rows else [], 1) if value != ""}
    width = header_width(header)
    stray = [(first + 1, at, value) for at, value in header.items() if at > width]
    if first == 0 and _all_rows_of_width(rows, width) and not rows.count([""] * width):
        # The common tab: headers in row 1, every row exactly as wide as they are and none
        # blank, so each row is a data row as it stands and no cell can be stray; only the
        # rows holding a blank need changing, in place (calamine's lists are the reader's own):
        # a search per blank runs in C, where a comprehension would step through every cell.
        for row in rows:
            while "" in row:
                row[row.index("")] = None
        return with_merges(rows, width, merges, stray)
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


def _all_rows_of_width(rows: list[list[Any]], width: int) -> bool:
    return bool(rows) and list(map(len, rows)).count(width) == len(rows)


def with_merges(
    grid: list[list[Any]],
    width: int,
    merges: list[str],
    stray: list[tuple[int, int, Any]],
) -> TabGrid:
    last_row = len(grid)
    merged = []
    for ref in sorted(merges, key=lambda ref: split_ref(ref.strip().upper().partition(":")[0])):
        first, _, last = ref.strip().upper().partition(":")
        top, left = split_ref(first)
        bottom, right = split_ref(last) if last else (top, left)
        if not (top and left and bottom and right) or (top, left) == (bottom, right):
            continue
        if top > last_row or left > width:
            continue
        merged.append(ref.strip().upper())
        value = grid[top - 1][left - 1]
        for row in grid[top - 1 : min(bottom, last_row)]:
            row[left - 1 : min(right, width)] = [value] * (min(right, width) - left + 1)
    return TabGrid(grid, merged=merged, stray=stray)
