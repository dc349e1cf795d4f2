"""Dates in a cell: date cells, serial numbers, and dates typed as text (SPEC section 2).

ISO `2026-11-03`, `2026/11/3`, Chinese `2026年11月3日`, English month names (`3 March
2026`, `Mar 3, 2026`) in every Date Format, and day-first or month-first slash dates by the
`Date Format` setting. A date that cannot be read raises `CellError` with a suggestion.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from sync.i18n import _
from sync.read.cells import (
    CellError,
    _fits_float,
    _normal,
    cell_text,
    is_blank,
    refuse_error_cell,
)
from sync.serials import SERIAL_EPOCH

FIRST_YEAR, LAST_YEAR = 1900, 2199  # dates outside this are typos, and pandas can't hold them
DATE_FORMATS = ("YMD", "DMY", "MDY")

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME)
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?" + _TIME)
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
        _('"{text}" is outside the years {first}-{last}: check the year'
          ).format(text=text, first=FIRST_YEAR, last=LAST_YEAR)
    )


def _from_serial(value: float, text: str) -> datetime:
    """A Sheets/Excel serial number (days since 1899-12-30, time as the fraction)."""
    if not math.isfinite(value) or not 1 <= value < 109575:  # 109575 = 2200-01-01
        raise CellError(
            _('"{text}" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date '
              "cell").format(text=text)
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
    example = suggestion or _("YYYY-MM-DD (e.g. 2026-11-03)")
    return CellError(_('"{text}" is not a date: type it as {example} or use a date cell'
                       ).format(text=text, example=example))


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
                _('"{text}" does not match the Date Format setting ({date_format}): type it as '
                  "YYYY-MM-DD, or set Date Format in Settings to DMY (day first) or MDY "
                  "(month first)").format(text=text, date_format=date_format)
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
                _('"{text}" is not a date: "{month}" is not a month name; type '
                  "it as YYYY-MM-DD (e.g. 2026-11-03) or with a month name (3 March 2026)"
                  ).format(text=text, month=match.group(month_at))
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
