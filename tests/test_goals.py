"""Goal Progress: actual, pacing, forecast, gap, SMART and decomposition (SPEC sections 4-5)."""

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.goals import elapsed_share, goal_progress, pace
from sync.compute.revenue import revenue_lines
from sync.compute.smart import Roster, smart_check
from sync.contract.tables import WorkbookSettings, build_frame, make_tables

AS_OF = date(2026, 11, 15)  # November: 15 of 30 days elapsed, share 0.5
SETTINGS = WorkbookSettings(as_of=AS_OF)
NOV = dict(period_start="2026-11-01", period_end="2026-11-30")
TEAM = [
    dict(rep="Ana", team="East"),
    dict(rep="Bo", team="East"),
    dict(rep="Cy", team="West", active=False),
]


def goal(owner, metric, target, **extra):
    return dict(owner=owner, metric=metric, target=target, **{**NOV, **extra})


GOALS = [
    goal("Company", "Revenue", 6000),  # row 2
    goal("East", "Revenue", 3000),  # row 3
    goal("Ana", "Revenue", 2000, product="pro"),  # row 4
    goal("Ana", "Deals Won", 2),  # row 5
    goal("Ana", "New Customers", 1),  # row 6
    goal("Company", "Pipeline Created", 3000),  # row 7
    goal("Cy", "Revenue", 100),  # row 8
    goal("West", "Revenue", 50),  # row 9
    goal("Company", "Revenue", 1000, period_start="2026-12-01", period_end="2026-12-31"),  # 10
    goal("Bo", "Revenue", 200, period_start="2026-10-01", period_end="2026-10-31"),  # row 11
    goal("Bo", "Revenue", 1000),  # row 12
]


@pytest.fixture
def progress():
    tables = make_tables(
        SETTINGS,
        team=TEAM,
        customers=[dict(customer="Acme", region="North", owner="Ana"), dict(customer="Zed")],
        orders=[
            dict(date="2026-11-03", customer="Acme", amount=1000, rep="Ana", product="Pro"),
            dict(date="2026-11-04", customer="Zed", amount=500, rep="Bo", product="Basic"),
            dict(date="2026-11-05", customer="Acme", amount=-200, rep="Ana", product="Pro"),
            dict(date="2026-10-10", customer="Zed", amount=300, rep="Bo", product="Basic"),
        ],
        pipeline=[
            dict(deal_id="W1", owner="Ana", stage="Won", amount=2000, created="2026-10-01",
                 closed="2026-11-06", product="Pro", customer="Acme"),
            dict(deal_id="O1", owner="Ana", stage="Proposal", amount=4000, created="2026-11-02",
                 expected_close="2026-11-20", product="Pro"),
            dict(deal_id="O2", owner="Bo", stage="Negotiation", amount=1000,
                 created="2026-10-20", expected_close="2026-12-05"),
            dict(deal_id="O3", owner="Bo", stage="Lead", amount=600, created="2026-11-12",
                 expected_close="2026-11-10"),
        ],
        goals=GOALS,
    )
    table, issues = goal_progress(tables, revenue_lines(tables))
    return table.set_index("Goal Row"), issues


def test_columns_and_one_row_per_goal(progress):
    table, _ = progress
    assert list(table.reset_index().columns) == [  # SPEC section 5, in this order
        "Goal Row", "Owner", "Metric", "Product", "Region", "Period Start", "Period End",
        "Target", "Actual", "Attainment", "Expected By Now", "Pace", "Forecast", "Gap", "SMART",
    ]
    assert table.index.tolist() == list(range(2, 2 + len(GOALS)))


def test_company_revenue_goal(progress):
    row = progress[0].loc[2]
    # Actual: orders 1000 + 500 - 200 + Won deal W1 (no order) 2000 = 3300
    assert row["Actual"] == 3300
    assert row["Attainment"] == pytest.approx(3300 / 6000)  # 55%
    # Expected By Now: 6000 x (15 / 30) = 3000; 3300 is 110% of it -> Ahead
    assert row["Expected By Now"] == 3000
    assert row["Pace"] == "Ahead"
    # Forecast: 3300 + O1 (expected 11-20, in the period) 4000 x 50% = 5300. O2 closes in
    # December and O3's Expected Close (11-10) is before As Of: neither counts.
    assert row["Forecast"] == 5300
    assert row["Gap"] == 700  # Target - Forecast: 6000 - 5300
    # previous 30 days (10-02..10-31): 300 of revenue; 6000 > 3 x 300
    assert row["SMART"] == "A: target 6,000 is more than 3x last period's 300"


def test_scopes_team_rep_and_product(progress):
    table, _ = progress
    # East = Ana + Bo: everything, 3300
    assert table.loc[3, "Actual"] == 3300
    # Ana, product "pro" (case-insensitive): 1000 - 200 + W1 2000 = 2800
    assert table.loc[4, "Actual"] == 2800
    # Bo in November: 500
    assert table.loc[12, "Actual"] == 500


def test_region_scope_takes_the_deals_region_else_the_customers():
    # Regions: a line linked to a deal takes the deal's Region; otherwise (an order, or a
    # deal with a blank Region) the customer's Region in Customers. Names compare without
    # case or surrounding spaces.
    tables = make_tables(
        SETTINGS,
        team=TEAM,
        customers=[dict(customer="Acme", region="North"), dict(customer="Zed", region="South")],
        orders=[
            dict(date="2026-11-03", customer="Acme", amount=1000, rep="Ana"),  # North
            dict(date="2026-11-04", customer="Zed", amount=500, rep="Bo"),  # South
            dict(date="2026-11-06", customer="Zed", amount=300, rep="Bo", deal_id="S1"),  # North
        ],
        pipeline=[
            # Won, fulfilled by the 300 order: Zed's deal, but booked in the North region
            dict(deal_id="S1", owner="Bo", stage="Won", amount=300, customer="Zed",
                 region="North", created="2026-10-01", closed="2026-11-05"),
            # open, blank Region: Acme's North
            dict(deal_id="O1", owner="Ana", stage="Proposal", amount=4000, customer="Acme",
                 created="2026-11-02", expected_close="2026-11-20"),
            # open, Region South although Acme is in the North
            dict(deal_id="O2", owner="Ana", stage="Lead", amount=600, customer="Acme",
                 region="South", created="2026-11-05", expected_close="2026-11-25"),
        ],
        goals=[
            goal("Company", "Revenue", 6000, region="north"),  # row 2
            goal("Company", "Deals Won", 2, region="North"),  # row 3
            goal("Company", "Pipeline Created", 5000, region=" NORTH "),  # row 4
            goal("Ana", "Revenue", 2000, region="North"),  # row 5
            goal("Company", "Revenue", 1000, region="South"),  # row 6
        ],
    )
    table, _ = goal_progress(tables, revenue_lines(tables))
    table = table.set_index("Goal Row")
    # North revenue: Acme's 1000 + the 300 order of deal S1 (North) = 1300; Zed's 500 is
    # South. Forecast: 1300 + O1 4000 x 50% = 3300 (O2 is South). Gap 6000 - 3300 = 2700.
    assert table.loc[2, ["Actual", "Forecast", "Gap"]].tolist() == [1300, 3300, 2700]
    assert table.loc[2, "Region"] == "north"
    # Deals Won in the North: S1 (closed 11-05) = 1; forecast + O1's probability 0.5
    assert table.loc[3, ["Actual", "Forecast"]].tolist() == [1, 1.5]
    # Pipeline created in November in the North: O1 4000 (S1 was created in October)
    assert table.loc[4, "Actual"] == 4000
    # Ana in the North: her 1000 order (O1 is not revenue yet); forecast 1000 + 2000
    assert table.loc[5, ["Actual", "Forecast"]].tolist() == [1000, 3000]
    # South: Zed's 500 order; forecast adds O2's 600 x 10% = 60
    assert table.loc[6, ["Actual", "Forecast"]].tolist() == [500, 560]


def test_deals_won_goal(progress):
    row = progress[0].loc[5]
    # W1 closed 11-06; forecast adds O1's probability: 1 + 0.5 = 1.5
    assert row[["Actual", "Expected By Now", "Forecast", "Gap"]].tolist() == [1, 1, 1.5, 0.5]
    # 1 of an expected 2 x 0.5 = 1: between 90% and 110% -> On Track
    assert row["Pace"] == "On Track"


def test_new_customers_goal(progress):
    row = progress[0].loc[6]
    # Acme's first revenue ever is 11-03, credited to Ana; Zed's was in October
    assert row["Actual"] == 1
    # other metrics forecast actual / elapsed share: 1 / 0.5 = 2; Gap 1 - 2 = -1
    assert row["Forecast"] == 2
    assert row["Gap"] == -1


def test_pipeline_created_goal(progress):
    row = progress[0].loc[7]
    # created in November: O1 4000 + O3 600 = 4600; forecast 4600 / 0.5 = 9200
    assert row["Actual"] == 4600
    assert row["Forecast"] == 9200
    # previous 30 days: O2 1000 created 10-20 (W1 on 10-01 is outside); 3000 <= 3 x 1000
    assert row["SMART"] == "OK"


def test_pace_before_and_after_the_period(progress):
    table, _ = progress
    december, october = table.loc[10], table.loc[11]
    assert december["Pace"] == "Not Started"
    assert december["Expected By Now"] == 0
    # O2 is expected on 12-05: 1000 x 75% = 750
    assert december["Forecast"] == 750
    # October is over: 300 >= 200 -> Done; no deal can still close in it
    assert october[["Actual", "Pace", "Forecast", "Gap"]].tolist() == [300, "Done", 300, -100]


def test_smart_realistic_owner(progress):
    table, _ = progress
    assert table.loc[8, "SMART"] == "R: rep Cy is not active"
    assert table.loc[9, "SMART"] == "R: team West has no active reps"


def test_decomposition_warnings_name_both_sums(progress):
    _, issues = progress
    assert [(issue.tab, issue.row, issue.severity) for issue in issues] == [
        ("Goals", 2, "Warning"), ("Goals", 3, "Warning"),
    ]
    # Company 6000 vs its teams East 3000 + West 50 = 3050 (Cy's 100 is West's member goal,
    # and covers West's 50: no warning for West). East 3000 vs Bo 1000 (Ana's goal is for
    # product Pro only: another scope).
    assert issues[0].problem == (
        "Company's Revenue goal for 2026-11-01 to 2026-11-30 is 6,000, but its members' goals "
        "add up to only 3,050 (East 3,000 + West 50): raise the members' goals or lower this one."
    )
    assert "is 3,000, but its members' goals add up to only 1,000 (Bo 1,000)" in issues[1].problem


ROSTER = Roster.from_team(build_frame("Team", TEAM))
D1, D2 = date(2026, 11, 1), date(2026, 11, 30)


@pytest.mark.parametrize(
    ("owner", "metric", "target", "start", "end", "previous", "expected"),
    [
        ("Ana", "Revenue", 100.0, D1, D2, math.nan, "OK"),
        ("company", "Revenue", 100.0, D1, D2, math.nan, "OK"),
        ("Zoe", "Revenue", 100.0, D1, D2, math.nan,
         'S: owner "Zoe" is not a rep in Team, a team or Company'),
        (None, None, 100.0, D1, D2, math.nan, "S: no owner; S: no metric"),
        ("Ana", "Profit", 100.0, D1, D2, math.nan,
         'S: metric "Profit" is not one of Revenue, Deals Won, New Customers, Pipeline Created'),
        ("Ana", "Revenue", math.nan, D1, D2, math.nan, "M: no target"),
        ("Ana", "Revenue", 0.0, D1, D2, math.nan, "M: target 0 is not a positive number"),
        ("Ana", "Revenue", 450000.0, D1, D2, 120000.0,
         "A: target 450,000 is more than 3x last period's 120,000"),
        ("Ana", "Revenue", 360000.0, D1, D2, 120000.0, "OK"),  # exactly 3x is fine
        ("Ana", "Revenue", 450000.0, D1, D2, 0.0, "OK"),  # nothing last period: not judged
        ("Cy", "Revenue", 100.0, D1, D2, math.nan, "R: rep Cy is not active"),
        ("Ana", "Revenue", 100.0, None, D2, math.nan, "T: no period start"),
        ("Ana", "Revenue", 100.0, D2, D1, math.nan,
         "T: period end 2026-11-01 is not after period start 2026-11-30"),
        ("Ana", "Revenue", 100.0, D1, D1, math.nan,
         "T: period end 2026-11-01 is not after period start 2026-11-01"),
    ],
)
def test_smart_check(owner, metric, target, start, end, previous, expected):
    assert smart_check(owner, metric, target, start, end, ROSTER, previous) == expected


def test_elapsed_share_counts_both_ends():
    # 11-01..11-30 at 11-15: (14 + 1) / (29 + 1) = 0.5; on the first day 1/30
    assert elapsed_share(D1, D2, AS_OF) == 0.5
    assert elapsed_share(D1, D2, D1) == pytest.approx(1 / 30)
    assert elapsed_share(D1, D2, date(2026, 10, 1)) == 0
    assert elapsed_share(D1, D2, date(2026, 12, 25)) == 1


@pytest.mark.parametrize(
    ("actual", "as_of", "expected_pace"),
    [
        (50, date(2026, 10, 31), "Not Started"),
        (89, AS_OF, "Behind"),  # expected 100 (200 x 0.5): 89% of it
        (90, AS_OF, "On Track"),
        (110, AS_OF, "Ahead"),
        (199, D2, "Missed"),  # on Period End the period counts as over
        (200, D2, "Done"),
    ],
)
def test_pace_thresholds(actual, as_of, expected_pace):
    target = 200.0
    expected = target * elapsed_share(D1, D2, as_of)
    assert pace(actual, target, expected, D1, D2, as_of) == expected_pace


@settings(max_examples=40, deadline=None)
@given(
    amounts=st.lists(st.floats(min_value=-500, max_value=5000, allow_nan=False), max_size=15),
    target=st.floats(min_value=1, max_value=1e6, allow_nan=False),
)
def test_company_revenue_actual_is_all_revenue_in_the_period(amounts, target):
    orders = [dict(date=f"2026-11-{1 + i % 28:02d}", amount=amount, rep="Ana", customer=f"C{i}")
              for i, amount in enumerate(amounts)]
    tables = make_tables(SETTINGS, team=TEAM, orders=orders,
                         goals=[goal("Company", "Revenue", target), goal("Ana", "Revenue", target)])
    table, _ = goal_progress(tables, revenue_lines(tables))
    # Company and Ana (the only rep credited) see the same revenue: the sum of the orders
    assert table["Actual"].tolist() == pytest.approx([sum(amounts)] * 2)
    assert table["Attainment"].tolist() == pytest.approx([sum(amounts) / target] * 2)
    assert set(table["Pace"]) <= {"Ahead", "On Track", "Behind"}


def test_new_customer_on_a_tie_goes_to_the_won_deal_then_the_lower_row():
    # New's first day 11-03 has an order by Bo (row 2) and a Won deal by Ana with no order:
    # the deal's line comes first, as for the New Customer Bonus -> Ana 1, Bo 0.
    tables = make_tables(
        SETTINGS, team=TEAM,
        orders=[dict(date="2026-11-03", customer="New", amount=100, rep="Bo")],
        pipeline=[dict(deal_id="W9", owner="Ana", stage="Won", amount=50, customer="New",
                       created="2026-10-01", closed="2026-11-03")],
        goals=[goal("Ana", "New Customers", 1), goal("Bo", "New Customers", 1)],
    )
    table, _ = goal_progress(tables, revenue_lines(tables))
    assert table["Actual"].tolist() == [1, 0]
