"""Rows by whose results they are and what they sold: a goal's scope found by lookup, not scan.

A goal counts the rows of some reps (or everyone), maybe one product and one region, within
a period. Scanning every row for every goal costs goals x rows; `ScopedRows` groups the rows
once by (rep, product, region) name keys, so a goal touches only the rows of its own groups.
The rows it returns are in the frame's order, so sums add the same numbers in the same order
as a filtered frame would: the figures are identical to the bit.
"""

from __future__ import annotations

from collections.abc import Hashable
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
    """One frame's rows grouped once by their (rep, product, region) name keys."""

    def __init__(self, frame: pd.DataFrame, date_columns: tuple[str, ...]) -> None:
        self.frame = frame.reset_index(drop=True)
        self._days = {name: _days(self.frame[name]) for name in date_columns}
        keys = pd.DataFrame(
            {name: self.frame[name].astype(object).where(self.frame[name].notna(), _BLANK)
             for name in ("rep", "product", "region")}
        )
        self._groups: dict[tuple[str, str, str], np.ndarray] = {}
        if len(keys):
            grouped = keys.groupby(["rep", "product", "region"], sort=False).indices
            self._groups = {_triple(key): positions for key, positions in grouped.items()}
        self._by: tuple[dict[str, list[tuple[str, str, str]]], ...] = ({}, {}, {})
        for key in self._groups:
            for level, part in enumerate(key):
                self._by[level].setdefault(part, []).append(key)

    def _group_keys(self, scope: Scope) -> list[tuple[str, str, str]]:
        """The groups in scope, looked up from the most selective of rep, product, region."""
        candidates: list[list[tuple[str, str, str]]] = []
        if scope.reps is not None:
            candidates.append([k for rep in scope.reps for k in self._by[0].get(rep, [])])
        if scope.product is not None:
            candidates.append(self._by[1].get(scope.product, []))
        if scope.region is not None:
            candidates.append(self._by[2].get(scope.region, []))
        if not candidates:
            return list(self._groups)
        keys = min(candidates, key=len)
        return [
            key for key in keys
            if (scope.reps is None or key[0] in scope.reps)
            and (scope.product is None or key[1] == scope.product)
            and (scope.region is None or key[2] == scope.region)
        ]

    def positions(self, scope: Scope, date_column: str, start: date, end: date) -> np.ndarray:
        """Row positions in scope whose date is from `start` to `end` inclusive, in order."""
        parts = [self._groups[key] for key in self._group_keys(scope)]
        if not parts:
            return np.empty(0, dtype=np.intp)
        rows = np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        days = self._days[date_column][rows]
        # NaT compares False both ways, as in the frame's own comparison
        inside = (days >= np.datetime64(start, "ns")) & (days <= np.datetime64(end, "ns"))
        return rows[inside]

    def rows(self, scope: Scope, date_column: str, start: date, end: date) -> pd.DataFrame:
        """The in-scope rows dated from `start` to `end`, as a frame in the original order."""
        return self.frame.iloc[self.positions(scope, date_column, start, end)]


def _triple(key: Hashable) -> tuple[str, str, str]:
    rep, product, region = key  # type: ignore[misc]
    return (str(rep), str(product), str(region))
