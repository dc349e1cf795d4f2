"""The write plan: what every backend writes, as plain values and formats.

A backend receives a list of `TabOutput`, one per computed tab. Each is a rectangle:
row 1 the headers, then the data rows as plain Python values (`str`, `int`, `float`,
`bool`, `datetime.date`, `datetime.datetime` or `None` for an empty cell). Every column
carries its value type, from which the backend derives the number format (see
`number_format`). `cell_types` overrides the type of single cells (the Dashboard's
`Value` column mixes money, percents and counts). Charts refer to cells of the same tab by
0-based data-row and column indexes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from sync.schema.declarations import ColumnType

MAX_FITTED_WIDTH = 60  # characters: a column never grows wider to fit its values
CURRENCY_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "CNY": "¥", "JPY": "¥", "INR": "₹", "KRW": "₩",
    "AUD": "A$", "CAD": "C$", "HKD": "HK$", "SGD": "S$", "CHF": "CHF ", "BRL": "R$",
}


def money_format(currency: str) -> str:
    """Excel/Sheets number format for an amount in this ISO currency."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol is None:
        return f'#,##0.00 "{currency.upper()}";-#,##0.00 "{currency.upper()}"'
    return f'"{symbol}"#,##0.00;-"{symbol}"#,##0.00'


def number_format(value_type: ColumnType, currency: str) -> str | None:
    """The number format a column of this type is shown with (None: General)."""
    return {
        "money": money_format(currency),
        "percent": "0.0%",
        "number": "#,##0.0",
        "integer": "#,##0",
        "date": "yyyy-mm-dd",
        "datetime": "yyyy-mm-dd hh:mm:ss",
    }.get(value_type)


def fitted_width(declared: float, values: Sequence[Any]) -> float:
    """The declared width, widened to fit the longest value as shown (capped)."""
    longest = _longest_shown(values)
    return float(min(max(declared, longest + 2), MAX_FITTED_WIDTH))


def _longest_shown(values: Sequence[Any]) -> int:
    """The most columns a value takes as shown (`_shown_length`), measured without shaping
    every value: each distinct text once, of the numbers only the widest of each sign."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if not kinds <= {str, int, float}:  # a bool, a date or another type: value by value
        return max((_shown_length(v) for v in values if v is not None), default=0)
    longest = 0
    if str in kinds:
        texts = {value for value in values if type(value) is str}
        longest = max(map(_text_length, texts))
    if kinds & {int, float}:
        longest = max(longest, _longest_number([
            value for value in values if type(value) is int or type(value) is float]))
    return longest


def _longest_number(numbers: list[int | float]) -> int:
    """The longest `_shown_length` of these numbers.

    `f"{x:,.2f}"` grows with the size of a number (rounding to cents never makes a number
    smaller), so of the numbers with a sign bit and of those without, only the one farthest
    from zero can be the longest; a number that is not finite is shaped on its own.
    """
    array = np.array(numbers, dtype="float64")
    finite = np.isfinite(array)
    negative = np.signbit(array)  # -0.0 is shown as "-0.00"
    candidates = [float(value) for value in array[~finite].tolist()]
    for side, pick in ((finite & ~negative, np.max), (finite & negative, np.min)):
        if side.any():
            candidates.append(float(pick(array[side])))
    return max(map(_shown_length, candidates))


def _shown_length(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return len(f"{value:,.2f}") + 1  # thousands separators, decimals, a currency sign
    return _text_length(str(value))


def _text_length(text: str) -> int:
    if text.isascii():
        return len(text)
    # Chinese, Japanese and Korean characters take two columns.
    return len(text) + sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")


@dataclass(frozen=True)
class PlanColumn:
    """A column of a computed tab as written: header, value type, width in characters."""

    header: str
    type: ColumnType
    width: float


@dataclass(frozen=True)
class ChartSeries:
    """One data series: the values in `column`, data rows `first_row`..`last_row`."""

    name: str
    column: int
    first_row: int
    last_row: int


@dataclass(frozen=True)
class ChartSpec:
    """A native chart on a computed tab.

    Categories are the labels in `category_column` over the same data rows as the series.
    Rows and columns are 0-based over the data rows (0 = sheet row 2). `anchor_row` and
    `anchor_column` are 0-based sheet cell coordinates of the chart's top-left corner.
    """

    title: str
    kind: Literal["bar", "column", "line"]
    category_column: int
    series: tuple[ChartSeries, ...]
    anchor_row: int
    anchor_column: int
    width_px: int = 480
    height_px: int = 288
    value_format: Literal["money", "percent", "integer", "number"] = "number"


@dataclass
class TabOutput:
    """One computed tab, ready for a backend to write."""

    name: str
    columns: list[PlanColumn]
    rows: list[list[Any]]
    currency: str = "USD"
    cell_types: dict[tuple[int, int], ColumnType] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)
    append_only: bool = False
    # For an append-only tab: how many of the last `rows` are new this sync. The rows
    # before them are the log as read, which a backend keeps exactly as it stands in the
    # tab (the owner's columns and cells included). None: `rows` is the whole log.
    appended: int | None = None

    @property
    def new_rows(self) -> list[list[Any]]:
        """The rows an append-only tab gains this sync (all rows when that is not known)."""
        if self.appended is None:
            return self.rows
        return self.rows[len(self.rows) - self.appended :] if self.appended else []

    @property
    def headers(self) -> list[str]:
        """The header row."""
        return [column.header for column in self.columns]

    def cell_type(self, row: int, column: int) -> ColumnType:
        """The value type of a data cell (0-based data row and column)."""
        return self.cell_types.get((row, column), self.columns[column].type)

    def cell_format(self, row: int, column: int) -> str | None:
        """The number format of a data cell (0-based data row and column)."""
        return number_format(self.cell_type(row, column), self.currency)
