"""Reading one cell of a declared column: its type, its bounds, its default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync.i18n import _, current_locale
from sync.read.cells import (
    CellError,
    format_number,
    format_percent,
    is_blank,
    parse_choice,
    parse_integer,
    parse_number,
    parse_percent,
    parse_text,
    parse_yesno,
)
from sync.read.dates import parse_date, parse_datetime
from sync.schema import ColumnSpec


@dataclass(frozen=True)
class ReadContext:
    """What parsing a cell needs besides the cell: the Date Format setting."""

    date_format: str = "YMD"


def _parse_typed(column: ColumnSpec, value: Any, date_format: str,
                 warn: Callable[[str], None]) -> Any:
    kind = column.type
    if kind in ("text", "id"):
        return parse_text(value)
    if kind == "date":
        return parse_date(value, date_format)
    if kind == "datetime":
        return parse_datetime(value, date_format)
    if kind in ("number", "money"):
        return parse_number(value)
    if kind == "integer":
        return parse_integer(value)
    if kind == "percent":
        # Points or fractions are decided for the whole column (`percents`), which warns.
        return parse_percent(value, column.percent_points_above)
    if kind == "yesno":
        return parse_yesno(value)
    return parse_choice(value, column.choices, column.strict, warn, column.choice_names)


def _shown(column: ColumnSpec, number: float) -> str:
    return format_percent(number) if column.type == "percent" else format_number(number)


def _check_bounds(column: ColumnSpec, number: float) -> None:
    if column.min is not None and number < column.min:
        low = _shown(column, column.min)
        raise CellError(
            _("{number} is below the minimum of {low}: type {low} or more"
              ).format(number=_shown(column, number), low=low)
        )
    if column.max is not None and number > column.max:
        high = _shown(column, column.max)
        raise CellError(
            _("{number} is above the maximum of {high}: type {high} or less"
              ).format(number=_shown(column, number), high=high)
        )


def read_cell(column: ColumnSpec, value: Any, context: ReadContext,
              warn: Callable[[str], None]) -> Any:
    """One cell of this column as its typed value; raises CellError if it cannot be read."""
    if is_blank(value):
        if column.required:
            raise CellError(_("{column} is required: fill in this cell"
                              ).format(column=column.label(current_locale())))
        if column.default is not None:
            return _parse_typed(column, column.default, "YMD", warn)
        return None
    caveats: list[str] = []
    typed = _parse_typed(column, value, context.date_format, caveats.append)
    if isinstance(typed, float):
        _check_bounds(column, typed)
    for caveat in caveats:  # only a cell that was read in the end carries its caveats
        warn(caveat)
    return typed
