"""Appending to a tab the owner may have added to: new rows laid out under its own headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sync.contract.plan import TabOutput
from sync.read.headers import match_headers
from sync.schema import tab_spec


def column_positions(output: TabOutput, header_row: Sequence[Any] | None) -> list[int] | None:
    """Where each declared column of `output` sits in the tab's header row (0-based).

    None when the row lacks one of them, or names one twice: then the tab cannot be
    appended to as it stands and is written whole.
    """
    if not header_row:
        return None
    match = match_headers(tab_spec(output.name), list(header_row))
    if match.missing:
        return None
    declared = tab_spec(output.name).columns
    if len(output.columns) != len(declared):
        return None
    # The output's columns are the declared ones in order, headed in the workbook's locale.
    found = [match.positions[column.field] for column in declared]
    return found if len(set(found)) == len(found) else None


def laid_out(rows: Sequence[Sequence[Any]], positions: Sequence[int]) -> list[list[Any]]:
    """Rows in declared column order, placed at `positions` (other cells blank)."""
    width = max(positions, default=-1) + 1
    placed = []
    for row in rows:
        cells: list[Any] = [None] * width
        for value, position in zip(row, positions, strict=False):
            cells[position] = value
        placed.append(cells)
    return placed
