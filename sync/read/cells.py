"""Parsers that turn one cell, as a backend hands it in, into a typed value.

Each parser takes the raw value (`None`, `str`, `int`, `float`, `bool`, `date`,
`datetime`, or an error cell) and returns the typed value, or `None` for a blank cell.
A value that cannot be read, an error cell included, raises `CellError` whose message
tells the owner what to type instead. Parsers that accept a value with a caveat report it
through a `warn` callback.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sync.contract.grid import CellError as ErrorCell
from sync.i18n import _

Warn = Callable[[str], None]


class CellError(ValueError):
    """A cell that cannot be read; the message says what to type instead."""


def _ignore(_: str) -> None:
    """A `warn` callback that drops the warning."""


def is_blank(value: Any) -> bool:
    """True for an empty cell: None, only spaces, or NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


# What each spreadsheet error value means, in the owner's words.
_ERROR_MEANINGS = {
    "#N/A": "a lookup found nothing",
    "#DIV/0!": "a division by zero",
    "#REF!": "a reference to a deleted cell",
    "#VALUE!": "a formula got the wrong kind of value",
    "#NAME?": "a formula uses an unknown name",
    "#NUM!": "a calculation gave an impossible number",
    "#NULL!": "two ranges that do not meet",
}


def refuse_error_cell(value: Any) -> None:
    """Raise CellError for a spreadsheet error value or a formula with no calculated value."""
    if not isinstance(value, ErrorCell):
        return
    if value.is_formula:
        raise CellError(
            _('"{value}" is a formula with no calculated value: open the file in Excel or '
              "LibreOffice and save it so the value is stored, or type the value"
              ).format(value=value)
        )
    meaning = _ERROR_MEANINGS.get(value.strip().upper())
    because = _(" ({meaning})").format(meaning=_(meaning)) if meaning else ""
    raise CellError(
        _('"{value}" is an error value in the sheet{because}, not a value: fix the formula '
          "in this cell or type the value").format(value=value, because=because)
    )


def format_number(value: float) -> str:
    """A number as an owner would type it: `1200`, `0.25`, `-3.5`."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def cell_text(value: Any) -> str:
    """The cell as typed, as text (for the Value column of Data Issues)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return str(value)  # an error cell as plain text: `#N/A`, `=SUM(A1:A3)`
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # Python refuses to print ints of thousands of digits
        return "a number too long to show"


def _normal(text: str) -> str:
    """Full-width characters folded (`１２００` -> `1200`, `￥` -> `¥`), spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


# -- text and identifiers ------------------------------------------------------------------


def parse_text(value: Any) -> str | None:
    """Text or an identifier: trimmed; a whole number loses its `.0` (`17850.0` -> `17850`)."""
    if is_blank(value):
        return None
    refuse_error_cell(value)
    if isinstance(value, str):
        return value.strip()
    return cell_text(value)


# -- numbers -------------------------------------------------------------------------------

_CURRENCY_MARKS = ("US$", "HK$", "A$", "C$", "S$", "R$", "$", "€", "£", "¥", "₹", "₩", "元",
                   "人民币")
_PLAIN = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # 1e3 as Excel does
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_SHORTHAND = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kKmMbB])")
# Chinese units are exact words, not abbreviations: `8万` is 80000, `1.5万` 15000, `2亿`
# 200000000 (`万元` and `元` after them too). Only one unit, after a plain number.
_CHINESE_UNIT = re.compile(
    r"([0-9]+(?:\.[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?)\s*(千|万|亿)"
)
_CHINESE_FACTORS = {"千": 1000, "万": 10_000, "亿": 100_000_000}
_SHORTHAND_FACTORS = {"k": 1e3, "m": 1e6, "b": 1e9}


def _strip_currency(text: str) -> str:
    for mark in _CURRENCY_MARKS:
        if text.startswith(mark):
            return text[len(mark):].strip()
        if text.endswith(mark):
            return text[: -len(mark)].strip()
    code = re.fullmatch(r"([A-Z]{3})\s*(.+)|(.+?)\s*([A-Z]{3})", text)
    if code:  # `USD 1,200` or `1,200 EUR`
        return (code.group(2) or code.group(3)).strip()
    return text


def _number_from_text(text: str) -> float:
    """`1,200.50`, `$1,200`, `¥1200`, `-1,200`, `(1,200)`; raises CellError otherwise."""
    body = _normal(text)
    negative = False
    if body.startswith("(") and body.endswith(")"):  # accounting style: (1,200) = -1200
        negative, body = True, body[1:-1].strip()
    if body and body[0] in "+-":
        negative, body = negative ^ (body[0] == "-"), body[1:].strip()
    body = _strip_currency(body)
    if body and body[0] in "+-":  # `$-1,200`
        negative, body = negative ^ (body[0] == "-"), body[1:].strip()
    if _PLAIN.fullmatch(body) or _GROUPED.fullmatch(body):
        number = float(body.replace(",", ""))
        return -number if negative else number
    chinese = _CHINESE_UNIT.fullmatch(body)
    if chinese:
        number = float(Decimal(chinese.group(1).replace(",", ""))
                       * _CHINESE_FACTORS[chinese.group(2)])
        return -number if negative else number
    shorthand = _SHORTHAND.fullmatch(body)
    if shorthand:
        factor = _SHORTHAND_FACTORS[shorthand.group(2).lower()]
        full = float(shorthand.group(1)) * factor * (-1 if negative else 1)
        raise CellError(
            _('"{text}" is not accepted as a number: type the full number, e.g. {full}'
              ).format(text=text, full=format_number(round(full, 2)))
        )
    raise CellError(_('"{text}" is not a number: type a number such as 1200 or 1,200.50'
                      ).format(text=text))


def parse_number(value: Any) -> float | None:
    """A number from a numeric cell or text such as `1,200.50`, `$1,200`, `(1,200)`."""
    if is_blank(value):
        return None
    refuse_error_cell(value)
    if isinstance(value, bool):
        raise CellError(_('"{text}" is not a number: type a number such as 1200'
                          ).format(text=cell_text(value)))
    if isinstance(value, int | float):
        number = float(value) if _fits_float(value) else math.inf
    elif isinstance(value, date):
        raise CellError(_('"{text}" is a date, not a number: type a number here'
                          ).format(text=cell_text(value)))
    elif isinstance(value, str):
        number = _number_from_text(value)
    else:
        raise CellError(_('"{text}" is not a number: type a number such as 1200'
                          ).format(text=cell_text(value)))
    if not math.isfinite(number):
        raise CellError(_('"{text}" is not a usable number: type a number such as 1200'
                          ).format(text=cell_text(value)))
    return number


def _fits_float(value: int | float) -> bool:
    try:
        float(value)
    except OverflowError:
        return False
    return True


def parse_integer(value: Any) -> float | None:
    """A whole number (kept as float, like every number column of the tables)."""
    number = parse_number(value)
    if number is not None and not number.is_integer():
        raise CellError(
            _('"{text}" is not a whole number: type a whole number such as {whole}'
              ).format(text=cell_text(value), whole=format_number(float(round(number))))
        )
    return number


# -- percents ------------------------------------------------------------------------------


def parse_percent(
    value: Any, points_above: float | None = None, warn: Warn = _ignore
) -> float | None:
    """A percent as a fraction: `25%` -> 0.25; a bare number is a fraction (0.25 = 25%).

    A bare number above `points_above` cannot be meant as a fraction there, so it is read as
    percent points (25 -> 25%) and `warn` is told.
    """
    if is_blank(value):
        return None
    refuse_error_cell(value)
    if isinstance(value, str):
        text = _normal(value)
        if text.endswith("%"):
            try:
                number = parse_number(text[:-1].strip())
            except CellError:
                number = None
            if number is None:
                raise CellError(_('"{text}" is not a percent: type a percent such as 25%'
                                  ).format(text=value))
            return number / 100
    try:
        number = parse_number(value)
    except CellError:
        raise CellError(
            _('"{text}" is not a percent: type a percent such as 25%').format(text=cell_text(value))
        ) from None
    assert number is not None  # a blank cell returned above
    if points_above is not None and number > points_above:
        shown = format_number(number)
        warn(
            _('"{text}" is read as {shown}%: type {shown}% to say so, '
              "or {fraction} if you meant a fraction"
              ).format(text=cell_text(value), shown=shown, fraction=format_number(number / 100))
        )
        return number / 100
    return number


def is_plain_number(value: Any) -> bool:
    """A number with no percent sign: a numeric cell, or text such as `25` or `0.25`."""
    if isinstance(value, bool | ErrorCell):
        return False
    if isinstance(value, int | float):
        return True
    if not isinstance(value, str) or _normal(value).endswith("%"):
        return False
    try:
        return parse_number(value) is not None
    except CellError:
        return False


def format_percent(fraction: float) -> str:
    """0.25 -> `25%`."""
    return f"{format_number(round(fraction * 100, 6))}%"


# -- yes / no ------------------------------------------------------------------------------

_YES = {"yes", "y", "true", "1", "是"}
_NO = {"no", "n", "false", "0", "否"}


def parse_yesno(value: Any) -> bool | None:
    """`Yes`/`No`, `Y`/`N`, `TRUE`/`FALSE`, `1`/`0`, `是`/`否` and checkbox cells."""
    if is_blank(value):
        return None
    refuse_error_cell(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = _normal(value).casefold()
        if word in _YES:
            return True
        if word in _NO:
            return False
    raise CellError(_('"{text}" is not Yes or No: type Yes or No').format(text=cell_text(value)))


# -- choices -------------------------------------------------------------------------------


def parse_choice(
    value: Any, choices: Iterable[str], strict: bool = True, warn: Warn = _ignore,
    labels: Mapping[str, str] | None = None,
) -> str | None:
    """One of `choices`, matched without case and spelled as declared.

    `labels` maps other accepted spellings (the declared zh-CN labels: `收入`) to their
    choice (`Revenue`). An unknown value raises CellError when `strict`, else is kept as
    typed and `warn` is told.
    """
    text = parse_text(value)
    if text is None:
        return None
    options = list(choices)
    by_key = {option.casefold(): option for option in options}
    for label, option in (labels or {}).items():
        by_key.setdefault(_normal(label).casefold(), option)
    match = by_key.get(_normal(text).casefold())
    if match is not None:
        return match
    listed = ", ".join(options)
    if strict:
        raise CellError(_('"{text}" is not one of {listed}: pick one of these'
                          ).format(text=text, listed=listed))
    warn(_('"{text}" is not one of {listed}: it is kept as typed, but check the spelling'
           ).format(text=text, listed=listed))
    return text


def __getattr__(name: str) -> Any:
    """The date parsers live in `dates.py`; they are importable from here too."""
    if name in _DATE_NAMES:
        from sync.read import dates

        return getattr(dates, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_DATE_NAMES = ("parse_date", "parse_datetime", "SERIAL_EPOCH", "FIRST_YEAR", "LAST_YEAR",
               "DATE_FORMATS")
