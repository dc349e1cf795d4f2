"""Commission and goal periods: months or fiscal quarters, and their labels."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd


def fiscal_quarter(day: date, fiscal_year_start: int) -> tuple[int, int]:
    """(fiscal year, quarter 1-4); a fiscal year is named by the calendar year it starts in."""
    months_in = (day.month - fiscal_year_start) % 12
    year = day.year if day.month >= fiscal_year_start else day.year - 1
    return year, months_in // 3 + 1


def period_label(day: date, period: str, fiscal_year_start: int = 1) -> str:
    """`2026-11` for a Month period, `2026-Q4` for a Quarter period."""
    if period == "Month":
        return f"{day.year:04d}-{day.month:02d}"
    year, quarter = fiscal_quarter(day, fiscal_year_start)
    return f"{year:04d}-Q{quarter}"


def period_bounds(day: date, period: str, fiscal_year_start: int = 1) -> tuple[date, date]:
    """First and last day (inclusive) of the period that contains `day`."""
    if period == "Month":
        start = date(day.year, day.month, 1)
        months = 1
    else:
        year, quarter = fiscal_quarter(day, fiscal_year_start)
        first_month = fiscal_year_start + 3 * (quarter - 1)
        start = date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
        months = 3
    next_month = start.month - 1 + months
    after = date(start.year + next_month // 12, next_month % 12 + 1, 1)
    return start, after - timedelta(days=1)


def label_bounds(label: str, period: str, fiscal_year_start: int = 1) -> tuple[date, date]:
    """First and last day of the period with this label (`2026-11` or `2026-Q4`)."""
    year_text, part = label.split("-")
    if period == "Month":
        return period_bounds(date(int(year_text), int(part), 1), period)
    first_month = fiscal_year_start + 3 * (int(part[1:]) - 1)
    first = date(int(year_text) + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    return period_bounds(first, period, fiscal_year_start)


def period_labels(days: pd.Series, period: str, fiscal_year_start: int = 1) -> pd.Series:
    """The period label of each date in a datetime64 Series (missing stays missing).

    Integer arithmetic on months since 1970 rather than formatting every date: each
    distinct period is labelled once (`period_label`'s words) and handed out by position.
    """
    stamps = pd.to_datetime(days)
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)  # the label of the local wall-clock day
    values = stamps.to_numpy()  # in its own unit: a date in the year 3000 stays one
    missing = np.isnat(values)
    months = values.astype("datetime64[M]").astype(np.int64)  # 0 is January 1970
    # a quarter counts months from the fiscal year's first month
    codes = months if period == "Month" else (months - (fiscal_year_start - 1)) // 3
    positions, distinct = pd.factorize(np.where(missing, 0, codes))
    labels = np.empty(len(distinct) + 1, dtype=object)
    labels[:-1] = [_code_label(int(code), period, fiscal_year_start) for code in distinct]
    labels[-1] = None
    positions = np.where(missing, len(distinct), positions)
    return pd.Series(labels[positions], index=stamps.index, dtype=object)


def _code_label(code: int, period: str, fiscal_year_start: int) -> str:
    """The label of a month (months since January 1970) or a fiscal quarter (quarters since
    the one starting in `fiscal_year_start`'s month of 1970) as `period_labels` counts them."""
    if period == "Month":
        return f"{1970 + code // 12:04d}-{code % 12 + 1:02d}"
    return f"{1970 + code // 4:04d}-Q{code % 4 + 1}"


class SharedPeriodLabels:
    """The period label of every revenue line, worked out once per sync on first use and
    shared by the tabs that group revenue by period (Goal Suggestions and the Dashboard's
    revenue chart); read only, so sharing changes no figure."""

    def __init__(self, revenue: pd.DataFrame, period: str, fiscal_year_start: int) -> None:
        self._revenue, self._period, self._fiscal_year_start = revenue, period, fiscal_year_start
        self._labels: pd.Series | None = None

    def of(self, revenue: pd.DataFrame, period: str, fiscal_year_start: int) -> pd.Series:
        """`period_labels` of these lines' dates: the shared ones when they are this sync's."""
        mine = (self._period, self._fiscal_year_start)
        if revenue is not self._revenue or (period, fiscal_year_start) != mine:
            return period_labels(revenue["date"], period, fiscal_year_start)
        if self._labels is None:
            self._labels = period_labels(revenue["date"], period, fiscal_year_start)
        return self._labels
