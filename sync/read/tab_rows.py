"""The rows of a tab that were read, held column by column, and the problems found in them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sync.contract.tables import Issue

_FEW = 64  # rows taken out in place; more and the columns are copied without them


@dataclass
class TabRows:
    """The rows of a tab that were read, and the problems found in them.

    `columns` holds, per field, the value of each row read, in sheet order; `rows` the
    sheet row of each. Rules read and respell a column at a time, and the validated
    table is built from the columns as they are.

    `left_out` holds the rows an Error took out, with the cells that could still be read
    (and `row`), so that checks over every row (duplicate keys) and references to them
    ("left out because of the Error on Team row 4") can still find them.
    """

    columns: dict[str, list[Any]] = field(default_factory=dict)  # field -> value per row
    rows: list[int] = field(default_factory=list)  # the sheet row of each row read
    raw: Mapping[int, dict[str, Any]] = field(default_factory=dict)  # sheet row -> cells
    issues: list[Issue] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of_fields(cls, fields: Iterable[str]) -> TabRows:
        """No rows yet, with a column for each of these fields."""
        return cls(columns={name: [] for name in fields})

    def __len__(self) -> int:
        return len(self.rows)

    def values(self, name: str) -> list[Any]:
        """The column of this field (all None when the rows have no such field)."""
        column = self.columns.get(name)
        return [None] * len(self.rows) if column is None else column

    def record(self, position: int) -> dict[str, Any]:
        """One row read, as field -> value and `row`."""
        record = {name: cells[position] for name, cells in self.columns.items()}
        record["row"] = self.rows[position]
        return record

    def records(self) -> list[dict[str, Any]]:
        """Every row read, as field -> value and `row` (for small tabs and tests)."""
        return [self.record(position) for position in range(len(self.rows))]

    def append(self, record: dict[str, Any]) -> None:
        """Add a row read, from field -> value and `row`."""
        for name, cells in self.columns.items():
            cells.append(record.get(name))
        self.rows.append(record["row"])

    def keep(self, positions: list[int]) -> None:
        """Keep only the rows at these positions (in this order)."""
        if len(positions) == len(self.rows) and positions == sorted(positions):
            return
        pick = itemgetter(*positions) if len(positions) > 1 else None
        self.columns = {name: _picked(pick, positions, cells)
                        for name, cells in self.columns.items()}
        self.rows = _picked(pick, positions, self.rows)

    def leave_out(self, rows: set[int]) -> None:
        """Take these sheet rows out of the rows read (an Error was reported on each)."""
        if not rows:
            return
        dropped = [position for position, row in enumerate(self.rows) if row in rows]
        if not dropped:
            return
        self.left_out.extend(self.record(position) for position in dropped)
        self.drop(dropped)

    def drop(self, positions: list[int]) -> None:
        """Take out the rows at these positions (ascending)."""
        if len(positions) > _FEW:
            dropped = set(positions)
            self.keep([position for position in range(len(self.rows))
                       if position not in dropped])
            return
        for position in reversed(positions):  # a few rows: no need to copy every column
            for cells in self.columns.values():
                del cells[position]
            del self.rows[position]


def _picked(pick: itemgetter[Any] | None, positions: list[int], cells: list[Any]) -> list[Any]:
    if pick is None:
        return [cells[position] for position in positions]
    return list(pick(cells))
