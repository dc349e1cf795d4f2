"""Grids: the cell values of one tab as a backend hands them to the reader."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# Rows this far below the last data row no longer belong to the data (SPEC section 2).
STRAY_GAP_ROWS = 1000


class CellError(str):
    """A cell with no readable value: a spreadsheet error (`#N/A`) or a formula never calculated.

    The string is what the owner sees in the cell (`#N/A`, `#DIV/0!`), or the formula
    (`=SUM(A1:A3)`) when it has no cached value; the reader reports it as typed.
    """

    __slots__ = ()

    @property
    def is_formula(self) -> bool:
        """A formula that was never calculated (no cached value), not an error value."""
        return self.startswith("=")


Grid = list[list[Any]]


class TabGrid(list[list[Any]]):
    """The rows of one tab (row 1 first), and what the reader must say about its shape.

    `merged` lists the merged ranges (`C2:C3`) whose cells the backend has already filled
    with the range's top-left value; `stray` lists the non-empty cells found more than
    `STRAY_GAP_ROWS` rows below the last data row, as (row, column, value) with 1-based row
    and column numbers: they are not among the rows, and cost nothing to carry.
    """

    def __init__(
        self,
        rows: Iterable[list[Any]] = (),
        *,
        merged: Sequence[str] = (),
        stray: Sequence[tuple[int, int, Any]] = (),
    ) -> None:
        super().__init__(rows)
        self.merged: list[str] = list(merged)
        self.stray: list[tuple[int, int, Any]] = list(stray)
