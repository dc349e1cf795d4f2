"""Reading a whole column at once: clean cells typed in bulk, the rest marked `SLOW`.

The cells of one column are grouped by their Python type. The common groups (blank
cells, real numbers, date cells, plain text) are typed for the whole group at once;
any other cell goes through `fastpath`'s reader one at a time. Either way a cell comes
out exactly as `columns.read_cell` reads it, or as `SLOW` when reading it needs the full
reader (a problem or a caveat to explain): its row then goes through the tab's Pydantic
row model, which decides every such cell. So this module changes how fast a result
comes, never the result.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

import numpy as np

from sync.compute.names import distinct_map
from sync.read.cells import cell_text, format_number, is_blank
from sync.read.columns import ReadContext
from sync.read.dates import FIRST_YEAR, LAST_YEAR
from sync.read.fastpath import SLOW, blank_value, fast_reader
from sync.read.headers import HeaderMatch
from sync.schema import ColumnSpec, TabSpec, tab_spec
from sync.serials import SERIAL_EPOCH

_LARGEST_EXACT = 2.0**53  # beyond this a float no longer holds every whole number
_NUMBERS = ("number", "money", "integer", "percent")
_TEXTS = ("text", "id")
_NONE = type(None)

Objects = np.ndarray  # a one-dimensional array of Python objects


@dataclass
class ColumnCells:
    """One column read: each cell's value (or `SLOW`), which cells are blank, which slow."""

    typed: list[Any]
    blank: np.ndarray  # bool
    slow: np.ndarray  # bool


def objects(values: list[Any]) -> Objects:
    """The values as a one-dimensional object array (a cell holding a list stays one cell)."""
    return np.fromiter(values, dtype=object, count=len(values))


def read_column(column: ColumnSpec, values: list[Any], context: ReadContext,
                reader: Callable[[Any], Any] | None = None) -> ColumnCells:
    """Every cell of this column as `read_cell` reads it, or `SLOW` where that takes more.

    `reader` is the column's `fastpath.fast_reader`, for the cells no group reads in bulk.
    """
    reader = reader or fast_reader(column, context)
    present = set(map(type, values))
    if len(present) <= 1:  # the usual case: one type of cell (and no copy to make)
        kind = present.pop() if present else _NONE
        typed, blank, slow = _read_group(column, kind, values, reader)
        return ColumnCells(typed, blank, slow)
    if len(present) == 2 and _NONE in present:  # the next usual: one type and empty cells
        return _one_type_and_empty(column, (present - {_NONE}).pop(), values, reader)
    count = len(values)
    cells = objects(values)
    kinds = np.fromiter(map(type, values), dtype=object, count=count)
    typed_cells = np.empty(count, dtype=object)
    blank = np.zeros(count, dtype=bool)
    slow = np.zeros(count, dtype=bool)
    for kind in present:
        where = np.flatnonzero(kinds == kind)
        group_typed, blank[where], slow[where] = _read_group(
            column, kind, cells[where].tolist(), reader)
        typed_cells[where] = objects(group_typed)
    return ColumnCells(typed_cells.tolist(), blank, slow)


def _one_type_and_empty(column: ColumnSpec, kind: type, values: list[Any],
                        reader: Callable[[Any], Any]) -> ColumnCells:
    """A column of one type of cell and empty cells (None): the empty ones all read as one."""
    filled_cells = list(map(operator.is_not, values, repeat(None)))
    group_typed, group_blank, group_slow = _read_group(
        column, kind, list(compress(values, filled_cells)), reader)
    empty_typed, _empty_blank, empty_slow = _nones(column, [None])
    filled = np.array(filled_cells, dtype=bool)
    typed = np.full(len(values), empty_typed[0], dtype=object)
    typed[filled] = objects(group_typed)
    blank = ~filled
    blank[filled] = group_blank
    slow = np.full(len(values), bool(empty_slow[0]), dtype=bool)
    slow[filled] = group_slow
    return ColumnCells(typed.tolist(), blank, slow)


def _read_group(column: ColumnSpec, kind: type, group: list[Any],
                reader: Callable[[Any], Any]) -> Bulk:
    """The cells of one exact type: in bulk where this column has a bulk reading for it."""
    if kind is str and column.type == "date":
        return _iso_date_texts(group, reader)
    read = _BULK.get(kind)
    result = read(column, group) if read is not None else None
    if result is not None:
        return result
    if kind in _REPEATING:  # each distinct number once (a NaN is read as the blank it is)
        typed = distinct_map(objects(group), reader).tolist()
    else:
        typed = [reader(value) for value in group]  # one cell at a time
    return (typed, np.fromiter(map(is_blank, group), dtype=bool, count=len(group)),
            np.fromiter((value is SLOW for value in typed), dtype=bool, count=len(group)))


class RawRows(Mapping[int, dict[str, Any]]):
    """The cells of each kept row as typed, by sheet row: made when asked for, not kept."""

    def __init__(self, columns: dict[str, list[Any]], kept: np.ndarray) -> None:
        self._columns = columns
        self._kept = kept

    def __getitem__(self, sheet_row: int) -> dict[str, Any]:
        index = sheet_row - 2 if isinstance(sheet_row, int) else -1
        if not 0 <= index < len(self._kept) or not self._kept[index]:
            raise KeyError(sheet_row)
        return {name: cells[index] for name, cells in self._columns.items()}

    def __iter__(self) -> Iterator[int]:
        return (index + 2 for index in np.flatnonzero(self._kept).tolist())

    def __len__(self) -> int:
        return int(self._kept.sum())

    def column(self, name: str) -> list[Any]:
        """Every cell of a matched column as typed, top to bottom (all None when unmatched)."""
        cells = self._columns.get(name)
        return [None] * len(self._kept) if cells is None else cells


@dataclass
class ColumnTable:
    """A tab's data rows read column by column (index 0 is sheet row 2).

    `typed` holds every declared field (a column the tab lacks reads as blank); `kept`
    marks the rows with a value in a declared column (others are skipped), `slow` the rows
    with a cell only the full reader can read.
    """

    typed: dict[str, list[Any]]
    kept: np.ndarray
    slow: np.ndarray
    raw: RawRows
    slow_cells: dict[str, np.ndarray]  # field -> which of its cells are `SLOW`

    def kept_cells(self, name: str) -> list[Any]:
        """The typed cells of a field in the kept rows only (itself when all are kept)."""
        cells = self.typed[name]
        if self.kept.all():
            return cells
        return [cells[position] for position in np.flatnonzero(self.kept).tolist()]


@cache
def _readers(tab: str, context: ReadContext) -> dict[str, Callable[[Any], Any]]:
    # Kept between syncs: a date column's reader remembers the days it has read.
    return {column.field: fast_reader(column, context) for column in tab_spec(tab).columns}


def read_columns(spec: TabSpec, grid: list[Any], headers: HeaderMatch,
                 context: ReadContext) -> ColumnTable:
    """Every data row of a tab (the grid without its header row), read column by column."""
    rows = grid[1:]
    if not set(map(type, rows)) <= {list, tuple}:  # a row that is a single value
        rows = [cells if isinstance(cells, list | tuple) else [cells] for cells in rows]
    count = len(rows)
    raw = _columns(rows, headers.positions)
    readers = _readers(spec.tab, context)
    typed: dict[str, list[Any]] = {}
    blank = np.ones(count, dtype=bool)
    slow = np.zeros(count, dtype=bool)
    slow_cells: dict[str, np.ndarray] = {}
    for column in spec.columns:
        values = raw.get(column.field)
        cells = read_column(column, [None] * count if values is None else values, context,
                            readers[column.field])
        typed[column.field] = cells.typed
        slow_cells[column.field] = cells.slow
        slow |= cells.slow
        if values is not None:  # a row with values only in the owner's columns is empty
            blank &= cells.blank
    kept = ~blank
    return ColumnTable(typed, kept, slow & kept, RawRows(raw, kept), slow_cells)


def _columns(rows: list[Any], positions: dict[str, int]) -> dict[str, list[Any]]:
    """The cells of each matched column, top to bottom (None beyond a short row)."""
    names = list(positions)
    if not names or not rows:
        return {name: [] for name in names}
    reach = min(map(len, rows))
    return {
        name: (list(map(itemgetter(index), rows)) if index < reach  # every row reaches it
               else [cells[index] if index < len(cells) else None for cells in rows])
        for name, index in positions.items()
    }


Bulk = tuple[list[Any], np.ndarray, np.ndarray]  # typed, blank, slow


def _with_blanks(column: ColumnSpec, typed: list[Any], blank: np.ndarray,
                 slow: np.ndarray) -> Bulk:
    """Blank cells read as the column's blank value, or `SLOW` in a required column."""
    if blank.any():
        empty = blank_value(column)
        for position in np.flatnonzero(blank).tolist():
            typed[position] = empty
        slow = slow | blank if empty is SLOW else slow & ~blank
    return typed, blank, slow


def _mark_slow(typed: list[Any], slow: np.ndarray) -> list[Any]:
    for position in np.flatnonzero(slow).tolist():
        typed[position] = SLOW
    return typed


def _none(count: int) -> np.ndarray:
    return np.zeros(count, dtype=bool)


def _nones(column: ColumnSpec, group: list[Any]) -> Bulk:
    empty = blank_value(column)
    every = np.ones(len(group), dtype=bool)
    return [empty] * len(group), every, every.copy() if empty is SLOW else _none(len(group))


def _floats(column: ColumnSpec, group: list[Any]) -> Bulk | None:
    numbers = np.array(group, dtype="float64")
    blank = np.isnan(numbers)
    if column.type in _NUMBERS:
        low = -math.inf if column.min is None else column.min
        high = math.inf if column.max is None else column.max
        if column.type == "percent" and column.percent_points_above is not None:
            high = min(high, column.percent_points_above)  # above: read as points
        clean = (numbers >= low) & (numbers <= high) & (np.abs(numbers) < _LARGEST_EXACT)
        if column.type == "integer":
            clean &= numbers == np.floor(numbers)
        # `float(value)` of a float is the value itself
        return _with_blanks(column, _mark_slow(list(group), ~clean), blank, ~clean)
    if column.type in _TEXTS:  # `17850.0` -> `17850`, as `parse_text` writes it
        return _with_blanks(column, list(map(format_number, group)), blank, _none(len(group)))
    if column.type in ("date", "datetime"):  # serial numbers, as the Sheets API sends dates
        return _serials(column, numbers, blank)
    return None


_MICROSECONDS_A_DAY = 86_400_000_000
_SERIAL_EPOCH = np.datetime64(SERIAL_EPOCH, "s")
_LAST_SERIAL = 109575  # 2200-01-01


def _serials(column: ColumnSpec, numbers: np.ndarray, blank: np.ndarray) -> Bulk:
    """Serial numbers in a date or date-time column, each read as `dates._from_serial`
    reads it, for the whole column at once.

    `SERIAL_EPOCH + timedelta(days=value)` takes the whole days, then the fraction times
    86,400,000,000 microseconds: its whole part, and the rest rounded half to even; the
    moment is then rounded to the nearest second. The same operations on float64 and
    int64 arrays give the same moment to the microsecond (`tests/test_column_reader.py`
    holds them to `_from_serial` on random and half-second serials).
    """
    usable = np.isfinite(numbers) & (numbers >= 1) & (numbers < _LAST_SERIAL)
    days = np.where(usable, numbers, 1.0)
    whole_days = np.floor(days)
    micro = (days - whole_days) * float(_MICROSECONDS_A_DAY)
    whole_micro = np.floor(micro)
    total = (whole_days.astype(np.int64) * _MICROSECONDS_A_DAY + whole_micro.astype(np.int64)
             + np.rint(micro - whole_micro).astype(np.int64))
    moments = _SERIAL_EPOCH + ((total + 500_000) // 1_000_000).astype("timedelta64[s]")
    years = moments.astype("datetime64[Y]").astype(np.int64) + 1970
    slow = ~(usable & (years >= FIRST_YEAR) & (years <= LAST_YEAR))
    typed = (moments.astype("datetime64[D]") if column.type == "date" else moments).tolist()
    return _with_blanks(column, _mark_slow(typed, slow), blank, slow)


def _strings(column: ColumnSpec, group: list[Any]) -> Bulk | None:
    stripped = list(map(str.strip, group))
    if all(stripped):  # no blank text: the usual case
        blank = _none(len(group))
    else:
        blank = np.fromiter(map(operator.not_, stripped), dtype=bool, count=len(group))
    if column.type in _TEXTS:
        return _with_blanks(column, stripped, blank, _none(len(group)))
    if column.type == "choice" and not blank.any() and set(group) <= set(column.choices):
        return list(group), blank, _none(len(group))  # each spelled as declared
    return None


def _dates(column: ColumnSpec, group: list[Any]) -> Bulk | None:
    if column.type in _TEXTS:
        return [value.isoformat() for value in group], *_all_clean(group)
    if column.type != "date":
        return None
    slow = ~_in_years(group)
    return _mark_slow(list(group), slow), _none(len(group)), slow


def _datetimes(column: ColumnSpec, group: list[Any]) -> Bulk | None:
    if column.type in _TEXTS:
        return list(map(cell_text, group)), *_all_clean(group)
    if column.type not in ("date", "datetime"):
        return None
    if {value.tzinfo for value in group} == {None}:
        slow = ~_in_years(group)
    else:
        slow = ~np.fromiter(
            (value.tzinfo is None and FIRST_YEAR <= value.year <= LAST_YEAR for value in group),
            dtype=bool, count=len(group))
    # a naive date-time reads as itself in a date-time column
    typed = [value.date() for value in group] if column.type == "date" else list(group)
    return _mark_slow(typed, slow), _none(len(group)), slow


# `2011-12-09` or `2011-12-09 12:50:00`, as `salesops import` and many exports write a
# date: ASCII digits only, a clock that exists, nothing around it.
_ISO_DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
                            r"(?: (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?")


def _iso_date_texts(group: list[Any], reader: Callable[[Any], Any]) -> Bulk:
    """Text in a date column: each distinct ISO date read once, the rest cell by cell.

    A column of dates typed as text repeats a few hundred days (a few thousand moments)
    over many rows, so each distinct text is checked against the strict pattern and made a
    date once; text that is not strictly ISO, not a real day (`2011-02-30`) or outside the
    years a date may have goes to `reader`, which reads or explains it as `read_cell` does.
    """
    days: dict[str, Any] = {}
    distinct = dict.fromkeys(group)
    for text in distinct:
        match = _ISO_DATE_TEXT.fullmatch(text)
        if match is not None:
            try:
                day = date(*map(int, match.group(1, 2, 3)))
            except ValueError:
                continue  # not a real day: the reader explains it
            if FIRST_YEAR <= day.year <= LAST_YEAR:
                days[text] = day
    if len(days) == len(distinct):  # the usual case: every cell an ISO date
        count = len(group)
        return list(map(days.__getitem__, group)), _none(count), _none(count)
    typed = [days[text] if text in days else reader(text) for text in group]
    blank = np.fromiter((text not in days and is_blank(text) for text in group), dtype=bool,
                        count=len(group))
    return typed, blank, np.fromiter((value is SLOW for value in typed), dtype=bool,
                                     count=len(group))


# Numbers the bulk readings leave to `reader` repeat: whole-number serial dates (a few
# hundred days over thousands of rows), numbers typed in a choice or yes/no column. The
# reader is a pure function of the cell, so each distinct number is read once.
_REPEATING = (int, float)


def _ints(column: ColumnSpec, group: list[Any]) -> Bulk | None:
    """Whole numbers (what the Sheets API sends for `1200`) in a number column, read as
    the floats they are: `float(value)`, bounds and the exact-integer limit as for floats."""
    if column.type not in _NUMBERS:
        return None
    try:
        numbers = np.array(group, dtype="float64")
    except OverflowError:  # beyond any float: the reader explains it
        return None
    return _floats(column, numbers.tolist())


def _in_years(group: list[Any]) -> np.ndarray:
    """Which dates (or naive date-times) fall in the years a date may have."""
    if min(group).year >= FIRST_YEAR and max(group).year <= LAST_YEAR:
        return np.ones(len(group), dtype=bool)  # the usual case: all of them
    return np.fromiter((FIRST_YEAR <= value.year <= LAST_YEAR for value in group),
                       dtype=bool, count=len(group))


def _bools(column: ColumnSpec, group: list[Any]) -> Bulk | None:
    if column.type == "yesno":
        return list(group), *_all_clean(group)
    if column.type in _TEXTS:
        return ["TRUE" if value else "FALSE" for value in group], *_all_clean(group)
    return None


def _all_clean(group: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Neither blank nor slow, for each cell of the group."""
    return _none(len(group)), _none(len(group))


# The exact type of a cell -> its bulk reading. Subclasses (an error cell is a `str`, a
# `datetime` a `date`, a numpy float a `float`) are not listed: they go one at a time.
_BULK: dict[type, Callable[[ColumnSpec, list[Any]], Bulk | None]] = {
    _NONE: _nones, float: _floats, int: _ints, str: _strings, date: _dates,
    datetime: _datetimes, bool: _bools,
}
