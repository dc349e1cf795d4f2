"""Goal figures found for all goals at once equal the per-goal masks they replace, to the bit.

`GoalFigures` answers every goal's Actual, previous period and open deals by lookups into
tables sorted once by name and date. The reference below is the straightforward per-goal
path: mask the whole name-keyed frame by the goal's scope and period, then sum the column
(`Series.sum`). Random businesses (names in several spellings, blanks, refunds, dates with a
time of day, dates outside every period) and random goals must give the same floats.
"""

import math
from dataclasses import replace
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.funnel import FunnelStages
from sync.compute.goals import GoalFigures, first_revenue, goal_progress
from sync.compute.names import clean_text, name_key, name_keys
from sync.compute.revenue import revenue_lines
from sync.compute.scoped import Scope
from sync.compute.smart import Roster
from sync.contract.tables import WorkbookSettings, make_tables

AS_OF = date(2026, 6, 15)
FIRST = date(2026, 1, 1)
REPS = ["Ana", " ana ", "BO", "Cy", "Dee", None, "Nobody"]  # Nobody is not in Team
PRODUCTS = ["Pro", "pro ", "Basic", "Ｐｒｏ", None]  # full-width Pro is Pro
REGIONS = ["North", "north", "South", None]
TEAM = [
    dict(rep="Ana", team="East"), dict(rep="Bo", team="East"), dict(rep="Cy", team="West"),
    dict(rep="Dee", team="West", active=False),
]
OWNERS = ["Company", "East", "West", "Ana", "bo", "Cy", "Dee", "Nobody"]
STAGES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def _day(offset: int, hours: int) -> date | datetime:
    day = FIRST + timedelta(days=offset)
    return datetime(day.year, day.month, day.day, hours) if hours else day


# money in cents: sums of such floats depend on the order they are added in, as real ones do
amounts = st.integers(-90_000, 9_000_000).map(lambda cents: cents / 100)
orders = st.lists(st.fixed_dictionaries({
    "date": st.builds(_day, st.integers(0, 200), st.sampled_from([0, 0, 0, 13])),
    "customer": st.sampled_from(["Acme", "acme", "Zed", "Yon", "Xu"]),
    "amount": amounts, "rep": st.sampled_from(REPS), "product": st.sampled_from(PRODUCTS),
}), max_size=80)
deals = st.lists(st.fixed_dictionaries({
    "owner": st.sampled_from(REPS), "stage": st.sampled_from(STAGES),
    "amount": st.one_of(st.none(), amounts.map(abs)),
    "created": st.builds(_day, st.integers(0, 200), st.just(0)),
    "expected_close": st.one_of(st.none(), st.builds(_day, st.integers(100, 300), st.just(0))),
    "customer": st.sampled_from(["Acme", "Zed", "Yon", None]),
    "product": st.sampled_from(PRODUCTS), "region": st.sampled_from(REGIONS),
}), max_size=40)
goals = st.lists(st.tuples(
    st.sampled_from(["Revenue", "Deals Won", "New Customers", "Pipeline Created"]),
    st.sampled_from(OWNERS), st.sampled_from(PRODUCTS), st.sampled_from(REGIONS),
    st.integers(-40, 260), st.integers(0, 120),
), min_size=1, max_size=25)


def _business(order_rows, deal_rows):
    pipeline = []
    for n, deal in enumerate(deal_rows):
        closed = deal["created"] + timedelta(days=20) if deal["stage"] in ("Won", "Lost") else None
        pipeline.append({**deal, "deal_id": f"D{n}", "closed": closed})
    customers = [dict(customer="Acme", region="North"), dict(customer="Zed", region="south"),
                 dict(customer="Yon")]
    return make_tables(WorkbookSettings(as_of=AS_OF), team=TEAM, customers=customers,
                       orders=order_rows, pipeline=pipeline)


def _keyed(frame, **columns):
    keyed = frame.copy()
    for target, source in columns.items():
        keyed[target] = name_keys(frame[source])
    return keyed


def _in(frame, scope, date_column, start, end):
    """The per-goal reference: mask every row by scope and period."""
    days = pd.to_datetime(frame[date_column])
    return frame[scope.mask(frame) & (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))]


def _reference_frames(tables, revenue):
    """Name-keyed revenue lines, first purchases and deals, built row by row."""
    stages = FunnelStages.from_table(tables.stages)
    customers = tables.customers
    region_of = {name_key(c): name_key(r)
                 for c, r in zip(customers["customer"], customers["region"], strict=True)}
    deals = tables.pipeline.copy()
    deals["stage"] = [clean_text(stage) for stage in deals["stage"]]
    deals["region_name"] = [
        region if isinstance(region, str) and region.strip() else region_of.get(name_key(c))
        for region, c in zip(deals["region"], deals["customer"], strict=True)
    ]
    deals["amount"] = deals["amount"].fillna(0.0)
    deals["probability"] = deals["stage"].map(stages.probabilities)
    deals = _keyed(deals, rep="owner", product="product", region="region_name")
    keyed = dict(rep="rep", product="product", region="region")
    return {
        "Revenue": (_keyed(revenue, **keyed), "date", "amount"),
        "New Customers": (_keyed(first_revenue(revenue), **keyed), "date", None),
        "Deals Won": (deals[deals["stage"].isin(stages.of_type("Won"))], "closed", None),
        "Pipeline Created": (deals, "created", "amount"),
        "open": deals[deals["stage"].isin(stages.of_type("Open"))],
    }


def _reference(frames, metric, scope, start, end):
    frame, date_column, column = frames[metric]
    found = _in(frame, scope, date_column, start, end)
    return float(len(found)) if column is None else float(found[column].sum())


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=60, deadline=None)
@given(order_rows=orders, deal_rows=deals, goal_rows=goals)
def test_all_goals_at_once_equal_each_goal_masked_alone(order_rows, deal_rows, goal_rows):
    tables = _business(order_rows, deal_rows)
    revenue = revenue_lines(tables)
    figures = GoalFigures(tables, revenue)
    frames = _reference_frames(tables, revenue)
    roster = Roster.from_team(tables.team)
    metrics, scopes, starts, ends = [], [], [], []
    for metric, owner, product, region, offset, length in goal_rows:
        metrics.append(metric)
        scopes.append(Scope(roster.scope_reps(owner), name_key(product), name_key(region)))
        starts.append(FIRST + timedelta(days=offset))
        ends.append(starts[-1] + timedelta(days=length))
    found = figures.actuals(metrics, scopes, starts, ends)
    for n, metric in enumerate(metrics):
        assert _same(found[n], _reference(frames, metric, scopes[n], starts[n], ends[n])), n
    weighted, probability = figures.expected_deals(scopes, starts, ends)
    for n, scope in enumerate(scopes):
        deals_in = _in(frames["open"], scope, "expected_close", starts[n], ends[n])
        assert weighted[n] == float((deals_in["amount"] * deals_in["probability"]).sum())
        assert probability[n] == float(deals_in["probability"].sum())


@settings(max_examples=30, deadline=None)
@given(order_rows=orders, deal_rows=deals, goal_rows=goals)
def test_goal_progress_actual_and_forecast_equal_the_per_goal_figures(
    order_rows, deal_rows, goal_rows
):
    rows = [
        dict(owner=owner, metric=metric, product=product, region=region, target=1000.0,
             period_start=FIRST + timedelta(days=offset),
             period_end=FIRST + timedelta(days=offset + length))
        for metric, owner, product, region, offset, length in goal_rows
    ]
    tables = replace(_business(order_rows, deal_rows),
                     goals=make_tables(WorkbookSettings(as_of=AS_OF), goals=rows).goals)
    revenue = revenue_lines(tables)
    frames = _reference_frames(tables, revenue)
    roster = Roster.from_team(tables.team)
    table, _ = goal_progress(tables, revenue)
    for goal, actual, forecast in zip(rows, table["Actual"], table["Forecast"], strict=True):
        scope = Scope(roster.scope_reps(goal["owner"]), name_key(goal["product"]),
                      name_key(goal["region"]))
        start, end, metric = goal["period_start"], goal["period_end"], goal["metric"]
        expected = _reference(frames, metric, scope, start, end)
        assert _same(actual, expected)
        # Forecast (SPEC): Revenue adds amount x probability of the open deals expected
        # from the later of As Of and Period Start to Period End; Deals Won their
        # probabilities; the others divide by the elapsed share
        deals_in = _in(frames["open"], scope, "expected_close", max(AS_OF, start), end)
        share = min(1.0, max(0.0, ((AS_OF - start).days + 1) / ((end - start).days + 1)))
        if metric == "Revenue":
            expected += float((deals_in["amount"] * deals_in["probability"]).sum())
        elif metric == "Deals Won":
            expected += float(deals_in["probability"].sum())
        else:
            expected = expected / share if share > 0 else math.nan
        assert _same(forecast, expected)


def test_many_lines_in_any_order_sum_as_the_masked_frame_does():
    # 3,000 order lines in random day order with amounts in cents: a goal's sum depends on
    # the order its lines are added in, so the lookup must add them in sheet order
    rng = np.random.default_rng(5)
    order_rows = [
        dict(date=_day(int(day), int(hours)), customer=f"C{int(c)}", amount=int(cents) / 100,
             rep=REPS[int(r)], product=PRODUCTS[int(p)])
        for day, hours, c, cents, r, p in zip(
            rng.integers(0, 200, 3000), rng.choice([0, 0, 0, 9], 3000), rng.integers(0, 300, 3000),
            rng.integers(-5_000, 900_000, 3000), rng.integers(0, len(REPS), 3000),
            rng.integers(0, len(PRODUCTS), 3000), strict=True,
        )
    ]
    tables = _business(order_rows, [])
    revenue = revenue_lines(tables)
    figures = GoalFigures(tables, revenue)
    frames = _reference_frames(tables, revenue)
    roster = Roster.from_team(tables.team)
    scopes = [Scope(roster.scope_reps(owner), name_key(product), None)
              for owner in OWNERS for product in PRODUCTS]
    for metric in ("Revenue", "New Customers"):
        for start, end in ((FIRST, FIRST + timedelta(days=89)), (date(2026, 3, 1), AS_OF)):
            found = figures.actuals([metric] * len(scopes), scopes, [start] * len(scopes),
                                    [end] * len(scopes))
            expected = [_reference(frames, metric, scope, start, end) for scope in scopes]
            assert found.tolist() == expected


def test_a_line_with_a_time_of_day_on_period_end_falls_after_it():
    # the period runs from Start to End at midnight, as a frame compares timestamps: an
    # order at 13:00 on Period End is past it; one at midnight is in it
    tables = _business([
        dict(date=datetime(2026, 1, 31, 13), customer="Acme", amount=100.0, rep="Ana"),
        dict(date=datetime(2026, 1, 31), customer="Acme", amount=10.0, rep="Ana"),
        dict(date=datetime(2026, 1, 1, 13), customer="Acme", amount=1.0, rep="Ana"),
    ], [])
    figures = GoalFigures(tables, revenue_lines(tables))
    everyone = Scope(None, None, None)
    january = figures.actuals(["Revenue"], [everyone], [FIRST], [date(2026, 1, 31)])
    assert january.tolist() == [11.0]  # 10 (midnight of the 31st) + 1 (13:00 on the 1st)
    february = figures.actuals(["Revenue"], [everyone], [date(2026, 2, 1)], [date(2026, 2, 28)])
    assert february.tolist() == [0.0]  # 13:00 on Jan 31 is in neither: it is after Jan 31 00:00
