"""What every backend offers the engine: read grids, write a plan."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sync.contract.plan import TabOutput

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


@dataclass
class WriteStats:
    """What a write did: tabs written, cells sent, API requests (0 for a file)."""

    tabs_written: list[str]
    cells_written: int = 0
    requests: int = 0


class Backend(Protocol):
    """A workbook the engine reads from and writes computed tabs to."""

    label: str  # how messages name the workbook: a file path or a spreadsheet id
    # How an owner adds a missing template tab where the workbook lives
    # (e.g. `run "salesops init --sheet ID"`); None for the reader's default advice.
    add_tab_hint: str | None

    def today(self) -> date:
        """Today where the workbook lives (the spreadsheet's time zone, or the machine's)."""
        ...

    def read(self, tabs: Sequence[str]) -> dict[str, Grid]:
        """The cell values of each named tab that exists, row 1 first.

        Values are `None`, `str`, `int`, `float`, `bool`, `datetime.date`,
        `datetime.datetime` or `CellError` (a backend may also hand date cells in as serial
        numbers, which the reader accepts). A grid may be a plain list of rows or a
        `TabGrid` carrying merged ranges and stray far-away cells. Tabs that do not exist
        are absent from the result. Trailing empty rows and columns may be trimmed.
        """
        ...

    def write(self, outputs: Sequence[TabOutput]) -> WriteStats:
        """Write the computed tabs, atomically; never touch any other tab."""
        ...
