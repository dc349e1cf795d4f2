"""Serial dates: how Sheets and Excel store a date or date-time as a number of days."""

from __future__ import annotations

from datetime import date, datetime, time

SERIAL_EPOCH = datetime(1899, 12, 30)  # day 0 of Sheets and of Excel's 1900 date system
SERIAL_EPOCH_1904 = datetime(1904, 1, 1)  # day 0 of Excel's 1904 date system (old Macs)


def to_serial(value: date | datetime, date1904: bool = False) -> float:
    """The serial number of a date or date-time: days since the epoch, time as the fraction."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    delta = moment.replace(tzinfo=None) - (SERIAL_EPOCH_1904 if date1904 else SERIAL_EPOCH)
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
