"""Shortcuts for cells that read cleanly: a real number, a date cell, trimmed text.

Most cells of a big workbook need little or no parsing. A shortcut either returns exactly
what the full reader (`columns.read_cell`) returns, or `SLOW` to send the row through the
Pydantic row model, which also explains the problem; so it can never change a result, only
how fast it comes. Cells with a problem or a caveat always take the full path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sync.read.columns import ReadContext, read_cell
from sync.read.dates import FIRST_YEAR, LAST_YEAR
from sync.schema import ColumnSpec

SLOW = object()  # "this cell needs the full reader"
_LARGEST_EXACT = 2.0**53  # beyond this a float no longer holds every whole number
_MEMORY = 50_000  # distinct date cells remembered per column and Date Format


def _ignore(_: str) -> None:
    """A `warn` callback for defaults, which never warn."""


class _Caveat(Exception):
    """Raised by the `warn` callback: a cell with a caveat takes the full path."""


def _refuse(_: str) -> None:
    raise _Caveat


def fast_reader(column: ColumnSpec, context: ReadContext) -> Callable[[Any], Any]:
    """A function giving a cell's value when it reads without a problem, else `SLOW`."""
    shortcut = _shortcut(column)
    # A date column repeats the same few hundred days (serial numbers or text) over
    # thousands of rows: remember each one's reading.
    seen: dict[tuple[type, Any], Any] | None = {} if column.type == "date" else None

    def parse(value: Any) -> Any:
        try:  # text to parse, such as `$1,200` or `2026-11-03`, or a serial date
            return read_cell(column, value, context, _refuse)
        except Exception:  # a problem or a caveat: the row model reads it and explains it
            return SLOW

    def read(value: Any) -> Any:
        quick = shortcut(value)
        if quick is not SLOW or value is None:
            return quick
        if seen is None:
            return parse(value)
        key = (type(value), value)
        try:
            return seen[key]
        except KeyError:
            result = parse(value)
            if len(seen) < _MEMORY:
                seen[key] = result
            return result
        except TypeError:  # an unhashable value
            return parse(value)

    return read


def _shortcut(column: ColumnSpec) -> Callable[[Any], Any]:
    """The type checks that take a clean cell as it is, without parsing."""
    blank = blank_value(column)
    kind = column.type
    if kind in ("text", "id"):
        return _text(blank)
    if kind in ("number", "money", "integer", "percent"):
        return _number(column, blank)
    if kind == "date":
        return _date(blank)
    if kind == "yesno":
        return lambda value: value if type(value) is bool else blank if value is None else SLOW
    if kind == "choice":
        choices = frozenset(column.choices)
        return lambda value: value if value in choices else blank if value is None else SLOW
    return lambda value: SLOW  # datetime columns are rare: always the full reader


def blank_value(column: ColumnSpec) -> Any:
    """What an empty cell reads as, or SLOW when it is an Error (a required column)."""
    if column.required:
        return SLOW
    return read_cell(column, None, ReadContext(), _ignore)


def _text(blank: Any) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if type(value) is str and value and not value[0].isspace() and not value[-1].isspace():
            return value
        return blank if value is None else SLOW

    return read


def _number(column: ColumnSpec, blank: Any) -> Callable[[Any], Any]:
    low = -math.inf if column.min is None else column.min
    high = math.inf if column.max is None else column.max
    if column.type == "percent" and column.percent_points_above is not None:
        high = min(high, column.percent_points_above)  # above: read as points
    whole = column.type == "integer"

    def read(value: Any) -> Any:
        kind = type(value)
        if kind is float or kind is int:
            if (low <= value <= high and -_LARGEST_EXACT < value < _LARGEST_EXACT
                    and (not whole or float(value).is_integer())):
                return float(value)
            return SLOW
        return blank if value is None else SLOW

    return read


def _date(blank: Any) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        kind = type(value)
        if kind is date and FIRST_YEAR <= value.year <= LAST_YEAR:
            return value
        if kind is datetime and value.tzinfo is None and FIRST_YEAR <= value.year <= LAST_YEAR:
            return value.date()
        return blank if value is None else SLOW

    return read
