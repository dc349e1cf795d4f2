"""What every backend offers the engine: read grids, write a plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sync.write.plan import TabOutput

Grid = list[list[Any]]


@dataclass
class WriteStats:
    """What a write did: tabs written, cells sent, API requests (0 for a file)."""

    tabs_written: list[str]
    cells_written: int = 0
    requests: int = 0


class Backend(Protocol):
    """A workbook the engine reads from and writes computed tabs to."""

    label: str  # how messages name the workbook: a file path or a spreadsheet id
    # A backend may also offer `add_tab_hint: str`, how an owner adds a missing template tab
    # where the workbook lives (e.g. `run "salesops init --sheet ID"`).

    def today(self) -> date:
        """Today where the workbook lives (the spreadsheet's time zone, or the machine's)."""
        ...

    def read(self, tabs: Sequence[str]) -> dict[str, Grid]:
        """The cell values of each named tab that exists, row 1 first.

        Values are `None`, `str`, `int`, `float`, `bool`, `datetime.date` or
        `datetime.datetime` (a backend may also hand date cells in as serial numbers,
        which the reader accepts). Tabs that do not exist are absent from the result.
        Trailing empty rows and columns may be trimmed.
        """
        ...

    def write(self, outputs: Sequence[TabOutput]) -> WriteStats:
        """Write the computed tabs, atomically; never touch any other tab."""
        ...
