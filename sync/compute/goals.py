"""The Goal Progress tab: actual, pacing, forecast and gap of every Goals row."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from sync.compute.funnel import FunnelStages
from sync.compute.names import clean_text, name_key
from sync.compute.smart import (
    METRICS,
    Roster,
    day_of,
    decomposition_issues,
    smart_check,
)
from sync.contract.tables import Issue, Tables
from sync.schema import tab_spec

GOAL_PROGRESS_HEADERS = tab_spec("Goal Progress").headers


@dataclass(frozen=True)
class Scope:
    """What a goal counts: whose results, and which product and region."""

    reps: frozenset[str] | None
    product: str | None
    region: str | None

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of a frame with `rep`, `product` and `region` name-key columns in scope."""
        keep = pd.Series(True, index=frame.index)
        if self.reps is not None:
            keep &= frame["rep"].isin(self.reps)
        if self.product is not None:
            keep &= frame["product"] == self.product
        if self.region is not None:
            keep &= frame["region"] == self.region
        return keep


def _in_period(days: pd.Series, start: date, end: date) -> pd.Series:
    stamps = pd.to_datetime(days)
    return (stamps >= pd.Timestamp(start)) & (stamps <= pd.Timestamp(end))


def _keyed(frame: pd.DataFrame, **columns: str) -> pd.DataFrame:
    """A frame of name-keyed columns (`rep=owner` takes `owner` as `rep`), other columns kept."""
    keyed = frame.copy()
    for target, source in columns.items():
        keyed[target] = frame[source].map(name_key)
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
        pipeline["stage"] = pipeline["stage"].map(clean_text)
        region_of_customer = {
            name_key(customer): name_key(region)
            for customer, region in zip(
                tables.customers["customer"], tables.customers["region"], strict=True
            )
        }
        # a deal without a Region takes its customer's, as revenue lines do
        pipeline["region_name"] = [
            region if isinstance(region, str) and region.strip()
            else region_of_customer.get(name_key(customer))
            for region, customer in zip(pipeline["region"], pipeline["customer"], strict=True)
        ]
        pipeline["amount"] = pipeline["amount"].fillna(0.0)
        pipeline["probability"] = pipeline["stage"].map(stages.probabilities)
        deals = _keyed(pipeline, rep="owner", product="product", region="region_name")
        self.won = deals[deals["stage"].isin(stages.of_type("Won"))]
        self.open = deals[deals["stage"].isin(stages.of_type("Open"))]
        self.deals = deals
        self.revenue = _keyed(revenue, rep="rep", product="product", region="region")
        self.first = _keyed(first_revenue(revenue), rep="rep", product="product", region="region")

    def actual(self, metric: str, scope: Scope, start: date, end: date) -> float:
        """The metric's figure over the scope, from `start` to `end` inclusive."""
        if metric == "Revenue":
            lines = self.revenue
            lines = lines[scope.mask(lines) & _in_period(lines["date"], start, end)]
            return float(lines["amount"].sum())
        if metric == "Deals Won":
            won = self.won[scope.mask(self.won) & _in_period(self.won["closed"], start, end)]
            return float(len(won))
        if metric == "New Customers":
            first = self.first[scope.mask(self.first) & _in_period(self.first["date"], start, end)]
            return float(len(first))
        if metric == "Pipeline Created":
            created = self.deals
            created = created[scope.mask(created) & _in_period(created["created"], start, end)]
            return float(created["amount"].sum())
        return math.nan

    def forecast_deals(self, scope: Scope, as_of: date, end: date) -> pd.DataFrame:
        """In-scope open deals expected to close from As Of to the period's end."""
        deals = self.open
        return deals[scope.mask(deals) & _in_period(deals["expected_close"], as_of, end)]


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


def goal_progress(tables: Tables, revenue: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The Goal Progress tab (one row per Goals row) and the decomposition Warnings."""
    as_of = tables.settings.as_of
    roster = Roster.from_team(tables.team)
    figures = GoalFigures(tables, revenue)
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
    table = pd.DataFrame(rows, columns=GOAL_PROGRESS_HEADERS)
    table = table.astype({"Owner": object, "Metric": object, "Product": object,
                          "Region": object, "Pace": object, "SMART": object})
    return table, decomposition_issues(tables.goals, roster)
