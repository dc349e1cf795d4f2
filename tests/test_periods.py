"""Periods: labels and bounds of months and fiscal quarters (SPEC section 5)."""

from datetime import date

import pandas as pd
import pytest

from sync.compute.periods import label_bounds, period_bounds, period_label, period_labels


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
