"""Unreadable cells (SPEC section 2): an optional column's is a Warning and counts as blank,
an essential column's is an Error that leaves the row out, and references to a left-out row
say why it is missing. Spreadsheet error values and uncalculated formulas are unreadable."""

import logging
from datetime import date

import pytest

from sync.backends.base import CellError
from sync.compute.commissions import commissions
from sync.compute.revenue import revenue_lines
from sync.read import validate_workbook
from sync.read.cells import parse_number
from sync.schema import input_tabs

TODAY = date(2026, 11, 30)
SETTINGS = [["Setting", "Value"], ["As Of", "2026-11-30"], ["Team Bonus", 50]]
TEAM = ["Rep", "Team", "Commission Plan", "Start Date"]
PLANS = [["Plan", "From %", "To %", "Rate"], ["Standard", "0%", None, "10%"]]
ORDERS = ["Order ID", "Date", "Customer", "Amount", "Quantity", "Rep", "Deal ID"]
PIPELINE = ["Deal ID", "Customer", "Owner", "Stage", "Amount", "Created", "Closed"]


def workbook(**tabs):
    grids = {spec.tab: [spec.headers] for spec in input_tabs()}
    grids.update(Settings=SETTINGS, Commission_Plans=PLANS)
    grids.update(tabs)
    return {name.replace("_", " "): grid for name, grid in grids.items()}


def issues_of(issues, tab):
    return [(i.row, i.column, i.value, i.severity, i.problem) for i in issues if i.tab == tab]


def payout(tables, rep, period="2026-11"):
    table, _ = commissions(tables, revenue_lines(tables))
    row = table[(table["Rep"] == rep) & (table["Period"] == period)]
    return row.iloc[0].to_dict()


def test_an_unreadable_start_date_keeps_the_rep_and_their_commission_and_team_bonus():
    grids = workbook(
        Team=[TEAM, ["Ana", "East", "Standard", "someday"], ["Bo", "East", "Standard", None]],
        Goals=[["Owner", "Metric", "Period Start", "Period End", "Target"],
               ["Ana", "Revenue", "2026-11-01", "2026-11-30", 1000],
               ["Bo", "Revenue", "2026-11-01", "2026-11-30", 1000],
               ["East", "Revenue", "2026-11-01", "2026-11-30", 1500]],
        Orders=[ORDERS, ["O-1", "2026-11-10", None, 1000, 1, "Ana", None],
                ["O-2", "2026-11-12", None, 600, 1, "Bo", None]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Team") == [
        (2, "Start Date", "someday", "Warning",
         '"someday" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date cell. '
         "Until then it counts as blank"),
    ]
    assert tables.team["rep"].tolist() == ["Ana", "Bo"]
    assert tables.team["start_date"].isna().tolist() == [True, True]
    assert issues_of(issues, "Orders") == []  # Ana is a rep of the Team tab
    ana = payout(tables, "Ana")
    # 1,000 of revenue, all of it in the one 0%+ band at 10%: 1,000 x 10% = 100.
    assert ana["Revenue"] == 1000 and ana["Tier Commission"] == pytest.approx(100)
    # East's revenue is Ana's 1,000 + Bo's 600 = 1,600 >= its 1,500 goal: both earn the
    # Team Bonus of 50 (without Ana the team would have 600 and no bonus).
    assert ana["Bonuses"] == pytest.approx(50)
    assert payout(tables, "Bo")["Bonuses"] == pytest.approx(50)
    assert ana["Payout"] == pytest.approx(100 + 50)


def test_an_unreadable_satisfaction_keeps_the_customer():
    grids = workbook(
        Customers=[["Customer", "Satisfaction", "NPS"], ["Acme", "five", 9]],
        Orders=[ORDERS, ["O-1", "2026-11-10", "Acme", 1000, 1, None, None]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Customers") == [
        (2, "Satisfaction", "five", "Warning",
         '"five" is not a number: type a number such as 1200 or 1,200.50. Until then it '
         "counts as blank"),
    ]
    assert tables.customers["customer"].tolist() == ["Acme"]
    assert tables.customers["nps"].tolist() == [9.0]
    assert issues_of(issues, "Orders") == []  # Acme is a customer of the Customers tab


def test_an_unreadable_quantity_keeps_the_sale_in_revenue_and_commission():
    grids = workbook(
        Team=[TEAM, ["Ana", "East", "Standard", None]],
        Goals=[["Owner", "Metric", "Period Start", "Period End", "Target"],
               ["Ana", "Revenue", "2026-11-01", "2026-11-30", 2000]],
        Orders=[ORDERS, ["O-1", "2026-11-10", None, 1000, "two", "Ana", None]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert [(row, column, severity) for row, column, _, severity, _ in
            issues_of(issues, "Orders")] == [(2, "Quantity", "Warning")]
    assert revenue_lines(tables)["amount"].sum() == 1000
    # 1,000 against a 2,000 quota, one band from 0% at 10%: 1,000 x 10% = 100.
    assert payout(tables, "Ana")["Tier Commission"] == pytest.approx(100)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        (CellError("#N/A"), '"#N/A" is an error value in the sheet (a lookup found nothing), '
                            "not a value: fix the formula in this cell or type the value"),
        (CellError("#DIV/0!"), '"#DIV/0!" is an error value in the sheet (a division by '
                               "zero), not a value: fix the formula in this cell or type the "
                               "value"),
        (CellError("=SUM(A1:A3)"), '"=SUM(A1:A3)" is a formula with no calculated value: open '
                                   "the file in Excel or LibreOffice and save it so the value "
                                   "is stored, or type the value"),
    ],
)
def test_an_error_cell_in_an_amount_is_an_error_and_never_counts_as_zero(cell, problem):
    grids = workbook(Orders=[ORDERS, ["O-1", "2026-11-10", None, cell, 1, None, None],
                             ["O-2", "2026-11-11", None, 250, 1, None, None]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Orders") == [(2, "Amount", str(cell), "Error", problem)]
    assert tables.orders["row"].tolist() == [3]
    assert revenue_lines(tables)["amount"].tolist() == [250]


@pytest.mark.parametrize("cell", [CellError("#REF!"), CellError("#VALUE!"), CellError("#NAME?"),
                                  CellError("=A1*2")])
def test_an_error_cell_in_an_optional_column_is_a_warning_shown_as_typed(cell):
    grids = workbook(Orders=[ORDERS, ["O-1", "2026-11-10", cell, 1000, cell, None, cell]])
    tables, issues = validate_workbook(grids, today=TODAY)
    found = issues_of(issues, "Orders")
    assert [(row, column, value, severity) for row, column, value, severity, _ in found] == [
        (2, "Customer", str(cell), "Warning"), (2, "Quantity", str(cell), "Warning"),
        (2, "Deal ID", str(cell), "Warning"),
    ]
    assert all(problem.endswith("Until then it counts as blank") for *_, problem in found)
    assert tables.orders[["customer", "quantity", "deal_id"]].isna().all(axis=None)
    assert tables.orders["amount"].tolist() == [1000]


def test_an_error_cell_in_a_deal_amount_leaves_the_deal_out_and_a_refund_says_why():
    grids = workbook(
        Pipeline=[PIPELINE, ["D-1", None, None, "Won", CellError("#N/A"), "2026-10-01",
                             "2026-11-02"]],
        Orders=[ORDERS, ["R-1", "2026-11-20", None, -100, None, None, "D-1"]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert [(r, c, s) for r, c, _, s, _ in issues_of(issues, "Pipeline")] == [
        (2, "Amount", "Error")]
    assert tables.pipeline.empty  # a Won deal with no readable Amount never counts as 0
    assert issues_of(issues, "Orders") == [
        (2, "Deal ID", "D-1", "Warning",
         'This refund\'s Deal ID "D-1" is left out because of the Error on Pipeline row 2: fix '
         "that row and this one counts again"),
    ]


def test_a_plan_whose_tiers_are_left_out_is_named_so_in_team():
    grids = workbook(
        Commission_Plans=[["Plan", "From %", "To %", "Rate"],
                          ["Standard", "0%", None, "10%"], ["Bonus Plan", "0%", None, "lots"]],
        Team=[TEAM, ["Ana", "East", "Bonus Plan", None], ["Bo", "East", "Gold", None]],
    )
    _, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Team") == [
        (2, "Commission Plan", "Bonus Plan", "Warning",
         '"Bonus Plan" is left out because of the Error on Commission Plans row 3: fix that '
         "row and this one counts again"),
        (3, "Commission Plan", "Gold", "Warning",
         '"Gold" is not a plan in the Commission Plans tab: add its tiers there or correct the '
         "name"),
    ]


def test_a_deal_owner_left_out_of_team_is_named_so_and_not_unknown():
    # Two rows of Rep "Ana": the second is a duplicate and left out, but the first stays,
    # so "Ana" is a rep; a rep whose only row is left out is reported as left out.
    grids = workbook(
        Team=[TEAM, ["Ana", "East", "Standard", None], ["ana ", "West", "Standard", None]],
        Pipeline=[PIPELINE, ["D-1", None, "Ana", "Lead", 10, "2026-11-01", None]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert [(r, c, s) for r, c, _, s, _ in issues_of(issues, "Team")] == [(3, "Rep", "Error")]
    assert issues_of(issues, "Pipeline") == []
    assert tables.pipeline["owner"].tolist() == ["Ana"]


def test_duplicate_keys_are_found_over_rows_left_out_too():
    grids = workbook(Pipeline=[
        PIPELINE,
        ["D-1", None, None, "Lead", 10, "someday", None],  # Error on Created: left out
        ["D-1", None, None, "Lead", 20, "2026-11-01", None],  # repeats row 2's Deal ID
        ["D-2", None, None, "Lead", 30, "2026-11-01", None],
    ])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Pipeline") == [
        (2, "Created", "someday", "Error",
         '"someday" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date cell'),
        (3, "Deal ID", "D-1", "Error",
         'Deal ID "D-1" is already used on row 2: each Deal ID must be unique, so change or '
         "delete one of the rows"),
    ]
    assert tables.pipeline["deal_id"].tolist() == ["D-2"]


def test_a_fault_of_the_reader_is_logged_and_reported_as_the_products(monkeypatch, caplog):
    # A parser that breaks on a cell (here: made to) is the product's fault, not the owner's.
    def broken(value, parse=parse_number):
        if value == "3":
            raise ZeroDivisionError("a bug")
        return parse(value)

    monkeypatch.setattr("sync.read.columns.parse_number", broken)
    grids = workbook(Orders=[ORDERS, ["O-1", "2026-11-10", None, 1000, "3", None, None]])
    with caplog.at_level(logging.ERROR):
        tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Orders") == [
        (2, "Quantity", "3", "Warning",
         '"3" could not be read because of a fault in SalesOps Sheets; please report it (the '
         "log has the details). Until then it counts as blank"),
    ]
    assert tables.orders["amount"].tolist() == [1000]
    faults = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert faults and faults[0].exc_info and faults[0].exc_info[0] is ZeroDivisionError
    assert "Quantity" in faults[0].getMessage()


def test_a_start_date_with_a_month_name_is_read_in_every_date_format():
    for date_format in ("YMD", "DMY", "MDY"):
        grids = workbook(
            Settings=[["Setting", "Value"], ["Date Format", date_format]],
            Team=[TEAM, ["Ana", "East", "Standard", "3 March 2025"],
                  ["Bo", "East", "Standard", "Mar 3, 2025"]],
        )
        tables, issues = validate_workbook(grids, today=TODAY)
        assert issues_of(issues, "Team") == []
        assert [day.date() for day in tables.team["start_date"]] == [date(2025, 3, 3)] * 2
