"""Which cell styles show dates, and how a date cell's number becomes a date, safely.

A number in a date-formatted cell is a serial (days since the workbook's epoch). Only the
serials Excel itself can show as a date (0 up to 9999-12-31) become dates; any other
number (negative, huge, not finite) is handed on as the number typed, so the reader can
report it as the owner sees it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

EPOCH_1900 = datetime(1899, 12, 30)
EPOCH_1904 = datetime(1904, 1, 1)
LAST_SERIAL_1900 = 2958466  # 10000-01-01: Excel shows no date from here on

# Built-in number formats that show dates or times (Excel's list, with the East Asian
# date formats 27-36 and 50-58), and the elapsed-time one ([h]:mm:ss).
BUILTIN_DATES = frozenset([*range(14, 23), 45, 47, *range(27, 37), *range(50, 59)])
BUILTIN_DURATIONS = frozenset([46])

DATE, DURATION = 1, 2


def format_kind(code: str) -> int:
    """DATE when a number format code shows a date or time, DURATION for `[h]:mm`, else 0."""
    section = code.split(";", 1)[0]
    kind = 0
    index = 0
    while index < len(section):
        char = section[index]
        if char == '"':
            end = section.find('"', index + 1)
            index = len(section) if end < 0 else end + 1
            continue
        if char in "\\_*":
            index += 2  # an escaped character, a space as wide as one, a fill character
            continue
        if char == "[":
            end = section.find("]", index + 1)
            inside = section[index + 1 : end if end >= 0 else len(section)].lower()
            if inside and set(inside) <= set("hms"):
                return DURATION
            index = len(section) if end < 0 else end + 1
            continue
        if char.lower() in "dmyhs":
            kind = DATE
        index += 1
    return kind


def date_styles(styles_xml: bytes | None) -> dict[int, int]:
    """The cellXfs indexes (the `s` of a cell) whose number format shows dates or durations."""
    if not styles_xml:
        return {}
    root = ET.fromstring(styles_xml)
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    custom: dict[int, int] = {}
    for element in root.iter(f"{namespace}numFmt"):
        try:
            custom[int(element.get("numFmtId", ""))] = format_kind(element.get("formatCode", ""))
        except ValueError:
            continue
    kinds: dict[int, int] = {}
    cell_xfs = root.find(f"{namespace}cellXfs")
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        try:
            number = int(xf.get("numFmtId", "0"))
        except ValueError:
            continue
        kind = custom.get(number)
        if kind is None:
            kind = (
                DATE if number in BUILTIN_DATES else DURATION if number in BUILTIN_DURATIONS else 0
            )
        if kind:
            kinds[index] = kind
    return kinds


def date_value(number: float, kind: int, date1904: bool) -> object:
    """The value of a number in a date-styled cell: a date, date-time, time or duration when
    Excel could show it as one, else the number itself."""
    if not math.isfinite(number) or abs(number) >= LAST_SERIAL_1900:
        return number
    milliseconds = round(number * 86_400_000)
    if kind == DURATION:
        return timedelta(milliseconds=milliseconds)
    if number < 0:
        return number  # Excel shows ##### for it: the owner typed a number, not a date
    if milliseconds < 86_400_000:
        return (datetime.min + timedelta(milliseconds=milliseconds)).time()
    days, rest = divmod(milliseconds, 86_400_000)
    if days < 60 and not date1904:
        # Excel counts a 29 February 1900 that never was: serials before it are a day
        # later than the 1899-12-30 epoch says (serial 1 is 1900-01-01).
        days += 1
    try:
        moment = (EPOCH_1904 if date1904 else EPOCH_1900) + timedelta(days=days, milliseconds=rest)
    except OverflowError:  # past 9999-12-31 in a 1904 workbook
        return number
    return moment.date() if rest == 0 else moment
