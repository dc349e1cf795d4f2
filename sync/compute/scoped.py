"""Rows by whose results they are and what they sold: every goal's rows found in one pass.

A goal counts the rows of some reps (or everyone), maybe one product and one region, within
a period. Scanning every row for every goal costs goals x rows. `ScopedRows` instead sorts a
table's rows once by (rep, date), (product, date), (region, date) or date alone, as the goals
need them; a batch of goals (`ScopedRows.match`) then finds the rows of all its goals at once
by binary search into those sorted keys, checks the scope's other names on just those rows,
and hands each goal its rows in the frame's order. Sums over them add the same numbers in the
same order as a filtered frame would, so the figures are identical to the bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sync.compute.names import name_key

DIMENSIONS = ("rep", "product", "region")
_EVERY_ROW = "all"  # the index of every dated row, for a goal with no scope at all
_DAY_NS = 86_400 * 10**9
_EPOCH = date(1970, 1, 1)


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


def half_days(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each date as 2 x its day number, plus 1 when it has a time of day; and which are set.

    A goal's period runs from Start to End midnight, both included, as a frame compares
    timestamps: a date with a time of day falls in it when its day is from Start to End - 1.
    On this half-day scale both kinds are in the period exactly when their key is from
    2 x Start to 2 x End, so one sorted key answers every period.
    """
    stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(stamps)
    days, rest = np.divmod(stamps.view(np.int64), _DAY_NS)
    return np.where(dated, 2 * days + (rest > 0), 0), dated


def half_day(day: date) -> int:
    """The half-day key of a date's midnight."""
    return 2 * (day - _EPOCH).days


@dataclass(frozen=True)
class Matches:
    """The rows of each goal in a batch, in frame order: goal i's are
    `rows[offsets[i]:offsets[i + 1]]`."""

    rows: np.ndarray
    offsets: np.ndarray

    def counts(self) -> np.ndarray:
        """How many rows each goal counts."""
        return np.diff(self.offsets).astype(float)


class _SortedIndex:
    """A table's dated rows with a name, sorted by that name's code, then by date."""

    def __init__(self, codes: np.ndarray, keys: np.ndarray, rows: np.ndarray) -> None:
        self.low = int(keys.min()) if len(keys) else 0
        self.width = int(keys.max()) - self.low + 1 if len(keys) else 1
        composite = codes * self.width + (keys - self.low)
        order = np.argsort(composite)  # ties in any order: each goal's rows are sorted later
        self.sorted = composite[order]
        self.rows = rows[order]

    def ranges(
        self, groups: np.ndarray, lows: np.ndarray, highs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Where each (group, first key, last key) starts in `rows`, and how many rows it has."""
        lows = np.clip(lows - self.low, 0, self.width)
        highs = np.clip(highs - self.low, -1, self.width - 1)
        left = np.searchsorted(self.sorted, groups * self.width + lows, side="left")
        right = np.searchsorted(self.sorted, groups * self.width + highs, side="right")
        return left, np.maximum(right - left, 0)


# how a scope's rows are found: the name key searched by, its codes, and the other name
# keys to check with the codes each allows
_Plan = tuple[str, list[int], list[tuple[str, list[int]]]]


def _expand(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ... of every (start, length), one after another."""
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


def name_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each value's name key as a code into the distinct keys (-1 when blank).

    `name_key` runs once per distinct value, as `names.name_keys` runs it: two spellings of
    one name ("Ana", " ana ") get one code.
    """
    raw, distinct = pd.factorize(values.astype(object), use_na_sentinel=True)
    keys = [name_key(value) for value in distinct]
    key_codes, uniques = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
    codes = np.append(key_codes, -1).astype(np.int64)[raw]
    return codes, [str(key) for key in uniques]


class ScopedRows:
    """One frame's rows, with rep, product and region name keys, sorted on first use by each
    name key and date goals ask by."""

    def __init__(
        self, frame: pd.DataFrame, date_columns: tuple[str, ...],
        codes: dict[str, tuple[np.ndarray, list[str]]],
    ) -> None:
        self.frame = frame.reset_index(drop=True)
        self._date_columns = date_columns
        self._dates: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # read on first use
        self._names = codes
        self._codes = {name: found for name, (found, _keys) in codes.items()}
        self._lookup = {name: {key: n for n, key in enumerate(keys)} for name, (_c, keys) in
                        codes.items()}
        self._sizes = {  # rows per code, as a list: a scope adds up a few
            name: np.bincount(found[found >= 0], minlength=len(self._lookup[name])).tolist()
            for name, found in self._codes.items()
        }
        self._indexes: dict[tuple[str, str], _SortedIndex] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._plans: dict[Scope, _Plan | None] = {}

    @classmethod
    def keyed(
        cls, frame: pd.DataFrame, date_columns: tuple[str, ...], **names: str
    ) -> ScopedRows:
        """A frame's rows with its `rep`, `product` and `region` named by the given columns
        (`rep="owner"`), which the frame then holds as name keys (None when blank)."""
        codes = {name: name_codes(frame[source]) for name, source in names.items()}
        columns = {}
        for name, (found, keys) in codes.items():
            text = np.array([*keys, None], dtype=object)
            columns[name] = pd.Series(text[found], index=frame.index, dtype=object)
        return cls(frame.assign(**columns), date_columns, codes)

    def subset(self, positions: np.ndarray, date_columns: tuple[str, ...]) -> ScopedRows:
        """These rows (positions, in this order) of the frame, with their name keys."""
        codes = {name: (found[positions], keys) for name, (found, keys) in self._names.items()}
        return ScopedRows(self.frame.iloc[positions], date_columns, codes)

    def _index(self, dimension: str, date_column: str) -> _SortedIndex:
        """The rows sorted by this name key and date, built once."""
        found = self._indexes.get((dimension, date_column))
        if found is None:
            if date_column not in self._date_columns:
                raise KeyError(date_column)
            if date_column not in self._dates:
                self._dates[date_column] = half_days(self.frame[date_column])
            keys, dated = self._dates[date_column]
            codes = (
                np.zeros(len(self.frame), dtype=np.int64) if dimension == _EVERY_ROW
                else self._codes[dimension]
            )
            rows = np.flatnonzero(dated & (codes >= 0))
            found = self._indexes[(dimension, date_column)] = _SortedIndex(
                codes[rows], keys[rows], rows
            )
        return found

    def _plan(self, scope: Scope) -> _Plan | None:
        """How to find a scope's rows: the name key to search by (the one with the fewest
        rows), its codes, and the scope's other names to check; None when no row can be in
        scope. Worked out once per scope."""
        known = self._plans.get(scope)
        if known is not None or scope in self._plans:
            return known
        candidates: list[tuple[int, str, list[int]]] = []
        if scope.reps is not None:
            lookup, sizes = self._lookup["rep"], self._sizes["rep"]
            reps = [lookup[rep] for rep in scope.reps if rep in lookup]
            candidates.append((sum(sizes[code] for code in reps), "rep", reps))
        for name, key in (("product", scope.product), ("region", scope.region)):
            if key is not None:
                code = self._lookup[name].get(key)
                found = [] if code is None else [code]
                size = 0 if code is None else self._sizes[name][code]
                candidates.append((size, name, found))
        plan: _Plan | None = (_EVERY_ROW, [0], [])
        if candidates:
            candidates.sort(key=lambda candidate: candidate[0])
            (_size, name, groups), *others = candidates
            checks = [(other, codes) for _n, other, codes in others]
            plan = None if any(not codes for _n, _name, codes in candidates) else (
                name, groups, checks)
        self._plans[scope] = plan
        return plan

    def match(
        self, scopes: Sequence[Scope], date_column: str, starts: Sequence[date],
        ends: Sequence[date],
    ) -> Matches:
        """The rows of every (scope, start, end) in the batch: in scope and dated from start
        to end inclusive, in frame order."""
        count = len(scopes)
        pairs: dict[str, tuple[list[int], list[int]]] = {}  # name key -> (goal, group) pairs
        checks: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in DIMENSIONS}
        for goal, scope in enumerate(scopes):
            plan = self._plan(scope)
            if plan is None:
                continue
            name, groups, others = plan
            goals, codes = pairs.setdefault(name, ([], []))
            goals.extend([goal] * len(groups))
            codes.extend(groups)
            for other, allowed in others:
                checks[other][0].extend([goal] * len(allowed))
                checks[other][1].extend(allowed)
        lows = np.array([half_day(day) for day in starts], dtype=np.int64)
        highs = np.array([half_day(day) for day in ends], dtype=np.int64)
        found_goals, found_rows = [], []
        for name, (goals, groups) in pairs.items():
            index = self._index(name, date_column)
            goal_array = np.array(goals, dtype=np.int64)
            left, lengths = index.ranges(
                np.array(groups, dtype=np.int64), lows[goal_array], highs[goal_array]
            )
            found_rows.append(index.rows[_expand(left, lengths)])
            found_goals.append(np.repeat(goal_array, lengths))
        rows = np.concatenate(found_rows) if found_rows else np.empty(0, dtype=np.int64)
        goals_of = np.concatenate(found_goals) if found_goals else np.empty(0, dtype=np.int64)
        keep = np.ones(len(rows), dtype=bool)
        for name, (goals, codes) in checks.items():
            if goals:
                self._check(name, keep, count, goals, codes, goals_of, rows)
        size = max(len(self.frame), 1)
        ordered = np.sort(goals_of[keep] * size + rows[keep])
        offsets = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(ordered // size, minlength=count), out=offsets[1:])
        return Matches(ordered % size, offsets)

    def _check(
        self, name: str, keep: np.ndarray, count: int, goals: list[int], codes: list[int],
        goals_of: np.ndarray, rows: np.ndarray,
    ) -> None:
        """Drop from `keep` the found rows of the goals checking this name whose name is not
        one the goal allows (every allowed (goal, code) pair is listed)."""
        goal_array = np.array(goals, dtype=np.int64)
        checked = np.zeros(count, dtype=bool)
        checked[goal_array] = True
        at = np.flatnonzero(checked[goals_of])  # only the rows of goals with this check
        stride = len(self._lookup[name]) + 1  # codes shifted by 1: a blank name (-1) is 0
        allowed = goal_array * stride + np.array(codes, dtype=np.int64) + 1
        found = goals_of[at] * stride + self._codes[name][rows[at]] + 1
        keep[at] &= np.isin(found, allowed)

    def sums(self, matches: Matches, column: str) -> np.ndarray:
        """Each goal's sum of a column over its rows, added as `Series.sum` adds (NaN as 0)."""
        values = self._column(column)
        picked = values[matches.rows]
        bounds = matches.offsets.tolist()
        if values.dtype == np.float64:
            add = np.add.reduce
            return np.array([add(picked[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)])
        return np.array([
            float(pd.Series(picked[a:b]).sum()) for a, b in zip(bounds, bounds[1:], strict=False)
        ])

    def _column(self, column: str) -> np.ndarray:
        """A column as an array, NaN as 0 for float columns, as a sum skips it."""
        if column not in self._columns:
            values = self.frame[column].to_numpy()
            if values.dtype == np.float64:
                values = np.where(np.isnan(values), 0.0, values)
            self._columns[column] = values
        return self._columns[column]

    def values(
        self, scope: Scope, date_column: str, start: date, end: date, column: str
    ) -> pd.Series:
        """One column of the in-scope rows dated from `start` to `end`, in the original order
        (a plain Series: what a filtered frame's column holds, without copying the frame)."""
        rows = self.match([scope], date_column, [start], [end]).rows
        return pd.Series(self.frame[column].to_numpy()[rows])
