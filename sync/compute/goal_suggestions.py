"""The Goal Suggestions tab: a Revenue target per active rep for the period after As Of's.

Each row's figure comes from the rep's own history (`goal_history.py`), a ramp for a new
rep, the open pipeline expected to close in the period as a floor, and, where `Goals`
holds a Company or team goal for the period, the rep's part of it (`goal_split.py`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

import pandas as pd

from sync.compute.goal_history import (
    PERIODS_PER_YEAR,
    RAMP_MONTHS,
    Estimate,
    Period,
    estimate,
    history_periods,
    next_period,
    ramp_share,
    tenure_months,
    year_earlier,
)
from sync.compute.goal_split import ScopeKey, Split, top_down_splits
from sync.compute.goals import GoalFigures, Scope, SharedGoalFigures
from sync.compute.names import clean_text, name_key
from sync.compute.periods import SharedPeriodLabels
from sync.compute.smart import Roster, day_of
from sync.compute.tiers import format_money
from sync.contract.tables import Tables
from sync.i18n import _, period_name
from sync.schema import tab_headers

WHOLE: ScopeKey = (None, None)


@dataclass(frozen=True)
class _Line:
    """One row to suggest: a rep and the product and region it is scoped to (as written)."""

    rep: str
    scope: ScopeKey
    product: str | None
    region: str | None


def _scoped_lines(goals: pd.DataFrame, roster: Roster) -> dict[str, list[_Line]]:
    """Per active rep, the products and regions their own goals are scoped by."""
    lines: dict[str, list[_Line]] = {rep: [_Line(rep, WHOLE, None, None)] for rep in roster.active}
    for goal in goals.itertuples(index=False):
        rep = name_key(goal.owner)
        scope = (name_key(goal.product), name_key(goal.region))
        if rep not in lines or roster.kind(goal.owner) != "rep" or scope == WHOLE:
            continue
        if all(line.scope != scope for line in lines[rep]):
            lines[rep].append(_Line(rep, scope, clean_text(goal.product), clean_text(goal.region)))
    return lines


class _History:
    """Revenue per period of any rep and scope, from name-keyed revenue lines."""

    def __init__(
        self, figures: GoalFigures, tables: Tables, past: list[Period], upcoming: Period,
        labels: pd.Series,
    ) -> None:
        settings = tables.settings
        self.base_label = year_earlier(upcoming, settings.period, settings.fiscal_year_start)
        keyed = figures.revenue.frame  # the revenue lines in their order, names as keys
        # only the columns a scope and a sum read, not a copy of every line
        lines = pd.DataFrame({
            "rep": keyed["rep"], "product": keyed["product"], "region": keyed["region"],
            "amount": keyed["amount"],
            "period": pd.Series(labels.to_numpy(), index=keyed.index, dtype=object, copy=False),
        }, copy=False)
        self.lines = lines[keyed["date"].notna()]
        self.past = past
        self.per_year = PERIODS_PER_YEAR[settings.period]
        self.period = settings.period
        self.starts: dict[str, date] = {}
        for rep, start in zip(tables.team["rep"], tables.team["start_date"], strict=True):
            key, day = name_key(rep), day_of(start)
            if key is not None and day is not None:
                self.starts.setdefault(key, day)

    def revenue(self, rep: str, scope: ScopeKey, periods: list[Period]) -> float:
        """The rep's revenue in the scope over these periods."""
        labels = {period.label for period in periods}
        lines = self.lines[Scope(frozenset({rep}), *scope).mask(self.lines)]
        return float(lines.loc[lines["period"].isin(labels), "amount"].sum())

    def estimate(self, rep: str, scope: ScopeKey) -> tuple[Estimate, int]:
        """What the rep's history suggests, and how many periods the spread looks at."""
        start = self.starts.get(rep)
        periods = [period for period in self.past if start is None or period.end >= start]
        lines = self.lines[Scope(frozenset({rep}), *scope).mask(self.lines)]
        sums = lines.groupby("period")["amount"].sum()
        values = [float(sums.get(period.label, 0.0)) for period in periods]
        found = estimate([period.label for period in periods], values, self.period,
                         self.base_label)
        return found, min(len(values), max(self.per_year, 4))


def _ramp_text(start: date, upcoming: Period, share: float, typical: float) -> str:
    months = max(0, tenure_months(start, upcoming.end))
    return _(
        "new rep (started {start}, month {month} of {months} by {period}): {month}/{months} x "
        "{typical} (the median suggestion of established reps) = {value}"
    ).format(start=f"{start:%Y-%m-%d}", month=months, months=RAMP_MONTHS,
             period=period_name(upcoming.label), typical=format_money(typical),
             value=format_money(share * typical))


def goal_suggestions(
    tables: Tables, revenue: pd.DataFrame, goal_figures: SharedGoalFigures | None = None,
    period_labels: SharedPeriodLabels | None = None,
) -> pd.DataFrame:
    """The Goal Suggestions tab: one Revenue row per active rep, and per product or region
    their goals are scoped by, for the period after the one containing As Of."""
    settings = tables.settings
    labels = (
        period_labels or SharedPeriodLabels(revenue, settings.period, settings.fiscal_year_start)
    ).of(revenue, settings.period, settings.fiscal_year_start)
    upcoming = next_period(settings.as_of, settings.period, settings.fiscal_year_start)
    roster = Roster.from_team(tables.team)
    figures = (goal_figures or SharedGoalFigures(tables, revenue)).of(tables, revenue)
    dated = figures.revenue.frame["date"].dropna()
    first_day = pd.Timestamp(dated.min()).date() if len(dated) else None
    past = history_periods(first_day, settings.as_of, settings.period, settings.fiscal_year_start)
    history = _History(figures, tables, past, upcoming, labels)
    ramp = {
        rep: share for rep in roster.active
        if (share := ramp_share(history.starts.get(rep), upcoming.end)) is not None
    }
    lines = _scoped_lines(tables.goals, roster)
    splits = top_down_splits(tables.goals, roster, upcoming, past, history.revenue, ramp)
    for (rep, scope), (product, region, _split) in splits.items():
        if all(line.scope != scope for line in lines[rep]):
            lines[rep].append(_Line(rep, scope, product, region))

    estimates = {
        (line.rep, line.scope): history.estimate(line.rep, line.scope)
        for rep_lines in lines.values() for line in rep_lines
    }
    typical: dict[ScopeKey, float] = {}
    for scope in {line.scope for rep in ramp for line in lines[rep]}:
        established = [
            max(0.0, history.estimate(rep, scope)[0].value)
            for rep in roster.active if rep not in ramp
        ]
        typical[scope] = statistics.median(established) if established else 0.0

    rows = []
    for rep in roster.reps:
        for line in lines.get(rep, []):
            found, spread_periods = estimates[(rep, line.scope)]
            value, basis = max(0.0, found.value), found.basis
            if rep in ramp:
                ramped = ramp[rep] * typical[line.scope]
                ramp_basis = _ramp_text(history.starts[rep], upcoming, ramp[rep],
                                        typical[line.scope])
                if ramped >= value:
                    value, basis = ramped, _("{ramp}; own history: {history}").format(
                        ramp=ramp_basis, history=basis)
                else:
                    basis = _("{history}; above the {ramp}").format(history=basis,
                                                                    ramp=ramp_basis)
            deals = figures.forecast_deals(Scope(frozenset({rep}), *line.scope),
                                           upcoming.start, upcoming.end)
            weighted = float((deals["amount"] * deals["probability"]).sum())
            if weighted > value:
                value = weighted
                count = (_("{count} deal") if len(deals) == 1 else _("{count} deals")).format(
                    count=len(deals))
                basis += _("; raised to the open pipeline expected to close in {period}: "
                           "{deals} weighted {weighted}").format(
                    period=period_name(upcoming.label), deals=count,
                    weighted=format_money(weighted))
            rows.append(_row(roster.reps[rep], line, upcoming, round(value, 2), basis,
                             round(found.spread, 2), spread_periods,
                             splits.get((rep, line.scope), (None, None, None))[2]))
    return pd.DataFrame(rows, columns=tab_headers("Goal Suggestions")).astype(
        {"Owner": object, "Metric": object, "Product": object, "Region": object,
         "Basis": object})


def _row(
    owner: str, line: _Line, upcoming: Period, value: float, basis: str, band: float,
    spread_periods: int, split: Split | None,
) -> dict[str, object]:
    """One row of the tab: the suggestion, its band and the sentence that spells it out."""
    low, high = max(0.0, round(value - band, 2)), round(value + band, 2)
    if band > 0:
        band_text = _("Low and High: {value} -/+ {band}, the standard deviation of the last "
                      "{count} periods").format(value=format_money(value),
                                                band=format_money(band), count=spread_periods)
    else:
        band_text = _("Low and High equal it: past periods show no spread")
    suggested = value
    if split is not None:
        suggested = split.amount
        basis = _("{split}; from history alone {value}: {history}").format(
            split=split.basis, value=format_money(value), history=basis)
        low, high = min(low, suggested), max(high, suggested)
    return {
        "Owner": owner, "Metric": "Revenue", "Product": line.product, "Region": line.region,
        "Period Start": pd.Timestamp(upcoming.start), "Period End": pd.Timestamp(upcoming.end),
        "Suggested Target": suggested, "Low": low, "High": high,
        "Basis": basis + _("; ") + band_text,
    }
