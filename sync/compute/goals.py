"""The Goal Progress tab: actual, pacing, forecast and gap of every Goals row."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from sync.compute.funnel import FunnelStages
from sync.compute.names import clean_text, name_key, name_keys, per_distinct
from sync.compute.scoped import Scope, ScopedRows
from sync.compute.smart import (
    METRICS,
    Roster,
    day_of,
    decomposition_issues,
    smart_check,
)
from sync.contract.tables import Issue, Tables
from sync.schema import tab_headers


def _first_positions(revenue: pd.DataFrame) -> np.ndarray:
    """Positions of `first_revenue`'s lines in `revenue`, in its order.

    Only lines on their customer's first sale day can be first, so just those few are sorted.
    """
    amounts = revenue["amount"].to_numpy(dtype=float)
    stamps = pd.to_datetime(revenue["date"]).to_numpy(dtype="datetime64[ns]")
    codes = pd.factorize(revenue["customer_key"].to_numpy(dtype=object), use_na_sentinel=True)[0]
    sales = np.flatnonzero((amounts > 0) & (codes >= 0) & ~np.isnat(stamps))
    customers = codes[sales]
    days = stamps[sales].view(np.int64)
    first_day = np.full(customers.max() + 1 if len(sales) else 0, np.iinfo(np.int64).max)
    np.minimum.at(first_day, customers, days)
    candidates = sales[days == first_day[customers]]
    ordered = revenue.iloc[candidates].reset_index(drop=True).sort_values(
        ["date", "source", "row"], kind="mergesort"
    )
    kept = ordered.drop_duplicates("customer_key", keep="first")
    return candidates[kept.index.to_numpy()]


def first_revenue(revenue: pd.DataFrame) -> pd.DataFrame:
    """Each customer's first positive revenue line ever (its day, rep, product and region).

    Refunds are not a first purchase. Ties on the first day are broken the way the New
    Customer Bonus breaks them (a Won deal's line before an order, then by sheet row), so
    a goal and a commission credit the same rep with the same customer.
    """
    return revenue.iloc[_first_positions(revenue)]


def _deals(tables: Tables) -> pd.DataFrame:
    """The Pipeline's deals with what goals count of them: stage, amount, probability, dates,
    and the region the deal is in (its own, else its customer's)."""
    stages = FunnelStages.from_table(tables.stages)
    pipeline = tables.pipeline
    stage = pd.Series(
        per_distinct(pipeline["stage"], clean_text), index=pipeline.index, dtype=object
    )
    regions = pipeline["region"].tolist()
    blank = [not (isinstance(region, str) and region.strip()) for region in regions]
    if any(blank):
        # a deal without a Region takes its customer's, as revenue lines do
        customers = tables.customers
        region_of_customer = dict(zip(
            name_keys(customers["customer"]), name_keys(customers["region"]), strict=True
        ))
        customer_keys = name_keys(pipeline["customer"]).tolist()
        regions = [
            region_of_customer.get(customer) if missing else region
            for region, customer, missing in zip(regions, customer_keys, blank, strict=True)
        ]
    amount = pipeline["amount"].fillna(0.0)
    probability = stage.map(stages.probabilities)
    return pd.DataFrame({
        "owner": pipeline["owner"], "product": pipeline["product"],
        "region_name": pd.Series(regions, index=pipeline.index, dtype=object),
        "stage": stage, "amount": amount, "probability": probability,
        "weighted": amount * probability,
        "created": pipeline["created"], "closed": pipeline["closed"],
        "expected_close": pipeline["expected_close"],
    })


class GoalFigures:
    """The four goal metrics over any scopes and periods, from the validated tables."""

    def __init__(self, tables: Tables, revenue: pd.DataFrame) -> None:
        stages = FunnelStages.from_table(tables.stages)
        deals = ScopedRows.keyed(
            _deals(tables), ("created", "closed", "expected_close"),
            rep="owner", product="product", region="region_name",
        )
        # each table sorted once by name and date: a batch of goals looks up its own rows
        stage = deals.frame["stage"]
        self.won = deals.subset(np.flatnonzero(stage.isin(stages.of_type("Won"))), ("closed",))
        self.open = deals.subset(
            np.flatnonzero(stage.isin(stages.of_type("Open"))), ("expected_close",)
        )
        self.deals = deals
        self.revenue = ScopedRows.keyed(
            revenue, ("date",), rep="rep", product="product", region="region"
        )
        self._revenue = revenue

    @cached_property
    def first(self) -> ScopedRows:
        """Each customer's first revenue line (`first_revenue`), found when a goal asks."""
        return self.revenue.subset(_first_positions(self._revenue), ("date",))

    def actuals(
        self, metrics: Sequence[str | None], scopes: Sequence[Scope], starts: Sequence[date],
        ends: Sequence[date],
    ) -> np.ndarray:
        """Each goal's metric over its scope from its start to its end inclusive (NaN for an
        unknown metric), found for all goals of a metric at once."""
        found = np.full(len(metrics), math.nan)
        for metric, (rows, column, date_column) in _METRIC_ROWS.items():
            goals = [n for n, name in enumerate(metrics) if name == metric]
            if not goals:
                continue
            table: ScopedRows = getattr(self, rows)
            matches = table.match(
                [scopes[n] for n in goals], date_column, [starts[n] for n in goals],
                [ends[n] for n in goals],
            )
            found[goals] = matches.counts() if column is None else table.sums(matches, column)
        return found

    def actual(self, metric: str, scope: Scope, start: date, end: date) -> float:
        """The metric's figure over the scope, from `start` to `end` inclusive."""
        return float(self.actuals([metric], [scope], [start], [end])[0])

    def expected_deals(
        self, scopes: Sequence[Scope], starts: Sequence[date], ends: Sequence[date]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per goal, over in-scope open deals expected to close from its start to its end:
        the sum of amount x probability, and the sum of probabilities."""
        matches = self.open.match(scopes, "expected_close", starts, ends)
        return self.open.sums(matches, "weighted"), self.open.sums(matches, "probability")

    def forecast_deals(self, scope: Scope, as_of: date, end: date) -> pd.DataFrame:
        """In-scope open deals expected to close from As Of to the period's end: their
        `amount` and `probability`."""
        return pd.DataFrame({
            column: self.open.values(scope, "expected_close", as_of, end, column)
            for column in ("amount", "probability")
        })


# metric -> (GoalFigures table, column summed (None: rows counted), date column)
_METRIC_ROWS: dict[str, tuple[str, str | None, str]] = {
    "Revenue": ("revenue", "amount", "date"),
    "Deals Won": ("won", None, "closed"),
    "New Customers": ("first", None, "date"),
    "Pipeline Created": ("deals", "amount", "created"),
}


def elapsed_share(start: date, end: date, as_of: date) -> float:
    """(As Of - Start + 1 day) / (End - Start + 1 day), kept within 0 and 1."""
    share = ((as_of - start).days + 1) / ((end - start).days + 1)
    return min(1.0, max(0.0, share))


def pace(actual: float, target: float, expected: float, start: date, end: date, as_of: date) -> str:
    """`Not Started`, `Done`, `Missed`, `Ahead`, `On Track` or `Behind` (SPEC, Pacing)."""
    if as_of < start:
        return "Not Started"
    if as_of >= end:
        return "Done" if actual >= target else "Missed"
    # a relative tolerance keeps 3,300 of an expected 3,000 exactly at 110% (Ahead)
    tolerance = 1e-9 * max(1.0, abs(expected))
    if actual >= 1.1 * expected - tolerance:
        return "Ahead"
    if actual >= 0.9 * expected - tolerance:
        return "On Track"
    return "Behind"


def forecast(
    metric: str, actual: float, share: float, weighted: float, probability: float
) -> float:
    """The goal's expected figure at period end (SPEC, Forecast), given the sums over its
    in-scope open deals expected to close from the later of As Of and Period Start to
    Period End (`GoalFigures.expected_deals`).

    Counting deals from Period Start keeps a deal expected before a future goal's period out
    of it. A metric paced by elapsed time has no forecast before its period starts.
    """
    if metric == "Revenue":
        return actual + weighted
    if metric == "Deals Won":
        return actual + probability
    return actual / share if share > 0 else math.nan


def _number(value: float | None) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


class SharedGoalFigures:
    """`GoalFigures` built once per sync on first use and shared by the tabs that need
    them (Goal Progress and Goal Suggestions); read only, so sharing changes no figure."""

    def __init__(self, tables: Tables, revenue: pd.DataFrame) -> None:
        self._tables, self._revenue = tables, revenue
        self._figures: GoalFigures | None = None

    def of(self, tables: Tables, revenue: pd.DataFrame) -> GoalFigures:
        """The figures of these tables: the shared ones when they are this sync's."""
        if tables is not self._tables or revenue is not self._revenue:
            return GoalFigures(tables, revenue)
        if self._figures is None:
            self._figures = GoalFigures(tables, revenue)
        return self._figures


@dataclass(frozen=True)
class _Goal:
    """A Goals row as its progress reads it."""

    row: int
    owner: str | None
    metric: str | None
    product: str | None
    region: str | None
    start: date | None
    end: date | None
    target: float
    scope: Scope

    @property
    def measured(self) -> bool:
        """Whether the goal has a metric and a period to measure it over."""
        return (
            self.metric in METRICS and self.start is not None and self.end is not None
            and self.end >= self.start
        )


def _goals(goals: pd.DataFrame, roster: Roster) -> list[_Goal]:
    """Every Goals row, in order (each distinct owner, name and date read once)."""
    owners = per_distinct(goals["owner"], clean_text)
    reps_of = {owner: roster.scope_reps(owner) for owner in set(owners)}
    columns = zip(
        goals["row"].tolist(), owners, per_distinct(goals["metric"], clean_text),
        per_distinct(goals["product"], clean_text), per_distinct(goals["region"], clean_text),
        per_distinct(goals["product"], name_key), per_distinct(goals["region"], name_key),
        per_distinct(goals["period_start"], day_of), per_distinct(goals["period_end"], day_of),
        goals["target"].tolist(), strict=True,
    )
    return [
        _Goal(row=int(row), owner=owner, metric=metric, product=product, region=region,
              start=start, end=end, target=_number(target),
              scope=Scope(reps_of[owner], product_key, region_key))
        for (row, owner, metric, product, region, product_key, region_key, start, end,
             target) in columns
    ]


def _figures_of(
    goals: list[_Goal], figures: GoalFigures, as_of: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Actual, previous period's figure, and the open deals' weighted amount and probability
    expected in the period, of every measured goal (in that list's order), all goals at once."""
    metrics = [goal.metric for goal in goals]
    scopes = [goal.scope for goal in goals]
    starts = [goal.start for goal in goals if goal.start is not None]
    ends = [goal.end for goal in goals if goal.end is not None]
    actual = figures.actuals(metrics, scopes, starts, ends)
    # the period of equal length just before, for SMART's A
    day = timedelta(days=1)
    before = [start - (end - start) - day for start, end in zip(starts, ends, strict=True)]
    previous = figures.actuals(metrics, scopes, before, [start - day for start in starts])
    weighted, probability = np.zeros(len(goals)), np.zeros(len(goals))
    dealt = [n for n, goal in enumerate(goals) if goal.metric in ("Revenue", "Deals Won")]
    if dealt:
        weighted[dealt], probability[dealt] = figures.expected_deals(
            [scopes[n] for n in dealt], [max(as_of, starts[n]) for n in dealt],
            [ends[n] for n in dealt],
        )
    return actual, previous, weighted, probability


def goal_progress(
    tables: Tables, revenue: pd.DataFrame, goal_figures: SharedGoalFigures | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """The Goal Progress tab (one row per Goals row) and the decomposition Warnings.

    Every goal's Actual, previous period and open deals are found in one pass over each
    table (`GoalFigures.actuals`), so the time grows with the rows, hardly with the goals.
    """
    as_of = tables.settings.as_of
    roster = Roster.from_team(tables.team)
    figures = (goal_figures or SharedGoalFigures(tables, revenue)).of(tables, revenue)
    goals = _goals(tables.goals, roster)
    measured = [goal for goal in goals if goal.measured]
    actuals, previouses, weighted, probability = _figures_of(measured, figures, as_of)
    found = {id(goal): n for n, goal in enumerate(measured)}
    rows = []
    for goal in goals:
        start, end, target = goal.start, goal.end, goal.target
        row = {
            "Goal Row": goal.row, "Owner": goal.owner, "Metric": goal.metric,
            "Product": goal.product, "Region": goal.region,
            "Period Start": pd.Timestamp(start) if start else pd.NaT,
            "Period End": pd.Timestamp(end) if end else pd.NaT,
            "Target": target, "Actual": math.nan, "Attainment": math.nan,
            "Expected By Now": math.nan, "Pace": None, "Forecast": math.nan, "Gap": math.nan,
        }
        previous = math.nan
        n = found.get(id(goal))
        if n is not None and start is not None and end is not None and goal.metric is not None:
            actual = float(actuals[n])
            share = elapsed_share(start, end, as_of)
            row["Actual"] = actual
            row["Forecast"] = forecast(
                goal.metric, actual, share, float(weighted[n]), float(probability[n])
            )
            if not math.isnan(target):
                row["Expected By Now"] = target * share
                row["Pace"] = pace(actual, target, target * share, start, end, as_of)
                # Gap: how far the period is expected to end short of the target (negative:
                # expected to beat it); what is left to do is Target - Actual.
                row["Gap"] = target - row["Forecast"]
                if target > 0:
                    row["Attainment"] = actual / target
            previous = float(previouses[n])
        row["SMART"] = smart_check(goal.owner, goal.metric, target, start, end, roster, previous)
        rows.append(row)
    table = pd.DataFrame(rows, columns=tab_headers("Goal Progress"))
    table = table.astype({"Owner": object, "Metric": object, "Product": object,
                          "Region": object, "Pace": object, "SMART": object})
    return table, decomposition_issues(tables.goals, roster)
