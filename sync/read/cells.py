"""Parsers that turn one cell, as a backend hands it in, into a typed value.

Each parser takes the raw value (`None`, `str`, `int`, `float`, `bool`, `date`,
`datetime`, or an error cell) and returns the typed value, or `None` for a blank cell.
A value that cannot be read, an error cell included, raises `CellError` whose message
tells the owner what to type instead. Parsers that accept a value with a caveat report it
through a `warn` callback.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sync.backends.base import CellError as ErrorCell

SERIAL_EPOCH = datetime(1899, 12, 30)  # day 0 of Sheets and Excel serial dates
FIRST_YEAR, LAST_YEAR = 1900, 2199  # dates outside this are typos, and pandas can't hold them
DATE_FORMATS = ("YMD", "DMY", "MDY")

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
            f'"{value}" is a formula with no calculated value: open the file in Excel or '
            "LibreOffice and save it so the value is stored, or type the value"
        )
    meaning = _ERROR_MEANINGS.get(value.strip().upper())
    because = f" ({meaning})" if meaning else ""
    raise CellError(
        f'"{value}" is an error value in the sheet{because}, not a value: fix the formula '
        "in this cell or type the value"
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

_CURRENCY_MARKS = ("US$", "HK$", "A$", "C$", "S$", "R$", "$", "€", "£", "¥", "₹", "₩", "元")
_PLAIN = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # 1e3 as Excel does
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_SHORTHAND = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kKmMbB]|千|万|亿)")
_SHORTHAND_FACTORS = {
    "k": 1e3, "m": 1e6, "b": 1e9, "千": 1e3, "万": 1e4, "亿": 1e8,
}


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
    shorthand = _SHORTHAND.fullmatch(body)
    if shorthand:
        factor = _SHORTHAND_FACTORS[shorthand.group(2).lower()]
        full = float(shorthand.group(1)) * factor * (-1 if negative else 1)
        raise CellError(
            f'"{text}" is not accepted as a number: type the full number, e.g. '
            f"{format_number(round(full, 2))}"
        )
    raise CellError(f'"{text}" is not a number: type a number such as 1200 or 1,200.50')


def parse_number(value: Any) -> float | None:
    """A number from a numeric cell or text such as `1,200.50`, `$1,200`, `(1,200)`."""
    if is_blank(value):
        return None
    refuse_error_cell(value)
    if isinstance(value, bool):
        raise CellError(f'"{cell_text(value)}" is not a number: type a number such as 1200')
    if isinstance(value, int | float):
        number = float(value) if _fits_float(value) else math.inf
    elif isinstance(value, date):
        raise CellError(f'"{cell_text(value)}" is a date, not a number: type a number here')
    elif isinstance(value, str):
        number = _number_from_text(value)
    else:
        raise CellError(f'"{cell_text(value)}" is not a number: type a number such as 1200')
    if not math.isfinite(number):
        raise CellError(f'"{cell_text(value)}" is not a usable number: type a number such as 1200')
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
            f'"{cell_text(value)}" is not a whole number: type a whole number such as '
            f"{format_number(float(round(number)))}"
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
                raise CellError(f'"{value}" is not a percent: type a percent such as 25%')
            return number / 100
    try:
        number = parse_number(value)
    except CellError:
        raise CellError(
            f'"{cell_text(value)}" is not a percent: type a percent such as 25%'
        ) from None
    assert number is not None  # a blank cell returned above
    if points_above is not None and number > points_above:
        shown = format_number(number)
        warn(
            f'"{cell_text(value)}" is read as {shown}%: type {shown}% to say so, '
            f"or {format_number(number / 100)} if you meant a fraction"
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
    raise CellError(f'"{cell_text(value)}" is not Yes or No: type Yes or No')


# -- choices -------------------------------------------------------------------------------


def parse_choice(
    value: Any, choices: Iterable[str], strict: bool = True, warn: Warn = _ignore
) -> str | None:
    """One of `choices`, matched without case and spelled as declared.

    An unknown value raises CellError when `strict`, else is kept as typed and `warn` is told.
    """
    text = parse_text(value)
    if text is None:
        return None
    options = list(choices)
    by_key = {option.casefold(): option for option in options}
    match = by_key.get(_normal(text).casefold())
    if match is not None:
        return match
    listed = ", ".join(options)
    if strict:
        raise CellError(f'"{text}" is not one of {listed}: pick one of these')
    warn(f'"{text}" is not one of {listed}: it is kept as typed, but check the spelling')
    return text


# -- dates ---------------------------------------------------------------------------------

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME)
_CHINESE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?" + _TIME)
_ORDERS = {"DMY": ("day", "month"), "MDY": ("month", "day")}
# English month names make a date unambiguous in every Date Format: `3 March 2026`,
# `3-Mar-2026`, `Mar 3, 2026`, `March 3rd, 2026`, `2026 Mar 3`.
_MONTH_NAMES = {
    name.casefold(): number
    for number, full in enumerate(calendar.month_name) if number
    for name in (full, full[:3], "Sept" if number == 9 else full)
}
_SEP = r"[\s\-./,]+"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_WORD = r"([A-Za-z]+)\.?"
_DAY_MONTH_YEAR = re.compile(_DAY + _SEP + _WORD + _SEP + r"(\d{4})" + _TIME, re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(_WORD + _SEP + _DAY + _SEP + r"(\d{4})" + _TIME, re.IGNORECASE)
_YEAR_MONTH_DAY = re.compile(r"(\d{4})" + _SEP + _WORD + _SEP + _DAY + _TIME, re.IGNORECASE)


def _in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _out_of_range(text: str) -> CellError:
    return CellError(
        f'"{text}" is outside the years {FIRST_YEAR}-{LAST_YEAR}: check the year'
    )


def _from_serial(value: float, text: str) -> datetime:
    """A Sheets/Excel serial number (days since 1899-12-30, time as the fraction)."""
    if not math.isfinite(value) or not 1 <= value < 109575:  # 109575 = 2200-01-01
        raise CellError(
            f'"{text}" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date cell'
        )
    moment = SERIAL_EPOCH + timedelta(days=value)
    # Serial times carry float noise (…:59.9999); round to the nearest second.
    if moment.microsecond:
        moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
    if not _in_range(moment.year):
        raise _out_of_range(text)
    return moment


def _clock(match: re.Match[str], first: int) -> time:
    hour, minute, second, fraction = match.group(first, first + 1, first + 2, first + 3)
    if hour is None:
        return time()
    micro = int((fraction or "0").ljust(6, "0"))
    return time(int(hour), int(minute), int(second or 0), micro)


def _suggest(year: int, first: int, second: int, date_format: str) -> str | None:
    """The nearest real date an owner probably meant by `first/second/year`."""
    orders = [date_format, *(name for name in _ORDERS if name != date_format)]
    for name in orders:
        if name not in _ORDERS:
            continue
        parts = dict(zip(_ORDERS[name], (first, second), strict=True))
        if 1 <= parts["month"] <= 12 and 1 <= parts["day"] <= 31 and _in_range(year):
            last = calendar.monthrange(year, parts["month"])[1]
            return date(year, parts["month"], min(parts["day"], last)).isoformat()
    return None


def _not_a_date(text: str, suggestion: str | None) -> CellError:
    example = suggestion or "YYYY-MM-DD (e.g. 2026-11-03)"
    return CellError(f'"{text}" is not a date: type it as {example} or use a date cell')


def _build(text: str, year: int, month: int, day: int, clock: time,
           suggestion: str | None) -> datetime:
    if not _in_range(year):
        raise _out_of_range(text)
    try:
        return datetime.combine(date(year, month, day), clock)
    except ValueError:
        raise _not_a_date(text, suggestion) from None


def _datetime_from_text(text: str, date_format: str) -> datetime:
    body = _normal(text)
    match = _YEAR_FIRST.fullmatch(body) or _CHINESE.fullmatch(body)
    if match:
        year, month, day = (int(part) for part in match.group(1, 2, 3))
        suggestion = _suggest(year, day, month, "DMY")
        return _build(text, year, month, day, _clock(match, 4), suggestion)
    named = _named_month(text, body)
    if named is not None:
        return named
    match = _YEAR_LAST.fullmatch(body)
    if match:
        first, second, year = (int(part) for part in match.group(1, 2, 3))
        suggestion = _suggest(year, first, second, date_format)
        if date_format not in _ORDERS:
            # No reading makes a real date of it (31/02/2026): say so, not the format.
            if not any(_is_real(year, first, second, name) for name in _ORDERS):
                raise _not_a_date(text, suggestion)
            raise CellError(
                f'"{text}" does not match the Date Format setting ({date_format}): type it as '
                "YYYY-MM-DD, or set Date Format in Settings to DMY (day first) or MDY "
                "(month first)"
            )
        parts = dict(zip(_ORDERS[date_format], (first, second), strict=True))
        return _build(text, year, parts["month"], parts["day"], _clock(match, 4), suggestion)
    try:  # anything else ISO 8601 understands (`2026-11-03T10:00:00+01:00`)
        moment = datetime.fromisoformat(body)
    except ValueError:
        raise _not_a_date(text, None) from None
    if moment.tzinfo is not None:  # the tables hold naive times: keep the wall-clock reading
        moment = moment.replace(tzinfo=None)
    if not _in_range(moment.year):
        raise _out_of_range(text)
    return moment


def _named_month(text: str, body: str) -> datetime | None:
    """A date written with an English month name, or None when the text has none."""
    for pattern, (day_at, month_at, year_at) in (
        (_DAY_MONTH_YEAR, (1, 2, 3)), (_MONTH_DAY_YEAR, (2, 1, 3)), (_YEAR_MONTH_DAY, (3, 2, 1)),
    ):
        match = pattern.fullmatch(body)
        if match is None:
            continue
        month = _MONTH_NAMES.get(match.group(month_at).casefold())
        if month is None:
            raise CellError(
                f'"{text}" is not a date: "{match.group(month_at)}" is not a month name; type '
                "it as YYYY-MM-DD (e.g. 2026-11-03) or with a month name (3 March 2026)"
            )
        year, day = int(match.group(year_at)), int(match.group(day_at))
        suggestion = _suggest(year, day, month, "DMY")
        return _build(text, year, month, day, _clock(match, 4), suggestion)
    return None


def _is_real(year: int, first: int, second: int, date_format: str) -> bool:
    parts = dict(zip(_ORDERS[date_format], (first, second), strict=True))
    try:
        date(year, parts["month"], parts["day"])
    except ValueError:
        return False
    return True


def parse_datetime(value: Any, date_format: str = "YMD") -> datetime | None:
    """A date-time from a date cell, a serial number or text (`2026-11-03 14:30`)."""
    if is_blank(value):
        return None
    refuse_error_cell(value)
    if isinstance(value, bool):
        raise _not_a_date(cell_text(value), None)
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None)
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float):
        moment = _from_serial(float(value) if _fits_float(value) else math.inf, cell_text(value))
    elif isinstance(value, str):
        moment = _datetime_from_text(value, date_format)
    else:
        raise _not_a_date(cell_text(value), None)
    if not _in_range(moment.year):
        raise _out_of_range(cell_text(value))
    return moment


def parse_date(value: Any, date_format: str = "YMD") -> date | None:
    """A date from a date cell, a serial number or text (`2026-11-03`, `3/11/2026`)."""
    moment = parse_datetime(value, date_format)
    return None if moment is None else moment.date()
