"""Periods: labels and bounds of months and fiscal quarters (SPEC section 5)."""

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.compute.periods import (
    SharedPeriodLabels,
    label_bounds,
    period_bounds,
    period_label,
    period_labels,
)


@pytest.mark.parametrize(
    ("day", "period", "fiscal_start", "label", "bounds"),
    [
        (date(2026, 11, 26), "Month", 1, "2026-11", (date(2026, 11, 1), date(2026, 11, 30))),
        (date(2024, 2, 10), "Month", 1, "2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        (date(2026, 12, 31), "Month", 1, "2026-12", (date(2026, 12, 1), date(2026, 12, 31))),
        # calendar quarters: November is in Q4 (Oct-Dec)
        (date(2026, 11, 26), "Quarter", 1, "2026-Q4", (date(2026, 10, 1), date(2026, 12, 31))),
        # fiscal year starting in April: Nov is month 8 of FY2026 -> Q3 (Oct-Dec)
        (date(2026, 11, 26), "Quarter", 4, "2026-Q3", (date(2026, 10, 1), date(2026, 12, 31))),
        # Feb 2027 is month 11 of the fiscal year that started April 2026 -> 2026-Q4 (Jan-Mar)
        (date(2027, 2, 1), "Quarter", 4, "2026-Q4", (date(2027, 1, 1), date(2027, 3, 31))),
        # fiscal year starting in November: quarters Nov-Jan, Feb-Apr, ...
        (date(2027, 1, 15), "Quarter", 11, "2026-Q1", (date(2026, 11, 1), date(2027, 1, 31))),
    ],
)
def test_period_label_and_bounds(day, period, fiscal_start, label, bounds):
    assert period_label(day, period, fiscal_start) == label
    assert period_bounds(day, period, fiscal_start) == bounds
    assert label_bounds(label, period, fiscal_start) == bounds


def test_period_labels_vectorised_match_scalar():
    days = pd.Series(pd.to_datetime(["2026-11-26", "2027-02-01", None, "2026-04-01"]))
    labels = period_labels(days, "Quarter", 4).tolist()
    assert labels == ["2026-Q3", "2026-Q4", None, "2026-Q1"]
    assert period_labels(days, "Month").tolist() == ["2026-11", "2027-02", None, "2026-04"]


def _labels_one_by_one(days: pd.Series, period: str, fiscal_start: int) -> list[str | None]:
    """The reference: `period_label` of each date in turn, None for a missing one."""
    return [
        None if pd.isna(day) else period_label(day.date(), period, fiscal_start)
        for day in pd.to_datetime(days)
    ]


@given(
    days=st.lists(
        st.one_of(
            st.none(),
            st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
        ),
        max_size=40,
    ),
    period=st.sampled_from(["Month", "Quarter"]),
    fiscal_start=st.integers(min_value=1, max_value=12),
)
def test_period_labels_equal_labels_one_date_at_a_time(days, period, fiscal_start):
    # e.g. 2027-02-01 with fiscal years from April: months since April 2026 = 10, so Q4 of
    # the fiscal year 2026; the column computes the same by integer arithmetic
    series = pd.Series(pd.to_datetime(pd.Series(days, dtype=object)), index=range(3, 3 + len(days)))
    labels = period_labels(series, period, fiscal_start)
    assert labels.index.equals(series.index)
    assert labels.tolist() == _labels_one_by_one(series, period, fiscal_start)


@pytest.mark.parametrize("fiscal_start", range(1, 13))
def test_period_labels_of_every_month_of_two_years(fiscal_start):
    days = pd.Series(pd.date_range("2025-01-31", periods=24, freq="ME"))
    assert period_labels(days, "Quarter", fiscal_start).tolist() == _labels_one_by_one(
        days, "Quarter", fiscal_start
    )
    assert period_labels(days, "Month").tolist()[:3] == ["2025-01", "2025-02", "2025-03"]


def test_period_labels_of_dates_in_seconds_far_from_1970():
    # the reader hands dates in whole seconds, which reach far beyond nanoseconds' range
    days = pd.Series(["1500-03-01", "2999-12-31", None], dtype="datetime64[s]")
    assert period_labels(days, "Quarter", 4).tolist() == ["1499-Q4", "2999-Q3", None]
    assert period_labels(days, "Month").tolist() == ["1500-03", "2999-12", None]


def test_period_labels_of_no_dates_and_only_missing_dates():
    assert period_labels(pd.Series([], dtype="datetime64[ns]"), "Month").tolist() == []
    missing = pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]")
    assert period_labels(missing, "Quarter", 7).tolist() == [None, None]


def test_shared_period_labels_are_worked_out_once_for_this_syncs_lines():
    revenue = pd.DataFrame({"date": pd.to_datetime(["2026-11-26", None]), "amount": [1.0, 2.0]})
    shared = SharedPeriodLabels(revenue, "Quarter", 4)
    first = shared.of(revenue, "Quarter", 4)
    # Nov 2026 with fiscal years from April: month 8 of FY2026, so Q3
    assert first.tolist() == ["2026-Q3", None]
    assert shared.of(revenue, "Quarter", 4) is first
    # other settings or other lines are labelled afresh, never handed this sync's labels
    assert shared.of(revenue, "Month", 4).tolist() == ["2026-11", None]
    other = revenue.assign(date=pd.to_datetime(["2027-02-01", "2026-01-05"]))
    assert shared.of(other, "Quarter", 4).tolist() == ["2026-Q4", "2025-Q4"]
