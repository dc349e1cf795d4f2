"""The Goal Progress tab: actual, pacing, forecast and gap of every Goals row."""

from __future__ import annotations

import math
from datetime import date, timedelta

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


def _keyed(frame: pd.DataFrame, **columns: str) -> pd.DataFrame:
    """A frame of name-keyed columns (`rep=owner` takes `owner` as `rep`), other columns kept."""
    keyed = frame.copy()
    for target, source in columns.items():
        keyed[target] = name_keys(frame[source])
    return keyed


def first_revenue(revenue: pd.DataFrame) -> pd.DataFrame:
    """Each customer's first positive revenue line ever (its day, rep, product and region).

    Refunds are not a first purchase. Ties on the first day are broken the way the New
    Customer Bonus breaks them (a Won deal's line before an order, then by sheet row), so
    a goal and a commission credit the same rep with the same customer.
    """
    sales = revenue[
        (revenue["amount"] > 0) & revenue["customer_key"].notna() & revenue["date"].notna()
    ]
    ordered = sales.sort_values(["date", "source", "row"], kind="mergesort")
    return ordered.drop_duplicates("customer_key", keep="first")


class GoalFigures:
    """The four goal metrics over any scope and period, from the validated tables."""

    def __init__(self, tables: Tables, revenue: pd.DataFrame) -> None:
        stages = FunnelStages.from_table(tables.stages)
        pipeline = tables.pipeline.copy()
        pipeline["stage"] = pd.Series(
            per_distinct(pipeline["stage"], clean_text), index=pipeline.index, dtype=object
        )
        customers = tables.customers
        region_of_customer = dict(zip(
            name_keys(customers["customer"]), name_keys(customers["region"]), strict=True
        ))
        # a deal without a Region takes its customer's, as revenue lines do
        pipeline["region_name"] = [
            region if isinstance(region, str) and region.strip()
            else region_of_customer.get(customer)
            for region, customer in zip(
                pipeline["region"], name_keys(pipeline["customer"]), strict=True
            )
        ]
        pipeline["amount"] = pipeline["amount"].fillna(0.0)
        pipeline["probability"] = pipeline["stage"].map(stages.probabilities)
        deals = _keyed(pipeline, rep="owner", product="product", region="region_name")
        # each table grouped once by (rep, product, region): a goal looks up its own rows
        self.won = ScopedRows(deals[deals["stage"].isin(stages.of_type("Won"))], ("closed",))
        self.open = ScopedRows(
            deals[deals["stage"].isin(stages.of_type("Open"))], ("expected_close",)
        )
        self.deals = ScopedRows(deals, ("created",))
        self.revenue = ScopedRows(
            _keyed(revenue, rep="rep", product="product", region="region"), ("date",)
        )
        self.first = ScopedRows(
            _keyed(first_revenue(revenue), rep="rep", product="product", region="region"),
            ("date",),
        )

    def actual(self, metric: str, scope: Scope, start: date, end: date) -> float:
        """The metric's figure over the scope, from `start` to `end` inclusive."""
        if metric == "Revenue":
            return float(self.revenue.values(scope, "date", start, end, "amount").sum())
        if metric == "Deals Won":
            return float(len(self.won.positions(scope, "closed", start, end)))
        if metric == "New Customers":
            return float(len(self.first.positions(scope, "date", start, end)))
        if metric == "Pipeline Created":
            return float(self.deals.values(scope, "created", start, end, "amount").sum())
        return math.nan

    def forecast_deals(self, scope: Scope, as_of: date, end: date) -> pd.DataFrame:
        """In-scope open deals expected to close from As Of to the period's end: their
        `amount` and `probability`."""
        return pd.DataFrame({
            column: self.open.values(scope, "expected_close", as_of, end, column)
            for column in ("amount", "probability")
        })


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
    figures: GoalFigures, metric: str, scope: Scope, actual: float, share: float,
    as_of: date, start: date, end: date,
) -> float:
    """The goal's expected figure at period end (SPEC, Forecast).

    Open deals count from the later of As Of and Period Start, so a deal expected before a
    future goal's period does not count for it. A metric paced by elapsed time has no
    forecast before its period starts.
    """
    if metric in ("Revenue", "Deals Won"):
        deals = figures.forecast_deals(scope, max(as_of, start), end)
        if metric == "Revenue":
            return actual + float((deals["amount"] * deals["probability"]).sum())
        return actual + float(deals["probability"].sum())
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


def goal_progress(
    tables: Tables, revenue: pd.DataFrame, goal_figures: SharedGoalFigures | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """The Goal Progress tab (one row per Goals row) and the decomposition Warnings."""
    as_of = tables.settings.as_of
    roster = Roster.from_team(tables.team)
    figures = (goal_figures or SharedGoalFigures(tables, revenue)).of(tables, revenue)
    rows = []
    for goal in tables.goals.itertuples(index=False):
        metric, owner = clean_text(goal.metric), clean_text(goal.owner)
        start, end = day_of(goal.period_start), day_of(goal.period_end)
        target = _number(goal.target)
        scope = Scope(roster.scope_reps(owner), name_key(goal.product), name_key(goal.region))
        row = {
            "Goal Row": int(goal.row), "Owner": owner, "Metric": metric,
            "Product": clean_text(goal.product), "Region": clean_text(goal.region),
            "Period Start": pd.Timestamp(start) if start else pd.NaT,
            "Period End": pd.Timestamp(end) if end else pd.NaT,
            "Target": target, "Actual": math.nan, "Attainment": math.nan,
            "Expected By Now": math.nan, "Pace": None, "Forecast": math.nan, "Gap": math.nan,
        }
        previous = math.nan
        if metric in METRICS and start is not None and end is not None and end >= start:
            actual = figures.actual(metric, scope, start, end)
            share = elapsed_share(start, end, as_of)
            row["Actual"] = actual
            row["Forecast"] = forecast(figures, metric, scope, actual, share, as_of, start, end)
            if not math.isnan(target):
                row["Expected By Now"] = target * share
                row["Pace"] = pace(actual, target, target * share, start, end, as_of)
                # Gap: how far the period is expected to end short of the target (negative:
                # expected to beat it); what is left to do is Target - Actual.
                row["Gap"] = target - row["Forecast"]
                if target > 0:
                    row["Attainment"] = actual / target
            length = (end - start).days + 1
            previous = figures.actual(
                metric, scope, start - timedelta(days=length), start - timedelta(days=1)
            )
        row["SMART"] = smart_check(owner, metric, target, start, end, roster, previous)
        rows.append(row)
    table = pd.DataFrame(rows, columns=tab_headers("Goal Progress"))
    table = table.astype({"Owner": object, "Metric": object, "Product": object,
                          "Region": object, "Pace": object, "SMART": object})
    return table, decomposition_issues(tables.goals, roster)
