"""The Dashboard: the key figures in SPEC order, and the data behind its three charts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from sync.compute.funnel import ALL_REPS, FunnelStages
from sync.compute.goals import elapsed_share, pace
from sync.compute.names import clean_text, name_key
from sync.compute.periods import SharedPeriodLabels, period_bounds, period_label
from sync.compute.smart import COMPANY, day_of
from sync.contract.tables import Tables
from sync.schema import tab_headers

CLOSED_WINDOW_DAYS = 365  # SPEC: win rate and sales cycle look at deals closed in the last 365 days
CHART_PERIODS = {"Month": 12, "Quarter": 8}  # a year of months, two years of quarters


@dataclass
class DashboardData:
    """The Dashboard's figures (`Type`: money, percent, number or integer) and chart data."""

    kpis: pd.DataFrame  # KPI, Value, Target, Status, Type
    funnel_chart: pd.DataFrame  # Stage, Reached
    attainment_chart: pd.DataFrame  # Rep, Attainment
    revenue_chart: pd.DataFrame  # Period, Revenue


@dataclass(frozen=True)
class ClosedDeals:
    """Win rate, sales cycle and average deal size over deals closed in the last 365 days."""

    win_rate: float
    sales_cycle_days: float
    average_deal_size: float

    @classmethod
    def of(cls, pipeline: pd.DataFrame, stages: FunnelStages, as_of: date) -> ClosedDeals:
        """The figures over deals closed from As Of - 364 days to As Of, both included."""
        closed = pd.to_datetime(pipeline["closed"])
        window_start = pd.Timestamp(as_of - timedelta(days=CLOSED_WINDOW_DAYS - 1))
        in_window = (closed >= window_start) & (closed <= pd.Timestamp(as_of))
        stage = pipeline["stage"].map(clean_text)
        won = pipeline[in_window & stage.isin(stages.of_type("Won"))]
        lost = pipeline[in_window & stage.isin(stages.of_type("Lost"))]
        decided = len(won) + len(lost)
        cycle = (pd.to_datetime(won["closed"]) - pd.to_datetime(won["created"])).dt.days.dropna()
        return cls(
            win_rate=len(won) / decided if decided else math.nan,
            sales_cycle_days=float(cycle.mean()) if len(cycle) else math.nan,
            average_deal_size=float(won["amount"].fillna(0.0).mean()) if len(won) else math.nan,
        )

    def velocity(self, open_deals: int) -> float:
        """Open deals x win rate x mean Won amount / sales cycle: expected revenue per day."""
        if math.isnan(self.sales_cycle_days) or self.sales_cycle_days <= 0:
            return math.nan
        return open_deals * self.win_rate * self.average_deal_size / self.sales_cycle_days


def net_promoter_score(nps_answers: pd.Series) -> float:
    """% promoters (9-10) minus % detractors (0-6), as a score from -100 to 100."""
    answers = nps_answers.dropna()
    if not len(answers):
        return math.nan
    return 100.0 * (int((answers >= 9).sum()) - int((answers <= 6).sum())) / len(answers)


def company_revenue_goal(
    goal_progress_df: pd.DataFrame, start: date, end: date
) -> pd.Series | None:
    """The Goal Progress row of the Company's Revenue goal for exactly this period.

    Only a goal with no Product or Region and the period's own first and last day counts:
    a quarterly or yearly goal cannot be compared with one month's revenue.
    """
    needed = {"Owner", "Metric", "Product", "Region", "Period Start", "Period End", "Target"}
    if not needed <= set(goal_progress_df.columns):
        return None
    for _, goal in goal_progress_df.iterrows():
        if (
            name_key(goal["Owner"]) == COMPANY.casefold()
            and clean_text(goal["Metric"]) == "Revenue"
            and clean_text(goal["Product"]) is None
            and clean_text(goal["Region"]) is None
            and day_of(goal["Period Start"]) == start
            and day_of(goal["Period End"]) == end
            and not pd.isna(goal["Target"])
        ):
            return goal
    return None


def _count(frame: pd.DataFrame, column: str, value: str) -> float:
    if column not in frame.columns:
        return math.nan
    return float((frame[column] == value).sum())


def funnel_chart(funnel_df: pd.DataFrame, stages: FunnelStages) -> pd.DataFrame:
    """Deals that reached each Open and Won stage, over the whole team (Lost left out)."""
    shown = [name for name in stages.names if stages.types[name] != "Lost"]
    if not {"Rep", "Stage", "Reached"} <= set(funnel_df.columns):
        return pd.DataFrame({"Stage": pd.Series(dtype=object), "Reached": pd.Series(dtype="int64")})
    team = funnel_df[(funnel_df["Rep"] == ALL_REPS) & funnel_df["Stage"].isin(shown)]
    return pd.DataFrame({
        "Stage": team["Stage"].astype(object).to_list(),
        "Reached": team["Reached"].astype("int64").to_list(),
    }).astype({"Stage": object, "Reached": "int64"})


def attainment_chart(commissions_df: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each rep's quota attainment in the period containing As Of, reps A to Z."""
    empty = pd.DataFrame({"Rep": pd.Series(dtype=object), "Attainment": pd.Series(dtype=float)})
    if not {"Rep", "Period", "Attainment"} <= set(commissions_df.columns):
        return empty
    rows = commissions_df[commissions_df["Period"] == period]
    rows = rows[rows["Attainment"].notna()]
    if not len(rows):
        return empty
    chart = pd.DataFrame({
        "Rep": rows["Rep"].astype(object).to_list(),
        "Attainment": rows["Attainment"].astype(float).to_list(),
    }).astype({"Rep": object})
    return chart.sort_values("Rep", kind="stable").reset_index(drop=True)


def revenue_chart(
    revenue: pd.DataFrame, tables: Tables, period_labels: SharedPeriodLabels | None = None
) -> pd.DataFrame:
    """Revenue of the last 12 months (or 8 quarters) up to the period containing As Of.

    Every period of the window has its bar, an empty one included (0 before the first
    sale too), so the chart always spans the same stretch of time.
    """
    settings = tables.settings
    labels: list[str] = []
    day = settings.as_of
    for _ in range(CHART_PERIODS[settings.period]):
        labels.append(period_label(day, settings.period, settings.fiscal_year_start))
        start, _ = period_bounds(day, settings.period, settings.fiscal_year_start)
        day = start - timedelta(days=1)
    labels.reverse()
    shared = period_labels or SharedPeriodLabels(
        revenue, settings.period, settings.fiscal_year_start
    )
    line_periods = shared.of(revenue, settings.period, settings.fiscal_year_start)
    by_period = (
        revenue["amount"].groupby(line_periods.to_numpy()).sum() if len(revenue)
        else pd.Series(dtype=float)
    )
    return pd.DataFrame({
        "Period": labels,
        "Revenue": [float(by_period.get(label, 0.0)) for label in labels],
    }).astype({"Period": object})


def dashboard(
    tables: Tables,
    revenue: pd.DataFrame,
    funnel_df: pd.DataFrame,
    deal_health_df: pd.DataFrame,
    goal_progress_df: pd.DataFrame,
    commissions_df: pd.DataFrame,
    segments_df: pd.DataFrame,
    issue_count: int,
    period_labels: SharedPeriodLabels | None = None,
) -> DashboardData:
    """The Dashboard's key figures and chart data (SPEC section 5)."""
    settings = tables.settings
    as_of = settings.as_of
    stages = FunnelStages.from_table(tables.stages)
    pipeline = tables.pipeline
    start, end = period_bounds(as_of, settings.period, settings.fiscal_year_start)
    in_period = (pd.to_datetime(revenue["date"]) >= pd.Timestamp(start)) & (
        pd.to_datetime(revenue["date"]) <= pd.Timestamp(end)
    )
    revenue_now = float(revenue.loc[in_period, "amount"].sum())

    goal = company_revenue_goal(goal_progress_df, start, end)
    target = float(goal["Target"]) if goal is not None else math.nan
    status = None
    if goal is not None:
        share = elapsed_share(start, end, as_of)
        status = pace(revenue_now, target, target * share, start, end, as_of)
    attainment = revenue_now / target if target > 0 else math.nan

    stage = pipeline["stage"].map(clean_text)
    open_deals = pipeline[stage.isin(stages.of_type("Open"))]
    open_amount = open_deals["amount"].fillna(0.0)
    open_pipeline = float(open_amount.sum())
    probability = open_deals["stage"].map(clean_text).map(stages.probabilities).fillna(0.0)
    weighted_pipeline = float((open_amount * probability).sum())
    # Coverage: open pipeline (unweighted, the usual "3x coverage" reading) over what is
    # left of the Company Revenue goal this period; blank without a goal or once it is met.
    remaining = target - revenue_now
    coverage = open_pipeline / remaining if remaining > 0 else math.nan

    closed = ClosedDeals.of(pipeline, stages, as_of)
    kpis = [
        ("Revenue This Period", revenue_now, target, status, "money"),
        ("Revenue Goal Attainment", attainment, 1.0 if goal is not None else math.nan, status,
         "percent"),
        ("Win Rate", closed.win_rate, math.nan, None, "percent"),
        ("Average Deal Size", closed.average_deal_size, math.nan, None, "money"),
        ("Sales Cycle Days", closed.sales_cycle_days, math.nan, None, "number"),
        ("Sales Velocity Per Day", closed.velocity(len(open_deals)), math.nan, None, "money"),
        ("Open Pipeline", open_pipeline, math.nan, None, "money"),
        ("Weighted Pipeline", weighted_pipeline, math.nan, None, "money"),
        ("Pipeline Coverage", coverage, math.nan, None, "number"),
        ("Stuck Deals", _count(deal_health_df, "Status", "Stuck"), math.nan, None, "integer"),
        ("Customers At Risk", _count(segments_df, "Lifecycle", "At Risk"), math.nan, None,
         "integer"),
        ("NPS", net_promoter_score(tables.customers["nps"]), math.nan, None, "number"),
        ("Data Issues", float(issue_count), math.nan, None, "integer"),
    ]
    columns = [*tab_headers("Dashboard"), "Type"]  # the declared KPI table, and each kind
    return DashboardData(
        kpis=pd.DataFrame(kpis, columns=columns).astype({"Status": object}),
        funnel_chart=funnel_chart(funnel_df, stages),
        attainment_chart=attainment_chart(
            commissions_df, period_label(as_of, settings.period, settings.fiscal_year_start)
        ),
        revenue_chart=revenue_chart(revenue, tables, period_labels),
    )
