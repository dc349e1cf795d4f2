"""What the shape of a tab tells the owner: merged ranges and far-away stray cells.

A backend hands a tab in as a `TabGrid` that lists its merged ranges (already filled with
their top-left value in every cell) and its stray cells (non-empty, far below the data and
not among the rows). Each becomes one Warning; neither stops the tab from being read.
"""

from __future__ import annotations

import re
from typing import Any

from sync.a1 import column_letter
from sync.contract.grid import STRAY_GAP_ROWS, TabGrid
from sync.contract.tables import Issue
from sync.i18n import _
from sync.read.cells import cell_text
from sync.read.headers import HeaderMatch
from sync.schema import TabSpec

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def _cell_position(reference: str) -> tuple[int, int] | None:
    """`C2` -> (2, 3): 1-based row and column; None when it is not a cell reference."""
    match = _CELL.fullmatch(reference.strip())
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _header_at(spec: TabSpec, headers: HeaderMatch | None, column: int) -> str:
    """The declared header of a 1-based column, or "" for the owner's own columns."""
    if headers is None:
        return ""
    for name, index in headers.positions.items():
        if index == column - 1:
            return next(c.header for c in spec.columns if c.field == name)
    return ""


def _value_at(grid: list[list[Any]], row: int, column: int) -> Any:
    if 1 <= row <= len(grid):
        cells = grid[row - 1]
        if isinstance(cells, list | tuple) and 1 <= column <= len(cells):
            return cells[column - 1]
    return None


def shape_issues(spec: TabSpec, grid: Any, headers: HeaderMatch | None) -> list[Issue]:
    """One Warning per merged range and per stray cell of a tab handed in as a `TabGrid`."""
    if not isinstance(grid, TabGrid):
        return []
    issues = []
    for merged in grid.merged:
        first = _cell_position(str(merged).split(":")[0])
        row, column = first if first else (None, 0)
        value = _value_at(grid, row, column) if row else None
        shown = _(' ("{value}")').format(value=cell_text(value)) if value not in (None, "") else ""
        issues.append(Issue(
            tab=spec.tab, row=row, column=_header_at(spec, headers, column),
            value=cell_text(value), severity="Warning",
            problem=_("{range} is a merged range, so each of its cells reads as its top-left "
                      "value{shown}: unmerge it and type the value in every row it belongs to"
                      ).format(range=f"{spec.tab}!{merged}", shown=shown),
        ))
    for row, column, value in grid.stray:
        cell = f"{spec.tab}!{column_letter(column - 1)}{row}"
        issues.append(Issue(
            tab=spec.tab, row=row, column=_header_at(spec, headers, column),
            value=cell_text(value), severity="Warning",
            problem=_("{cell} holds a value more than {gap} rows below the last data row, so "
                      "it is not read as data: delete it, or move it up next to the data if it "
                      "belongs there").format(cell=cell, gap=f"{STRAY_GAP_ROWS:,}"),
        ))
    return issues
