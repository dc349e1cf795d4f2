"""The Dashboard: key figures in SPEC order, chart data, and the tab's layout with 3 charts."""

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.dashboard import DashboardData, dashboard, net_promoter_score, revenue_chart
from sync.compute.funnel import funnel
from sync.compute.goals import goal_progress
from sync.compute.revenue import revenue_lines
from sync.contract.tables import WorkbookSettings, make_tables
from sync.schema import computed_tabs, tab_headers
from sync.write.dashboard_layout import CHART_ROWS, dashboard_output

LOG_HEADERS = tab_headers("Stage Log")

AS_OF = date(2026, 11, 15)
SETTINGS = WorkbookSettings(as_of=AS_OF)
KPI_ORDER = [
    "Revenue This Period", "Revenue Goal Attainment", "Win Rate", "Average Deal Size",
    "Sales Cycle Days", "Sales Velocity Per Day", "Open Pipeline", "Weighted Pipeline",
    "Pipeline Coverage", "Stuck Deals", "Customers At Risk", "NPS", "Data Issues",
]


def won(deal_id, amount, created, closed):
    return dict(deal_id=deal_id, owner="Ana", stage="Won", amount=amount, created=created,
                closed=closed)


def make_example_tables(goal_target=8000.0):
    return make_tables(
        SETTINGS,
        team=[dict(rep="Ana"), dict(rep="Bo")],
        pipeline=[
            won("W1", 1000, "2026-10-01", "2026-10-31"),  # 30 days
            won("W2", 3000, "2026-06-01", "2026-07-21"),  # 50 days
            won("W3", 9999, "2025-10-01", "2025-11-15"),  # 365 days before As Of: outside
            dict(deal_id="L1", owner="Bo", stage="Lost", created="2026-08-01",
                 closed="2026-09-01"),
            dict(deal_id="L2", owner="Bo", stage="Lost", created="2025-10-01",
                 closed="2025-11-16"),  # 364 days before As Of: inside
            dict(deal_id="O1", owner="Ana", stage="Proposal", amount=4000, created="2026-11-01"),
            dict(deal_id="O2", owner="Bo", stage="Lead", amount=1000, created="2026-11-01"),
        ],
        orders=[
            dict(date="2026-11-03", amount=500, customer="A", rep="Ana"),
            dict(date="2026-11-10", amount=1500, customer="B", rep="Bo"),
        ],
        customers=[dict(customer=name, nps=nps) for name, nps in
                   [("A", 10), ("B", 9), ("C", 7), ("D", 3), ("E", None)]],
        goals=[dict(owner="Company", metric="Revenue", period_start="2026-11-01",
                    period_end="2026-11-30", target=goal_target)],
    )


COMMISSIONS = pd.DataFrame({
    "Rep": ["Bo", "Ana", "Ana", "Cy"],
    "Period": ["2026-11", "2026-11", "2026-10", "2026-11"],
    "Attainment": [0.5, 1.2, 0.9, math.nan],
})
HEALTH = pd.DataFrame({"Status": ["Stuck", "OK", "Stuck", "Overdue"]})
SEGMENTS = pd.DataFrame({"Lifecycle": ["At Risk", "Active", "At Risk", "Churned"]})


def build(tables):
    revenue = revenue_lines(tables)
    log = pd.DataFrame(columns=LOG_HEADERS)
    goals, _ = goal_progress(tables, revenue)
    return dashboard(tables, revenue, funnel(tables, log), HEALTH, goals, COMMISSIONS, SEGMENTS, 7)


@pytest.fixture
def data():
    return build(make_example_tables())


def kpi(data, name, column="Value"):
    return data.kpis.set_index("KPI").loc[name, column]


def test_kpis_in_spec_order_with_a_type_each(data):
    assert data.kpis["KPI"].tolist() == KPI_ORDER
    assert list(data.kpis.columns) == ["KPI", "Value", "Target", "Status", "Type"]
    assert set(data.kpis["Type"]) <= {"money", "percent", "number", "integer"}


def test_revenue_this_period_against_the_company_goal(data):
    # November: orders 500 + 1500 = 2000 (W1 closed on 10-31, in October)
    assert kpi(data, "Revenue This Period") == 2000
    assert kpi(data, "Revenue This Period", "Target") == 8000
    # expected by now 8000 x 15/30 = 4000; 2000 is 50% of it -> Behind
    assert kpi(data, "Revenue This Period", "Status") == "Behind"
    assert kpi(data, "Revenue Goal Attainment") == 0.25  # 2000 / 8000
    assert kpi(data, "Revenue Goal Attainment", "Target") == 1.0


def test_closed_deal_figures_over_the_last_365_days(data):
    # window 2025-11-16..2026-11-15: W1, W2 won; L1, L2 lost; W3 (2025-11-15) outside
    assert kpi(data, "Win Rate") == 0.5  # 2 / (2 + 2)
    assert kpi(data, "Average Deal Size") == 2000  # (1000 + 3000) / 2
    assert kpi(data, "Sales Cycle Days") == 40  # (30 + 50) / 2
    # 2 open deals x 0.5 x 2000 / 40 days = 50 per day
    assert kpi(data, "Sales Velocity Per Day") == 50


def test_pipeline_figures(data):
    assert kpi(data, "Open Pipeline") == 5000  # 4000 + 1000
    assert kpi(data, "Weighted Pipeline") == 2100  # 4000 x 50% + 1000 x 10%
    # open pipeline over what is left of the goal: 5000 / (8000 - 2000)
    assert kpi(data, "Pipeline Coverage") == pytest.approx(5000 / 6000)


def test_counts_and_nps(data):
    assert kpi(data, "Stuck Deals") == 2
    assert kpi(data, "Customers At Risk") == 2
    # NPS over the 4 answers: promoters 10, 9 (2), detractor 3 (1): (2 - 1) / 4 = +25
    assert kpi(data, "NPS") == 25
    assert kpi(data, "Data Issues") == 7


def test_no_goal_leaves_target_status_and_coverage_blank():
    tables = make_example_tables()
    tables.goals = tables.goals.iloc[0:0]
    data = build(tables)
    for name in ("Revenue This Period", "Revenue Goal Attainment"):
        assert math.isnan(kpi(data, name, "Target")) and kpi(data, name, "Status") is None
    assert math.isnan(kpi(data, "Revenue Goal Attainment"))
    assert math.isnan(kpi(data, "Pipeline Coverage"))


def test_goal_met_leaves_coverage_blank():
    data = build(make_example_tables(goal_target=1500.0))
    assert math.isnan(kpi(data, "Pipeline Coverage"))  # 2000 already beats 1500


def test_nps_of_no_answers_is_blank():
    assert math.isnan(net_promoter_score(pd.Series([None, None], dtype=float)))


def test_chart_data(data):
    # the whole team's funnel without Lost; Reached: Lead: O2, O1, W1-3, L1, L2 (no log:
    # first stage) = 7; Qualified and Proposal: O1 + 3 Won = 4; Negotiation, Won: 3
    assert data.funnel_chart.values.tolist() == [
        ["Lead", 7], ["Qualified", 4], ["Proposal", 4], ["Negotiation", 3], ["Won", 3],
    ]
    # this period's attainment, reps A-Z, blanks left out
    assert data.attainment_chart.values.tolist() == [["Ana", 1.2], ["Bo", 0.5]]
    chart = data.revenue_chart.set_index("Period")["Revenue"]
    assert chart.index.tolist() == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert chart[["2026-07", "2026-10", "2026-11"]].tolist() == [3000, 1000, 2000]
    assert chart.sum() == 6000  # W3's 9999 in 2025-11 is older than 12 months


def test_quarter_chart_follows_the_fiscal_year():
    tables = make_example_tables()
    tables.settings = SETTINGS.model_copy(update={"period": "Quarter", "fiscal_year_start": 4})
    chart = revenue_chart(revenue_lines(tables), tables)
    # FY starting in April: 2026-11-15 is in 2026-Q3 (Oct-Dec); 8 quarters back to 2024-Q4
    # (Jan-Mar 2025), empty quarters before the first sale (W3, Oct-Dec 2025) included
    assert chart["Period"].tolist() == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4",
                                        "2026-Q1", "2026-Q2", "2026-Q3"]
    # 2024-Q4 .. 2025-Q2 (Jan-Sep 2025): nothing; 2025-Q3 (Oct-Dec 2025): W3 9999;
    # 2025-Q4 (Jan-Mar), 2026-Q1 (Apr-Jun): nothing; 2026-Q2 (Jul-Sep): W2 3000;
    # 2026-Q3 (Oct-Dec): W1 1000 + November's 2000 = 3000
    assert chart["Revenue"].tolist() == [0, 0, 0, 9999, 0, 0, 3000, 3000]


def test_a_young_business_sees_twelve_months_empty_ones_included():
    tables = make_tables(SETTINGS, orders=[
        dict(order_id="O-1", date=date(2026, 10, 3), customer="Acme", amount=500.0, rep="Ana"),
    ])
    chart = revenue_chart(revenue_lines(tables), tables)
    # 12 months up to As Of's (2025-12 .. 2026-11), though the first sale is in 2026-10
    assert chart["Period"].tolist() == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert chart["Revenue"].tolist() == [0.0] * 10 + [500.0, 0.0]


def test_layout_is_one_rectangle_with_blocks_side_by_side(data):
    output = dashboard_output(data, "EUR")
    assert output.name == "Dashboard" and output.currency == "EUR"
    assert output.headers == ["KPI", "Value", "Target", "Status", "", "Stage", "Reached", "",
                              "Rep", "Attainment", "", "Period", "Revenue"]
    assert all(len(row) == len(output.columns) for row in output.rows)
    assert [row[0] for row in output.rows[:13]] == KPI_ORDER
    assert output.rows[0][1:4] == [2000.0, 8000.0, "Behind"]
    assert output.rows[0][5:7] == ["Lead", 7]
    assert output.rows[1][8:10] == ["Bo", 0.5]
    assert output.rows[11][11:13] == ["2026-11", 2000.0]
    assert all(row[column] is None for row in output.rows for column in (4, 7, 10))


def test_layout_formats_each_kpi_by_its_type(data):
    output = dashboard_output(data, "USD")
    types = dict(zip(data.kpis["KPI"], data.kpis["Type"], strict=True))
    for index, name in enumerate(KPI_ORDER):
        assert output.cell_type(index, 1) == types[name]
        assert output.cell_type(index, 2) == types[name]
    assert output.cell_format(0, 1) == '"$"#,##0.00;-"$"#,##0.00'  # Revenue This Period
    assert output.cell_format(2, 1) == "0.0%"  # Win Rate
    assert output.cell_format(9, 1) == "#,##0"  # Stuck Deals
    assert output.rows[9][1] == 2 and isinstance(output.rows[9][1], int)
    assert output.cell_type(0, 9) == "percent" and output.cell_type(0, 12) == "money"


def test_three_charts_below_the_kpis_without_overlap(data):
    output = dashboard_output(data, "USD")
    funnel_chart, attainment, revenue = output.charts
    assert [c.kind for c in output.charts] == ["bar", "column", "column"]
    assert [c.value_format for c in output.charts] == ["integer", "percent", "money"]
    # each chart reads its own block: categories then values, over the block's rows
    for chart, category, rows in ((funnel_chart, 5, 5), (attainment, 8, 2), (revenue, 11, 12)):
        (series,) = chart.series
        assert chart.category_column == category and series.column == category + 1
        assert (series.first_row, series.last_row) == (0, rows - 1)
        assert output.headers[series.column] == series.name
    # below the header and the 13 KPI rows (sheet rows 0-13), stacked with room for each
    assert funnel_chart.anchor_row > 13
    tops = [chart.anchor_row for chart in output.charts]
    assert tops == sorted(tops)
    for upper, lower in zip(output.charts, output.charts[1:], strict=False):
        assert lower.anchor_row - upper.anchor_row == CHART_ROWS
        assert upper.height_px <= CHART_ROWS * 20  # default rows are at least 20 px high
    # in columns A-D: no wider than those columns (about 7 px a character, 5 px padding)
    kpi_width_px = sum(column.width * 7 + 5 for column in output.columns[:4])
    assert all(c.anchor_column == 0 and c.width_px <= kpi_width_px for c in output.charts)


def test_empty_chart_data_still_gives_three_charts():
    empty = DashboardData(
        kpis=pd.DataFrame({"KPI": ["Data Issues"], "Value": [0.0], "Target": [math.nan],
                           "Status": [None], "Type": ["integer"]}),
        funnel_chart=pd.DataFrame({"Stage": [], "Reached": []}),
        attainment_chart=pd.DataFrame({"Rep": [], "Attainment": []}),
        revenue_chart=pd.DataFrame({"Period": [], "Revenue": []}),
    )
    output = dashboard_output(empty, "USD")
    assert len(output.charts) == 3
    assert output.rows == [["Data Issues", 0, None, None] + [None] * 9]


STAGE_NAMES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


@settings(max_examples=40, deadline=None)
@given(st.lists(
    st.tuples(
        st.sampled_from(STAGE_NAMES),
        st.floats(min_value=0, max_value=1e5, allow_nan=False),
        st.integers(min_value=0, max_value=500),  # days from Created to Closed
        st.integers(min_value=0, max_value=700),  # days from Closed back to As Of
    ),
    max_size=30,
))
def test_dashboard_invariants(deals):
    pipeline = [
        dict(deal_id=f"D{i}", owner="Ana", stage=stage, amount=amount,
             created=AS_OF - timedelta(days=ago + cycle), closed=AS_OF - timedelta(days=ago))
        for i, (stage, amount, cycle, ago) in enumerate(deals)
    ]
    data = build(make_tables(SETTINGS, pipeline=pipeline))
    figures = data.kpis.set_index("KPI")["Value"]
    assert math.isnan(figures["Win Rate"]) or 0 <= figures["Win Rate"] <= 1
    assert figures["Weighted Pipeline"] <= figures["Open Pipeline"] + 1e-6
    assert figures["Sales Cycle Days"] >= 0 or math.isnan(figures["Sales Cycle Days"])
    # the funnel chart never grows from one stage to the next
    reached = data.funnel_chart["Reached"].tolist()
    assert reached == sorted(reached, reverse=True)
    output = dashboard_output(data, "USD")
    assert all(len(row) == len(output.columns) for row in output.rows)


def test_every_computed_tab_is_a_pure_function_of_the_tables():
    # The demo business, validated once, computed at two different wall-clock times with
    # the same As Of: the inputs are not touched and every tab, chart and figure is the
    # same (the figures depend on As Of, never on when the sync runs).
    from datetime import datetime

    from sync.demo.workbook import demo_grids
    from sync.engine import compute_tabs
    from sync.read import validate_workbook

    today = date(2026, 11, 26)
    tables, issues = validate_workbook(demo_grids(today=today), today=today)
    assert tables.settings.as_of == today
    names = ("stages", "team", "goals", "pipeline", "customers", "orders",
             "commission_plans", "stage_log")
    before = {name: getattr(tables, name).copy(deep=True) for name in names}
    first = compute_tabs(tables, issues, datetime(2026, 11, 26, 23, 0))
    later = compute_tabs(tables, issues, datetime(2027, 3, 1, 9, 30))
    for name in names:
        pd.testing.assert_frame_equal(getattr(tables, name), before[name])
    assert [output.name for output in first.outputs] == [output.name for output in later.outputs]
    for one, other in zip(first.outputs, later.outputs, strict=True):
        assert pd.DataFrame(one.rows).equals(pd.DataFrame(other.rows)), one.name
        assert one.charts == other.charts
    assert first.kpis == later.kpis
    assert len(first.outputs) == len(computed_tabs()) and len(first.kpis) == len(KPI_ORDER)


def test_many_reps_get_horizontal_bars_that_grow_with_the_team(data):
    reps = [f"Rep {index:02d}" for index in range(30)]
    many = DashboardData(
        kpis=data.kpis, funnel_chart=data.funnel_chart, revenue_chart=data.revenue_chart,
        attainment_chart=pd.DataFrame({"Rep": reps, "Attainment": [0.5] * 30}),
    )
    _, attainment, revenue = dashboard_output(many, "USD").charts
    # 30 bars x 18 px + 90 px of title, axis and legend = 630 px, over ceil(630 / 20) + 1 =
    # 33 rows, so the revenue chart starts 33 rows below the attainment chart
    assert (attainment.kind, attainment.height_px) == ("bar", 630)
    assert revenue.anchor_row - attainment.anchor_row == 33
    assert attainment.height_px <= 33 * 20
