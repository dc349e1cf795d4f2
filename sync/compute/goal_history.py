"""What a revenue history suggests for the next period: trend, seasonality, spread, ramp.

Pure arithmetic on a list of per-period figures, oldest first; `goal_suggestions.py` builds
the lists from revenue lines and turns the estimates into the Goal Suggestions tab.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from sync.compute.periods import period_bounds, period_label
from sync.compute.tiers import format_money
from sync.i18n import _, period_name

PERIODS_PER_YEAR = {"Month": 12, "Quarter": 4}
RECENT = 3  # the trend looks at the last three periods against the same a year earlier
LUMPY = 0.4  # a standard deviation above 0.4 x the average: revenue comes in lumps
MEDIAN_PERIODS = 4  # lumpy revenue suggests the median of the last four periods
TREND_LIMITS = (0.5, 2.0)  # a trend beyond halving or doubling is taken as noise
RAMP_MONTHS = 6  # a new rep reaches a full target in their sixth month


@dataclass(frozen=True)
class Period:
    """One Month or Quarter: its label and first and last day (inclusive)."""

    label: str
    start: date
    end: date


def period_of(day: date, period: str, fiscal_year_start: int) -> Period:
    """The period that contains `day`."""
    start, end = period_bounds(day, period, fiscal_year_start)
    return Period(period_label(day, period, fiscal_year_start), start, end)


def next_period(as_of: date, period: str, fiscal_year_start: int) -> Period:
    """The period after the one that contains As Of."""
    current = period_of(as_of, period, fiscal_year_start)
    return period_of(current.end + timedelta(days=1), period, fiscal_year_start)


def history_periods(
    first_day: date | None, as_of: date, period: str, fiscal_year_start: int
) -> list[Period]:
    """The complete periods of history, oldest first.

    History starts with the first period that begins on or after the first revenue day (a
    period the records begin inside of is only partly recorded) and ends with the last
    period that ends on or before As Of (the current period counts once it is over).
    """
    if first_day is None:
        return []
    current = period_of(first_day, period, fiscal_year_start)
    if current.start < first_day:
        current = period_of(current.end + timedelta(days=1), period, fiscal_year_start)
    periods = []
    while current.end <= as_of:
        periods.append(current)
        current = period_of(current.end + timedelta(days=1), period, fiscal_year_start)
    return periods


@dataclass(frozen=True)
class Estimate:
    """A figure suggested from history, the sentence that spells it out, and its spread."""

    value: float
    basis: str
    spread: float


def _listed(labels: list[str], values: list[float], joint: str = " + ") -> str:
    return joint.join(
        f"{period_name(label)} {format_money(value)}"
        for label, value in zip(labels, values, strict=True)
    )


def recent_estimate(
    labels: list[str], values: list[float], reason: str, periods_per_year: int
) -> Estimate:
    """The next period from recent history, for a row without two years of it.

    Lumpy revenue (the last year's standard deviation above `LUMPY` x its average): the
    median of the last four periods, so one big deal neither sets the bar nor is forgotten.
    Steadier revenue: the last two periods with the latest counting twice, so a level that
    moved is followed. One period: that period. None: 0.
    """
    if not values:
        return Estimate(0.0, _("no complete period of history ({reason}): 0").format(
            reason=reason), 0.0)
    band = spread(values, periods_per_year)
    window = values[-max(periods_per_year, 4):]
    average = sum(window) / len(window)
    if len(values) == 1:
        basis = _("the last period ({reason}): {period} {amount}").format(
            reason=reason, period=period_name(labels[-1]),
            amount=format_money(values[-1]))
        return Estimate(values[-1], basis, band)
    if band > LUMPY * average:
        recent = values[-MEDIAN_PERIODS:]
        middle = statistics.median(recent)
        basis = _(
            "median of the last {count} periods ({reason}; lumpy revenue: the standard "
            "deviation {band} of the last {window} periods is more than {lumpy} x their "
            "average {average}): median of {listed} = {value}"
        ).format(count=len(recent), reason=reason, window=len(window),
                 band=format_money(band), lumpy=f"{LUMPY:g}", average=format_money(average),
                 listed=_listed(labels[-MEDIAN_PERIODS:], recent, ", "),
                 value=format_money(middle))
        return Estimate(middle, basis, band)
    (before, latest), (before_label, latest_label) = values[-2:], labels[-2:]
    weighted = (before + 2 * latest) / 3
    basis = _(
        "the last 2 periods, the latest counting twice ({reason}): ({before} + 2 x {latest}) "
        "/ 3 = {value}"
    ).format(reason=reason, before=f"{period_name(before_label)} {format_money(before)}",
             latest=f"{period_name(latest_label)} {format_money(latest)}",
             value=format_money(weighted))
    return Estimate(weighted, basis, band)


def last_periods(count: int) -> str:
    """`the last period`, `the last 3 periods`."""
    return _("the last period") if count == 1 else _("the last {count} periods").format(
        count=count)


def spread(values: list[float], periods_per_year: int) -> float:
    """Standard deviation of the last year of periods (at least the last four)."""
    recent = values[-max(periods_per_year, 4):]
    return statistics.pstdev(recent) if len(recent) > 1 else 0.0


def year_earlier(upcoming: Period, period: str, fiscal_year_start: int) -> str:
    """The label of the period a year before `upcoming` (the same month or quarter)."""
    day = upcoming.start
    return period_label(date(day.year - 1, day.month, 1), period, fiscal_year_start)


def estimate(labels: list[str], values: list[float], period: str, base_label: str) -> Estimate:
    """The next period's figure from the history (`labels` and `values` oldest first).

    With two years or more: the same period a year earlier (`base_label`) x the trend (the
    last three periods against the same three a year earlier, kept within halving and
    doubling). With less, or when the year-earlier periods hold nothing: `recent_estimate`.
    """
    per_year = PERIODS_PER_YEAR[period]
    if len(values) < 2 * per_year or base_label not in labels:
        return recent_estimate(labels, values, _("less than two years of history"), per_year)
    recent, year_before = values[-RECENT:], values[-RECENT - per_year:-per_year]
    if sum(year_before) <= 0:
        reason = _("the same periods a year earlier hold no revenue")
        return recent_estimate(labels, values, reason, per_year)
    base = values[labels.index(base_label)]
    ratio = sum(recent) / sum(year_before)
    trend = min(TREND_LIMITS[1], max(TREND_LIMITS[0], ratio))
    value = base * trend
    ratio_text = f"{format_money(sum(recent))} / {format_money(sum(year_before))}"
    trend_text = (
        f"({ratio_text})" if trend == ratio
        else _("{trend} (trend {ratio} = {exact}, kept within {low} and {high})").format(
            trend=f"{trend:g}", ratio=ratio_text, exact=f"{ratio:.2f}",
            low=f"{TREND_LIMITS[0]:g}", high=f"{TREND_LIMITS[1]:g}")
    )
    basis = _(
        "{base_label} {base} (the same period a year earlier) x {trend} (last {recent} periods "
        "{labels} against the same {recent} a year earlier) = {value}"
    ).format(base_label=period_name(base_label), base=format_money(base), trend=trend_text,
             recent=RECENT, labels=_(", ").join(period_name(label) for label in labels[-RECENT:]),
             value=format_money(value))
    return Estimate(value, basis, spread(values, per_year))


def tenure_months(start: date, period_end: date) -> int:
    """Calendar months from the Start Date's month to the period's last month, both counted."""
    return (period_end.year - start.year) * 12 + period_end.month - start.month + 1


def ramp_share(start: date | None, period_end: date) -> float | None:
    """A new rep's share of a full target in the period (None: not ramping).

    A rep is ramping while the period ends before their sixth calendar month is over:
    month 1 of 6 is 1/6 of a full target, month 3 is 3/6; a start after the period is 0.
    """
    if start is None:
        return None
    months = tenure_months(start, period_end)
    if months >= RAMP_MONTHS:
        return None
    return max(0, months) / RAMP_MONTHS
