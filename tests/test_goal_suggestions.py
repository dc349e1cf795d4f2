"""Goal Suggestions: next period's Revenue target per active rep (SPEC section 5).

Every expected figure is worked out by hand in the comment or expression beside it.
"""

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.compute.goal_history import (
    estimate,
    history_periods,
    next_period,
    ramp_share,
)
from sync.compute.goal_split import split_to_cents
from sync.compute.goal_suggestions import goal_suggestions
from sync.compute.revenue import revenue_lines
from sync.contract.tables import WorkbookSettings, make_tables
from sync.schema import tab_headers

GOAL_SUGGESTIONS_HEADERS = tab_headers("Goal Suggestions")

AS_OF = date(2026, 11, 30)  # November is over: history runs to 2026-11, suggestions for 2026-12
MONTHLY = WorkbookSettings(as_of=AS_OF)
TEAM = [
    dict(rep="Ana", team="East", start_date="2020-01-06"),
    dict(rep="Bo", team="East"),
    dict(rep="Cy", team="West", start_date="2026-10-15"),  # month 3 of 6 by December
    dict(rep="Dee", team="West", active=False),
]
ORDERS = [
    dict(date="2026-09-01", customer="Acme", amount=1000, rep="Ana", product="Pro"),
    dict(date="2026-10-05", customer="Acme", amount=2000, rep="Ana", product="Basic"),
    dict(date="2026-11-05", customer="Acme", amount=3000, rep="Ana", product="Pro"),
    dict(date="2026-09-10", customer="Zed", amount=1000, rep="Bo"),
    dict(date="2026-10-10", customer="Zed", amount=1000, rep="Bo"),
    dict(date="2026-11-10", customer="Zed", amount=1000, rep="Bo"),
    dict(date="2026-11-20", customer="Zed", amount=200, rep="Cy"),
    dict(date="2026-11-21", customer="Zed", amount=5000, rep="Dee"),
]


def suggest(tables) -> pd.DataFrame:
    return goal_suggestions(tables, revenue_lines(tables))


def row_of(table: pd.DataFrame, owner: str, product=None, region=None) -> pd.Series:
    keep = table["Owner"] == owner
    keep &= table["Product"].isna() if product is None else table["Product"] == product
    keep &= table["Region"].isna() if region is None else table["Region"] == region
    assert keep.sum() == 1, table
    return table[keep].iloc[0]


@pytest.fixture
def table() -> pd.DataFrame:
    goals = [dict(owner="Ana", metric="Revenue", target=900, product="Pro",
                  period_start="2026-10-01", period_end="2026-10-31")]
    return suggest(make_tables(MONTHLY, team=TEAM, orders=ORDERS, goals=goals))


def test_one_row_per_active_rep_and_scoped_goal_for_the_next_period(table):
    assert list(table.columns) == GOAL_SUGGESTIONS_HEADERS
    assert list(zip(table["Owner"], table["Product"].fillna(""), strict=True)) == [
        ("Ana", ""), ("Ana", "Pro"), ("Bo", ""), ("Cy", ""),  # Dee is not active
    ]
    assert set(table["Metric"]) == {"Revenue"}
    assert set(table["Period Start"]) == {pd.Timestamp("2026-12-01")}
    assert set(table["Period End"]) == {pd.Timestamp("2026-12-31")}


def test_lumpy_revenue_with_less_than_two_years_takes_the_median(table):
    ana = row_of(table, "Ana")
    # 1,000, 2,000, 3,000: average 2,000; population standard deviation
    # sqrt((1,000^2 + 0 + 1,000^2) / 3) = 816.50, more than 0.4 x 2,000 = 800: lumpy, so the
    # median of the last 3 periods (there are only 3): 2,000
    spread = round(math.sqrt((1000**2 + 0 + 1000**2) / 3), 2)
    assert spread == 816.5 > 0.4 * 2000
    assert ana["Suggested Target"] == 2000
    assert (ana["Low"], ana["High"]) == (2000 - 816.5, 2000 + 816.5)
    assert ana["Basis"] == (
        "median of the last 3 periods (less than two years of history; lumpy revenue: the "
        "standard deviation 816.50 of the last 3 periods is more than 0.4 x their average "
        "2,000): median of 2026-09 1,000, 2026-10 2,000, 2026-11 3,000 = 2,000; "
        "Low and High: 2,000 -/+ 816.50, the standard deviation of the last 3 periods"
    )


def test_the_median_looks_at_the_last_four_periods():
    labels = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    values = [9000.0, 1000.0, 1000.0, 8000.0, 1000.0, 2000.0]
    found = estimate(labels, values, "Month", "2025-12")
    # last 6 (fewer than 12): average 22,000 / 6 = 3,666.67; deviations 5,333.33, -2,666.67
    # x3, 4,333.33, -1,666.67: variance (28,444,444 + 3 x 7,111,111 + 18,777,778 +
    # 2,777,778) / 6 = 71,333,333 / 6; standard deviation 3,448.03 > 0.4 x 3,666.67 = 1,466.67
    band = math.sqrt((5333.33**2 + 3 * 2666.67**2 + 4333.33**2 + 1666.67**2) / 6)
    assert round(found.spread) == round(band) == 3448
    # median of the last 4: 1,000, 8,000, 1,000, 2,000 -> sorted 1,000 1,000 2,000 8,000
    # -> (1,000 + 2,000) / 2 = 1,500; the 9,000 of 2026-06 is too old to count
    assert found.value == 1500
    assert found.basis.endswith(
        "median of 2026-08 1,000, 2026-09 8,000, 2026-10 1,000, 2026-11 2,000 = 1,500")


def test_steady_revenue_with_less_than_two_years_weighs_the_latest_period_double():
    found = estimate(["2026-08", "2026-09", "2026-10", "2026-11"], [1000, 1100, 1200, 1500],
                     "Month", "2025-12")
    # average 1,200; deviations -200, -100, 0, 300: sqrt(140,000 / 4) = 187.08, below
    # 0.4 x 1,200 = 480: steady, so (2026-10 1,200 + 2 x 2026-11 1,500) / 3 = 4,200 / 3
    assert round(found.spread, 2) == round(math.sqrt(140000 / 4), 2) == 187.08
    assert found.value == 1400
    assert found.basis == (
        "the last 2 periods, the latest counting twice (less than two years of history): "
        "(2026-10 1,200 + 2 x 2026-11 1,500) / 3 = 1,400")
    one = estimate(["2026-11"], [700.0], "Month", "2025-12")
    assert (one.value, one.spread) == (700, 0)  # one period: that period, no spread
    assert one.basis == "the last period (less than two years of history): 2026-11 700"


def test_a_row_per_product_the_reps_goals_are_scoped_by(table):
    pro = row_of(table, "Ana", product="Pro")
    # Pro only: 1,000 in 2026-09, nothing in 2026-10, 3,000 in 2026-11: average 1,333.33,
    # standard deviation sqrt((333.33^2 + 1,333.33^2 + 1,666.67^2) / 3) = 1,247.22 > 533.33:
    # lumpy, the median of 1,000, 0, 3,000 = 1,000
    assert 1247.2 < math.sqrt((333.33**2 + 1333.33**2 + 1666.67**2) / 3) < 1247.3
    assert pro["Suggested Target"] == 1000


def test_ramp_for_a_rep_who_started_recently(table):
    cy = row_of(table, "Cy")
    # established reps' suggestions: Ana 2,000, Bo 1,000 -> median 1,500;
    # started 2026-10-15: October, November, December = month 3 of 6 -> 3/6 x 1,500 = 750
    assert cy["Suggested Target"] == 750
    assert cy["Basis"].startswith(
        "new rep (started 2026-10-15, month 3 of 6 by 2026-12): 3/6 x 1,500 (the median "
        "suggestion of established reps) = 750; own history: median of the last 2 periods"
    )


def test_open_pipeline_expected_in_the_period_is_a_floor():
    pipeline = [
        dict(deal_id="D1", owner="Bo", stage="Proposal", amount=10000, created="2026-11-01",
             expected_close="2026-12-10"),  # 10,000 x 50% = 5,000 in December
        dict(deal_id="D2", owner="Bo", stage="Lead", amount=10000, created="2026-11-01",
             expected_close="2027-01-10"),  # January: not counted
    ]
    tables = make_tables(MONTHLY, team=TEAM, orders=ORDERS, pipeline=pipeline)
    bo = row_of(suggest(tables), "Bo")
    assert bo["Suggested Target"] == 5000  # history alone: (1,000 + 2 x 1,000) / 3
    assert (bo["Low"], bo["High"]) == (5000, 5000)  # Bo's months show no spread
    assert "raised to the open pipeline expected to close in 2026-12: 1 deal weighted " \
        "5,000" in bo["Basis"]


def test_a_row_per_region_takes_the_customers_region():
    goals = [dict(owner="Bo", metric="Deals Won", target=2, region="north",
                  period_start="2026-12-01", period_end="2026-12-31")]
    customers = [dict(customer="Zed", region="North"), dict(customer="Acme", region="South")]
    table = suggest(make_tables(MONTHLY, team=TEAM, orders=ORDERS, goals=goals,
                                customers=customers))
    north = row_of(table, "Bo", region="north")  # as the goal writes it
    assert north["Suggested Target"] == 1000  # Zed is North: (1,000 + 2 x 1,000) / 3
    assert len(table) == 4  # Ana, Bo, Bo x north, Cy


def months_of_orders(rep: str, first: date, amounts: list[float]) -> list[dict]:
    """One order on the 1st of each month from `first`, with these amounts."""
    rows, day = [], first
    for amount in amounts:
        rows.append(dict(date=day.isoformat(), customer="Acme", amount=amount, rep=rep))
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return rows


def test_same_period_a_year_earlier_times_trend_with_two_years():
    # 2024-12 .. 2026-11 (24 months): 1,000 a month, but 5,000 in 2025-12 and 1,200 in
    # 2026-09 .. 2026-11
    amounts = [1000.0] * 24
    amounts[12] = 5000.0  # 2025-12
    amounts[21:24] = [1200.0] * 3
    tables = make_tables(MONTHLY, team=[dict(rep="Ana")],
                         orders=months_of_orders("Ana", date(2024, 12, 1), amounts))
    ana = row_of(suggest(tables), "Ana")
    # 2025-12 5,000 x (3,600 / 3,000) = 5,000 x 1.2 = 6,000
    assert ana["Suggested Target"] == 6000
    assert ana["Basis"].startswith(
        "2025-12 5,000 (the same period a year earlier) x (3,600 / 3,000) (last 3 periods "
        "2026-09, 2026-10, 2026-11 against the same 3 a year earlier) = 6,000; "
    )
    # spread over the last 12 months: 5,000, eight of 1,000, three of 1,200; mean 16,600/12
    mean = 16600 / 12
    spread = math.sqrt(((5000 - mean) ** 2 + 8 * (1000 - mean) ** 2 + 3 * (1200 - mean) ** 2)
                       / 12)
    assert ana["High"] == round(6000 + round(spread, 2), 2) == 7093.8


def test_a_trend_beyond_doubling_is_kept_at_two():
    amounts = [100.0] * 21 + [1000.0] * 3  # last 3: 3,000 against 300 a year earlier
    tables = make_tables(MONTHLY, team=[dict(rep="Ana")],
                         orders=months_of_orders("Ana", date(2024, 12, 1), amounts))
    ana = row_of(suggest(tables), "Ana")
    assert ana["Suggested Target"] == 200  # 2025-12 100 x 2 (3,000 / 300 = 10, capped)
    assert "x 2 (trend 3,000 / 300 = 10.00, kept within 0.5 and 2)" in ana["Basis"]


def test_quarters_follow_the_fiscal_year_and_the_partial_first_quarter_is_left_out():
    quarterly = WorkbookSettings(as_of=date(2026, 10, 15), period="Quarter",
                                 fiscal_year_start=4)
    orders = [
        dict(date="2026-01-20", customer="A", amount=999, rep="Ana"),  # 2025-Q4, begun inside
        dict(date="2026-04-02", customer="A", amount=3000, rep="Ana"),  # 2026-Q1
        dict(date="2026-08-02", customer="A", amount=5000, rep="Ana"),  # 2026-Q2
        dict(date="2026-10-02", customer="A", amount=7000, rep="Ana"),  # 2026-Q3, not over
    ]
    ana = row_of(suggest(make_tables(quarterly, team=[dict(rep="Ana")], orders=orders)), "Ana")
    assert (ana["Period Start"], ana["Period End"]) == (
        pd.Timestamp("2027-01-01"), pd.Timestamp("2027-03-31"))  # 2026-Q4 of an April year
    # 3,000 and 5,000: standard deviation 1,000, not more than 0.4 x their average 4,000:
    # steady, so (2026-Q1 3,000 + 2 x 2026-Q2 5,000) / 3 = 13,000 / 3 = 4,333.33
    assert ana["Suggested Target"] == 4333.33


def top_down(goals: list[dict]) -> pd.DataFrame:
    dec = dict(metric="Revenue", period_start="2026-12-01", period_end="2026-12-31")
    return suggest(make_tables(MONTHLY, team=TEAM, orders=ORDERS,
                               goals=[{**dec, **goal} for goal in goals]))


def test_a_company_goal_is_split_by_share_after_members_own_goals():
    table = top_down([dict(owner="Company", target=10000), dict(owner="Ana", target=2000)])
    # 10,000 - Ana's own 2,000 = 8,000 between Bo and Cy. Bo's last periods: 3,000;
    # Cy is new: Bo's 3,000 (the members' average) x 3/6 = 1,500; 4,500 in all.
    # Bo 8,000 x 3,000 / 4,500 = 5,333.333 -> 5,333.33; Cy 8,000 x 1,500 / 4,500 = 2,666.667
    # -> 2,666.66 + the one cent left over (largest remainder .667) = 2,666.67
    bo, cy = row_of(table, "Bo"), row_of(table, "Cy")
    assert (bo["Suggested Target"], cy["Suggested Target"]) == (5333.33, 2666.67)
    assert round(2000 + bo["Suggested Target"] + cy["Suggested Target"], 2) == 10000
    assert bo["Basis"].startswith(
        "Company's Revenue goal 10,000 for 2026-12 less members' own goals 2,000 split by "
        "share of revenue in the last 3 periods (2026-09 to 2026-11): 8,000 x 3,000 / "
        "4,500 = 5,333.33 (largest-remainder rounding to the cent); from history alone 1,000"
    )
    assert row_of(table, "Ana")["Suggested Target"] == 2000  # Ana's own history, not split
    assert bo["Low"] <= bo["Suggested Target"] <= bo["High"]


def test_a_team_goal_is_split_among_its_active_reps_to_the_cent():
    table = top_down([dict(owner="East", target=10000.01)])
    # Ana 6,000 and Bo 3,000 of 9,000: 1,000,001 cents x 6/9 = 666,667.33 and 333,333.67;
    # floors 666,667 + 333,333 leave 1 cent, to Bo (.67 > .33)
    assert row_of(table, "Ana")["Suggested Target"] == 6666.67
    assert row_of(table, "Bo")["Suggested Target"] == 3333.34
    assert row_of(table, "Cy")["Basis"].startswith("new rep")  # West is not split


def test_the_company_goal_is_not_split_to_reps_when_teams_have_goals():
    table = top_down([dict(owner="Company", target=10000), dict(owner="West", target=800)])
    assert row_of(table, "Ana")["Suggested Target"] == 2000  # history, not a share
    assert row_of(table, "Cy")["Suggested Target"] == 800  # West's only active rep
    assert row_of(table, "Cy")["Basis"].startswith("West's Revenue goal 800 for 2026-12 ")


def test_a_scoped_company_goal_adds_rows_in_its_scope():
    table = top_down([dict(owner="Company", target=400, product="Pro")])
    # Pro in the last periods: Ana 4,000, Bo 0; Cy new: (4,000 + 0) / 2 x 3/6 = 1,000
    # 400 x 4,000 / 5,000 = 320; Bo 0; Cy 400 x 1,000 / 5,000 = 80
    assert [row_of(table, rep, product="Pro")["Suggested Target"] for rep in
            ("Ana", "Bo", "Cy")] == [320, 0, 80]


def test_no_history_no_team_and_no_orders_give_an_empty_tab_or_zero():
    assert suggest(make_tables(MONTHLY)).empty
    lone = row_of(suggest(make_tables(MONTHLY, team=[dict(rep="Ana")])), "Ana")
    assert (lone["Suggested Target"], lone["Low"], lone["High"]) == (0, 0, 0)
    assert lone["Basis"].startswith("no complete period of history")


@pytest.mark.parametrize(
    ("first_day", "as_of", "labels"),
    [
        (date(2026, 9, 1), date(2026, 11, 30), ["2026-09", "2026-10", "2026-11"]),
        (date(2026, 9, 2), date(2026, 11, 30), ["2026-10", "2026-11"]),  # September partial
        (date(2026, 9, 1), date(2026, 11, 29), ["2026-09", "2026-10"]),  # November not over
        (None, date(2026, 11, 30), []),
    ],
)
def test_history_periods(first_day, as_of, labels):
    assert [p.label for p in history_periods(first_day, as_of, "Month", 1)] == labels


def test_next_period_and_ramp_share():
    assert next_period(date(2026, 12, 31), "Month", 1).label == "2027-01"
    assert next_period(date(2026, 11, 15), "Quarter", 1).label == "2027-Q1"
    assert ramp_share(date(2026, 12, 31), date(2026, 12, 31)) == 1 / 6  # month 1 of 6
    assert ramp_share(date(2026, 7, 1), date(2026, 12, 31)) is None  # month 6: full
    assert ramp_share(date(2027, 2, 1), date(2026, 12, 31)) == 0  # not started yet
    assert ramp_share(None, date(2026, 12, 31)) is None


def test_split_to_cents_hands_leftover_cents_to_the_largest_remainders():
    # 100.00 in three equal parts: 33.33 each and the cent left to the first listed
    assert split_to_cents(100, {"a": 1, "b": 1, "c": 1}) == {"a": 33.34, "b": 33.33, "c": 33.33}
    assert split_to_cents(10, {"a": 0, "b": 0}) == {"a": 5, "b": 5}  # nothing to share by
    assert split_to_cents(10, {"a": -5, "b": 1}) == {"a": 0, "b": 10}  # net refunds weigh 0


@given(
    total=st.floats(min_value=0, max_value=1e9, allow_nan=False),
    weights=st.lists(st.floats(min_value=-1e6, max_value=1e9, allow_nan=False), min_size=1,
                     max_size=12),
)
def test_a_split_always_adds_up_to_the_goal_to_the_cent(total, weights):
    parts = split_to_cents(total, {f"rep {i}": w for i, w in enumerate(weights)})
    assert sum(round(part * 100) for part in parts.values()) == round(total * 100)
    assert all(part >= 0 for part in parts.values())


REPS = ["Ana", "Bo", "Cy", "Dee"]


@st.composite
def awkward_tables(draw):
    as_of = draw(st.dates(date(2024, 1, 1), date(2027, 12, 31)))
    period = draw(st.sampled_from(["Month", "Quarter"]))
    team = [
        dict(rep=rep, team=draw(st.sampled_from(["East", "West", None])),
             active=draw(st.booleans()),
             start_date=draw(st.none() | st.dates(as_of - timedelta(days=400),
                                                  as_of + timedelta(days=100))))
        for rep in REPS
    ]
    orders = [
        dict(date=draw(st.dates(as_of - timedelta(days=900), as_of)), customer="C",
             amount=draw(st.floats(min_value=-5000, max_value=50000, allow_nan=False)),
             rep=draw(st.sampled_from([*REPS, "Stranger", None])),
             product=draw(st.sampled_from(["Pro", "Basic", None])))
        for _ in range(draw(st.integers(0, 25)))
    ]
    upcoming = next_period(as_of, period, 1)
    goals = [
        dict(owner=draw(st.sampled_from(["Company", "East", "West", *REPS])), metric="Revenue",
             target=draw(st.floats(min_value=0.01, max_value=1e7, allow_nan=False)),
             period_start=upcoming.start.isoformat(), period_end=upcoming.end.isoformat(),
             product=draw(st.sampled_from([None, "Pro"])),
             region=draw(st.sampled_from([None, "North"])))
        for _ in range(draw(st.integers(0, 3)))
    ]
    return make_tables(WorkbookSettings(as_of=as_of, period=period), team=team, orders=orders,
                       goals=goals)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=awkward_tables())
def test_low_at_most_suggested_at_most_high_on_awkward_tables(tables):
    table = suggest(tables)
    assert list(table.columns) == GOAL_SUGGESTIONS_HEADERS
    assert (table["Low"] <= table["Suggested Target"]).all()
    assert (table["Suggested Target"] <= table["High"]).all()
    assert (table["Low"] >= 0).all()
    assert table["Basis"].map(lambda text: isinstance(text, str) and text != "").all()


@settings(max_examples=60, deadline=None)
@given(
    target=st.floats(min_value=0.01, max_value=1e8, allow_nan=False),
    amounts=st.lists(st.floats(min_value=-1000, max_value=1e6, allow_nan=False), min_size=4,
                     max_size=4),
    starts=st.lists(st.none() | st.dates(date(2026, 6, 1), date(2027, 2, 1)), min_size=4,
                    max_size=4),
)
def test_a_company_goal_split_adds_up_exactly(target, amounts, starts):
    team = [dict(rep=rep, start_date=start) for rep, start in zip(REPS, starts, strict=True)]
    orders = [dict(date="2026-10-10", customer="C", amount=amount, rep=rep)
              for rep, amount in zip(REPS, amounts, strict=True)]
    goals = [dict(owner="Company", metric="Revenue", target=target,
                  period_start="2026-12-01", period_end="2026-12-31")]
    table = suggest(make_tables(MONTHLY, team=team, orders=orders, goals=goals))
    cents = sum(round(value * 100) for value in table["Suggested Target"])
    assert cents == round(target * 100)


def test_the_readme_example_is_what_the_demo_suggests_on_its_day():
    import re
    from datetime import datetime
    from pathlib import Path

    from sync.demo.workbook import demo_grids
    from sync.engine import compute_tabs
    from sync.read import validate_workbook

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("The demo's `Goal Suggestions` tab on its As Of day"):]
    shown = re.findall(r"^\| ([A-Z][a-z]+ [A-Z][a-z]+) \| \$([\d,.]+) \| \$([\d,.]+) \| "
                       r"\$([\d,.]+) \|$", example, re.MULTILINE)
    as_of = date(2026, 11, 26)
    tables, issues = validate_workbook(demo_grids(today=as_of), today=as_of)
    computed = compute_tabs(tables, issues, datetime(2026, 11, 26, 9, 30))
    output = next(output for output in computed.outputs if output.name == "Goal Suggestions")
    table = pd.DataFrame(output.rows, columns=output.headers)
    assert shown == [
        (row["Owner"], f"{row['Suggested Target']:,.2f}", f"{row['Low']:,.2f}",
         f"{row['High']:,.2f}")
        for _, row in table.iterrows()
    ]
    basis = " ".join(example.split("Ana Ruiz's `Basis`: `", 1)[1].split("`", 1)[0].split())
    assert basis == table.loc[table["Owner"] == "Ana Ruiz", "Basis"].item()


def test_mid_period_as_of_takes_the_year_earlier_of_the_period_after_the_current_one():
    # As Of 2026-11-15: November is not over, history is 2024-11 .. 2026-10 (24 months) and
    # the suggestion is for 2026-12, whose year-earlier period is 2025-12 (not 2025-11)
    amounts = [1000.0] * 24
    amounts[13] = 5000.0  # 2025-12
    amounts[21:24] = [1200.0] * 3  # 2026-08 .. 2026-10
    tables = make_tables(WorkbookSettings(as_of=date(2026, 11, 15)), team=[dict(rep="Ana")],
                         orders=months_of_orders("Ana", date(2024, 11, 1), amounts))
    ana = row_of(suggest(tables), "Ana")
    assert ana["Suggested Target"] == 6000  # 2025-12 5,000 x (3,600 / 3,000)
    assert ana["Basis"].startswith("2025-12 5,000 (the same period a year earlier) x ")
