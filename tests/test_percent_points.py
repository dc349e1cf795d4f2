"""Percent columns decided as a whole (SPEC section 2): if one plain number must be percent
points, every plain number of the column (in Commission Plans: of the plan) is, with one
Warning; a Rate of 100% or more is a Warning."""

from datetime import date

import pytest

from sync.compute.commissions import commissions
from sync.compute.revenue import revenue_lines
from sync.read import validate_workbook

TODAY = date(2026, 11, 30)
PLAN_HEADERS = ["Plan", "From %", "To %", "Rate"]


def workbook(plans, orders=()):
    return {
        "Settings": [["Setting", "Value"], ["As Of", "2026-11-30"]],
        "Team": [["Rep", "Commission Plan"], ["Ana", "Standard"]],
        "Goals": [["Owner", "Metric", "Period Start", "Period End", "Target"],
                  ["Ana", "Revenue", "2026-11-01", "2026-11-30", 10000]],
        "Commission Plans": [PLAN_HEADERS, *plans],
        "Orders": [["Date", "Amount", "Rep"], *orders],
    }


def plan_issues(issues):
    return [(i.row, i.column, i.value, i.severity, i.problem) for i in issues
            if i.tab == "Commission Plans"]


def test_rates_1_and_2_in_one_plan_are_both_points_and_pay_accordingly():
    grids = workbook(
        plans=[["Standard", "0%", "100%", 1], ["Standard", "100%", None, 2]],
        orders=[["2026-11-10", 15000, "Ana"]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.commission_plans["rate"].tolist() == [0.01, 0.02]
    assert plan_issues(issues) == [
        (3, "Rate", "2", "Warning",
         '2 on row 3 can only mean 2%, so every plain number in Rate of plan "Standard" is '
         "read as percent points (1 = 1%, 2 = 2%): type them with a % sign to say so"),
    ]
    table, _ = commissions(tables, revenue_lines(tables))
    ana = table[table["Rep"] == "Ana"].iloc[0]
    # Quota 10,000, revenue 15,000: the first 10,000 (0-100%) at 1% = 100, the 5,000 above
    # 100% at 2% = 100; 100 + 100 = 200 (reading 1 as 100% would have paid 10,100).
    assert ana["Tier Commission"] == pytest.approx(10000 * 0.01 + 5000 * 0.02)
    assert ana["Payout"] == pytest.approx(200)


def test_the_decision_is_made_per_plan():
    grids = workbook(plans=[["Standard", "0%", None, 2], ["Small", "0%", "50%", 0.5],
                            ["Small", "50%", None, 0.75]])
    tables, issues = validate_workbook(grids, today=TODAY)
    # "Standard" has a 2 (points); "Small"'s 0.5 and 0.75 are fractions: 50% and 75%.
    assert tables.commission_plans["rate"].tolist() == [0.02, 0.5, 0.75]
    assert [(row, column) for row, column, *_ in plan_issues(issues)] == [(2, "Rate")]


def test_from_and_to_are_decided_together_for_a_plan():
    grids = workbook(plans=[["Standard", 0, 1, "2%"], ["Standard", 1, 200, "3%"],
                            ["Standard", 200, None, "4%"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    # 200 can only be points, so 0, 1 and 200 in From % and To % are all points: the band
    # ends of the plan stay in one unit (To % 1 = From % 1 = 1%).
    plans = tables.commission_plans
    assert plans["from_pct"].tolist() == [0.0, 0.01, 2.0]
    assert plans["to_pct"].tolist()[:2] == [0.01, 2.0]
    assert [(r, c, v) for r, c, v, *_ in plan_issues(issues)] == [(3, "To %", "200")]
    assert "From % and To % of plan \"Standard\"" in plan_issues(issues)[0][4]


def test_text_with_a_sign_is_read_as_written_whatever_the_column_decides():
    grids = workbook(plans=[["Standard", "0%", "100%", "0.5%"], ["Standard", "100%", None, 3]])
    tables, _ = validate_workbook(grids, today=TODAY)
    assert tables.commission_plans["rate"].tolist() == [0.005, 0.03]


def test_fractions_alone_give_no_warning():
    grids = workbook(plans=[["Standard", 0, 1, 0.02], ["Standard", 1, None, 0.05]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.commission_plans["rate"].tolist() == [0.02, 0.05]
    assert plan_issues(issues) == []


def test_a_rate_of_100_percent_or_more_is_a_warning():
    grids = workbook(plans=[["Standard", "0%", None, "100%"], ["Big", "0%", None, "150%"],
                            ["Fine", "0%", None, "99%"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.commission_plans["rate"].tolist() == [1.0, 1.5, 0.99]  # kept as typed
    assert plan_issues(issues) == [
        (2, "Rate", "100%", "Warning",
         "A Rate of 100% pays the rep at least all the revenue of this band: check it (2% is "
         "typed 2% or 0.02)"),
        (3, "Rate", "150%", "Warning",
         "A Rate of 150% pays the rep at least all the revenue of this band: check it (2% is "
         "typed 2% or 0.02)"),
    ]


def test_probability_is_decided_for_the_whole_stages_column():
    grids = {"Stages": [["Stage", "Order", "Probability", "Type"],
                        ["Lead", 1, 0.5, "Open"], ["Deal", 2, 60, "Open"],
                        ["Won", 3, "100%", "Won"], ["Lost", 4, 0, "Lost"]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    # 60 can only be 60%, so 0.5 is 0.5% too; "100%" has a sign and is read as written.
    assert tables.stages["probability"].tolist() == [0.005, 0.6, 1.0, 0.0]
    stage_issues = [(i.row, i.column, i.severity, i.problem) for i in issues
                    if i.tab == "Stages"]
    assert stage_issues == [
        (3, "Probability", "Warning",
         "60 on row 3 can only mean 60%, so every plain number in Probability is read as "
         "percent points (0 = 0%, 0.5 = 0.5%, 60 = 60%): type them with a % sign to say so"),
    ]
