"""Cell values as the API renders them: serial dates, number formats, user-entered parsing."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from typing import Any

EPOCH = datetime(1899, 12, 30)


class Formula(str):
    """A cell's formula (`=SUM(A1:A3)`), kept apart from a plain string value."""


class ErrorValue(str):
    """A formula whose result is an error: the string is what Sheets shows (`#N/A`).

    Sheets answers such a cell with its error text under UNFORMATTED_VALUE and
    FORMATTED_VALUE, and with its formula under FORMULA; the error itself
    (`effectiveValue.errorValue`) is read-only in the API, so only a formula makes one.
    """

    formula: str

    def __new__(cls, text: str, formula: str = "=NA()") -> ErrorValue:
        value = super().__new__(cls, text)
        value.formula = formula
        return value


# Sheets' ErrorType values and the text a cell in that error shows.
ERROR_TYPES = {
    "#ERROR!": "ERROR",
    "#NULL!": "NULL_VALUE",
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#NAME?": "NAME",
    "#NUM!": "NUM",
    "#N/A": "N_A",
    "Loading...": "LOADING",
}


def to_serial(value: date | datetime) -> float:
    """Days since 1899-12-30 (the Sheets serial number)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def from_serial(serial: float) -> datetime:
    """The date-time of a serial number."""
    return EPOCH + timedelta(days=serial)


def extended_value(value: Any) -> dict[str, Any] | None:
    """The ExtendedValue JSON of a stored value."""
    if value is None:
        return None
    if isinstance(value, ErrorValue):
        return {"formulaValue": value.formula}
    if isinstance(value, Formula):
        return {"formulaValue": str(value)}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": value}


def from_extended(extended: dict[str, Any] | None) -> Any:
    """A stored value from ExtendedValue JSON."""
    if not extended:
        return None
    if "errorValue" in extended:
        from tests.sheets_emulator.state import RequestError

        raise RequestError("errorValue is read-only: write a formula that gives the error")
    if "formulaValue" in extended:
        return Formula(extended["formulaValue"])
    if "boolValue" in extended:
        return bool(extended["boolValue"])
    if "numberValue" in extended:
        return extended["numberValue"]
    if "stringValue" in extended:
        return extended["stringValue"]
    return None


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_user_entered(text: str) -> tuple[Any, dict[str, Any] | None]:
    """What Sheets stores when a user types `text`: (value, number format or None)."""
    stripped = text.strip()
    if text.startswith("="):
        return Formula(text), None
    if text.startswith("'"):
        return text[1:], None
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None
    if stripped and _NUMBER.match(stripped) and any(ch.isdigit() for ch in stripped):
        return _number(float(stripped.replace(",", ""))), None
    if stripped.endswith("%") and _NUMBER.match(stripped[:-1].strip()):
        return float(stripped[:-1].replace(",", "")) / 100, {"type": "PERCENT", "pattern": "0.00%"}
    match = _ISO_DATE.match(stripped)
    if match:
        year, month, day, hour, minute, second = match.groups()
        try:
            moment = datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:
            return text, None
        if hour is None:
            return _number(to_serial(moment)), {"type": "DATE", "pattern": "yyyy-mm-dd"}
        return to_serial(moment), {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}
    return text, None


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def json_number(value: int | float) -> int | float:
    """Numbers as the API answers them: integral doubles without a decimal part."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def is_date_format(number_format: dict[str, Any] | None) -> bool:
    """Whether a NumberFormat shows dates or times."""
    if not number_format:
        return False
    if number_format.get("type") in ("DATE", "TIME", "DATE_TIME"):
        return True
    pattern = re.sub(r'"[^"]*"', "", number_format.get("pattern", ""))
    return bool(re.search(r"yy|dd|mmm|hh", pattern))


def render(value: Any, number_format: dict[str, Any] | None) -> Any:
    """The FORMATTED_VALUE string of a stored value under a NumberFormat."""
    if value is None:
        return ""
    if isinstance(value, Formula):
        return ""  # the emulator does not calculate formulas
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    pattern = (number_format or {}).get("pattern", "")
    if is_date_format(number_format):
        return _render_date(value, pattern or "yyyy-mm-dd")
    if not pattern or pattern.upper() == "GENERAL":
        return _general(value)
    return _render_number(value, pattern)


def _general(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".10g")


def _render_date(serial: float, pattern: str) -> str:
    moment = from_serial(serial)
    replacements = [
        ("yyyy", f"{moment.year:04d}"),
        ("hh", f"{moment.hour:02d}"),
        ("ss", f"{moment.second:02d}"),
        ("dd", f"{moment.day:02d}"),
    ]
    text = pattern.replace('"', "")
    for token, replacement in replacements:
        text = text.replace(token, replacement)
    # `mm` after `hh` is minutes, elsewhere it is the month.
    text = re.sub(r"(?<=\d\d:)mm", f"{moment.minute:02d}", text)
    return text.replace("mm", f"{moment.month:02d}")


def _render_number(value: float, pattern: str) -> str:
    sections = pattern.split(";")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    magnitude = abs(value) if value < 0 and len(sections) > 1 else value
    percent = "%" in section
    if percent:
        magnitude = magnitude * 100
    core = re.search(r"[#0,]+(\.[0#]+)?", section)
    if core is None:
        return _general(value)
    decimals = len(core.group(1)) - 1 if core.group(1) else 0
    grouping = "," in core.group(0)
    rounded = round(magnitude, decimals)
    if math.isinf(rounded) or math.isnan(rounded):
        return str(value)
    number = f"{rounded:,.{decimals}f}" if grouping else f"{rounded:.{decimals}f}"
    before = re.sub(r'"([^"]*)"', r"\1", section[: core.start()])
    after = re.sub(r'"([^"]*)"', r"\1", section[core.end() :]).replace("%", "")
    return before + number + after + ("%" if percent else "")
