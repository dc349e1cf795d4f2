"""What every backend offers the engine: read grids, write a plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sync.contract.grid import Grid
from sync.contract.plan import TabOutput


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
