"""Rows by whose results they are and what they sold: a goal's scope found by lookup, not scan.

A goal counts the rows of some reps (or everyone), maybe one product and one region, within
a period. Scanning every row for every goal costs goals x rows; `ScopedRows` groups the rows
once by (rep, product, region) name keys, so a goal touches only the rows of its own groups.
The rows it returns are in the frame's order, so sums add the same numbers in the same order
as a filtered frame would: the figures are identical to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

_BLANK = ""  # name keys are never empty strings: a blank key is None


@dataclass(frozen=True)
class Scope:
    """What a goal counts: whose results, and which product and region."""

    reps: frozenset[str] | None
    product: str | None
    region: str | None

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of a frame with `rep`, `product` and `region` name-key columns in scope."""
        keep = pd.Series(True, index=frame.index)
        if self.reps is not None:
            keep &= frame["rep"].isin(self.reps)
        if self.product is not None:
            keep &= frame["product"] == self.product
        if self.region is not None:
            keep &= frame["region"] == self.region
        return keep


def _days(values: pd.Series) -> np.ndarray:
    """Dates as datetime64[ns] (NaT for blank), compared exactly as `pd.to_datetime` would."""
    return pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")


class ScopedRows:
    """One frame's rows indexed once by their rep, product and region name keys."""

    def __init__(self, frame: pd.DataFrame, date_columns: tuple[str, ...]) -> None:
        self.frame = frame.reset_index(drop=True)
        self._days = {name: _days(self.frame[name]) for name in date_columns}
        self._keys: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._index: dict[str, dict[str, np.ndarray]] = {}
        for name in ("rep", "product", "region"):
            keys = self.frame[name].astype(object).where(self.frame[name].notna(), _BLANK)
            self._keys[name] = keys.to_numpy(dtype=object)
            grouped = keys.groupby(keys, sort=False).indices if len(keys) else {}
            self._index[name] = {str(key): rows for key, rows in grouped.items()}

    def _candidates(self, scope: Scope) -> tuple[str | None, np.ndarray]:
        """The rows of the most selective of the scope's rep, product and region, in order,
        and which of the three they were found by (None: every row)."""
        options: list[tuple[str, list[np.ndarray]]] = []
        if scope.reps is not None:
            index = self._index["rep"]
            options.append(("rep", [index[rep] for rep in scope.reps if rep in index]))
        for name, key in (("product", scope.product), ("region", scope.region)):
            if key is not None:
                found = self._index[name].get(key)
                options.append((name, [] if found is None else [found]))
        if not options:
            return None, np.arange(len(self.frame))
        name, parts = min(options, key=lambda option: sum(len(rows) for rows in option[1]))
        if not parts:
            return name, np.empty(0, dtype=np.intp)
        return name, np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]

    def positions(self, scope: Scope, date_column: str, start: date, end: date) -> np.ndarray:
        """Row positions in scope whose date is from `start` to `end` inclusive, in order."""
        found_by, rows = self._candidates(scope)
        days = self._days[date_column][rows]
        # NaT compares False both ways, as in the frame's own comparison
        keep = (days >= np.datetime64(start, "ns")) & (days <= np.datetime64(end, "ns"))
        if scope.reps is not None and found_by != "rep":
            keep &= pd.Series(self._keys["rep"][rows]).isin(scope.reps).to_numpy()
        for name, key in (("product", scope.product), ("region", scope.region)):
            if key is not None and found_by != name:
                keep &= self._keys[name][rows] == key
        return rows[keep]

    def values(
        self, scope: Scope, date_column: str, start: date, end: date, column: str
    ) -> pd.Series:
        """One column of the in-scope rows dated from `start` to `end`, in the original order
        (a plain Series: what a filtered frame's column holds, without copying the frame)."""
        if column not in self._columns:
            self._columns[column] = self.frame[column].to_numpy()
        return pd.Series(self._columns[column][self.positions(scope, date_column, start, end)])
