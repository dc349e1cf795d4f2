"""One computed tab's requests beside its size: the changed values, and the formats."""

from __future__ import annotations

from dataclasses import dataclass

from sync.backends.sheets import requests as build
from sync.backends.sheets.diff import Block, changed_blocks
from sync.contract.grid import Grid
from sync.contract.plan import TabOutput


@dataclass
class TabSize:
    """A computed tab's id and row count once sized, and the requests that size it."""

    sheet_id: int
    row_count: int
    relayout: bool  # added or resized: formats and widths are laid out again
    requests: list[build.Request]


@dataclass
class ChangedValues:
    """The value requests of the cells that differ from the tab as read."""

    requests: list[build.Request]
    cells: int  # cells written or cleared
    rows: list[int]  # data rows (0-based) whose values were written
    header_changed: bool


def changed_values(sheet_id: int, old: Grid, grid: Grid) -> ChangedValues:
    """Write the changed blocks of `grid`, and clear rows the tab no longer has."""
    blocks = changed_blocks(old, grid)
    found = ChangedValues([], 0, [], bool(blocks) and blocks[0].top == 0)
    for block in blocks:
        found.cells += block.cells
        written = Block(block.top, min(block.bottom, len(grid)), block.left, block.right)
        if written.bottom > written.top:
            found.requests.extend(build.write_values(sheet_id, grid, written))
            found.rows.extend(range(written.top - 1, written.bottom - 1))
        if block.bottom > len(grid):
            top = max(block.top, len(grid))
            found.requests.append(build.clear_rows(sheet_id, top, block.bottom, block.right))
    return found


def format_requests(
    output: TabOutput, size: TabSize, relayout: bool, changed_rows: list[int]
) -> list[build.Request]:
    """The whole layout when the tab was laid out again, else the formats of changed rows."""
    requests: list[build.Request] = []
    if relayout:
        requests.extend(build.layout(output, size.sheet_id, size.row_count))
        changed_rows = list(range(len(output.rows)))
    if not output.append_only:
        rows = [row for row in changed_rows if row >= 0]
        requests.extend(build.cell_formats(output, size.sheet_id, 1, rows))
    return requests
