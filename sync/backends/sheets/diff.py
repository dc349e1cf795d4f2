"""Which cells of a computed tab changed: compare the planned grid with the one read."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sync.serials import to_serial


@dataclass(frozen=True)
class Block:
    """A rectangle of changed cells: rows `top`..`bottom`-1, columns `left`..`right`-1."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def cells(self) -> int:
        """How many cells the block covers."""
        return (self.bottom - self.top) * (self.right - self.left)


def comparable(value: Any) -> tuple[str, Any] | None:
    """A value as the API reads it back (UNFORMATTED_VALUE, SERIAL_NUMBER), for equality.

    Tagged by kind so `True` never equals `1`; dates compare as serials rounded to
    about a millisecond, since that is all a sheet keeps.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, date):
        return ("number", _serial(value))
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return ("number", round(float(value), 8) if abs(value) < 1e6 else float(value))
    return ("text", str(value))


@lru_cache(maxsize=1 << 16)
def _serial(value: date) -> float:
    """A date's serial as read back (a computed tab repeats the same days and moments)."""
    return round(to_serial(value), 8)


_NUMBERS = (int, float)


def _same_row(old_row: Sequence[Any], new_row: Sequence[Any]) -> bool:
    """Equal cells of the same kind: the fast path for the common case.

    A sheet reads a whole number back as an int where the plan holds a float (`5` and
    `5.0`), which read back alike; comparing the types keeps `True` apart from `1`.
    """
    old_cells, new_cells = list(old_row), list(new_row)
    if old_cells != new_cells:
        return False
    old_types, new_types = list(map(type, old_cells)), list(map(type, new_cells))
    return old_types == new_types or all(
        old_type is new_type or (old_type in _NUMBERS and new_type in _NUMBERS)
        for old_type, new_type in zip(old_types, new_types, strict=True)
    )


def _changed_columns(old_row: Sequence[Any], new_row: Sequence[Any]) -> list[int]:
    old_width, new_width = len(old_row), len(new_row)
    changed = []
    for column in range(max(old_width, new_width)):
        old_value = old_row[column] if column < old_width else None
        new_value = new_row[column] if column < new_width else None
        # Equal values of one type always compare equal as read back: skip the tagging.
        if old_value == new_value and type(old_value) is type(new_value):
            continue
        if comparable(old_value) != comparable(new_value):
            changed.append(column)
    return changed


def changed_blocks(old: Sequence[Sequence[Any]], new: Sequence[Sequence[Any]]) -> list[Block]:
    """Blocks covering every cell whose value differs; consecutive changed rows merge.

    Rows of `old` beyond `new` count as changed (their cells must be cleared).
    """
    blocks: list[Block] = []
    current: list[int] | None = None  # [top, bottom, left, right]
    for row in range(max(len(old), len(new))):
        old_row = old[row] if row < len(old) else ()
        new_row = new[row] if row < len(new) else ()
        if not old_row:  # a new row: every filled cell changes
            filled = [index for index, value in enumerate(new_row) if comparable(value)]
            columns = filled[:1] + filled[-1:]
        elif _same_row(old_row, new_row):
            columns = []
        else:
            columns = _changed_columns(old_row, new_row)
        if not columns:
            if current:
                blocks.append(Block(*current))
                current = None
            continue
        left, right = columns[0], columns[-1] + 1
        if current and current[1] == row:
            current[1] = row + 1
            current[2] = min(current[2], left)
            current[3] = max(current[3], right)
        else:
            if current:
                blocks.append(Block(*current))
            current = [row, row + 1, left, right]
    if current:
        blocks.append(Block(*current))
    return blocks


def new_log_rows(existing: Sequence[Sequence[Any]], planned: Sequence[Sequence[Any]]) -> list:
    """Planned rows of an append-only tab that are not in it yet, in planned order.

    Works whether the plan holds the whole log or only this sync's rows: each planned
    row is matched at most once against an equal existing row.
    """
    width = max((len(row) for row in planned), default=0)

    def key(row: Sequence[Any]) -> tuple:
        cells = list(row[:width]) + [None] * (width - len(row))
        return tuple(map(comparable, cells))

    seen = Counter(key(row) for row in existing)
    fresh = []
    for row in planned:
        row_key = key(row)
        if seen[row_key]:
            seen[row_key] -= 1
        else:
            fresh.append(list(row))
    return fresh
