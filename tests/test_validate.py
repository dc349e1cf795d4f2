"""validate_workbook end to end: grids in, Tables and Data Issues out."""

from datetime import date, datetime

import pandas as pd
import pytest
from pydantic import BaseModel, ValidationError

from sync.contract.tables import default_stages
from sync.read import validate_workbook
from sync.read.columns import ReadContext
from sync.read.rows import row_model
from sync.schema import input_tabs

TODAY = date(2026, 11, 26)


def workbook(**tabs):
    """Grids of every input tab with its English headers; `tabs` override whole tabs."""
    grids = {spec.tab: [spec.headers] for spec in input_tabs()}
    grids["Stages"] = [default_stages_grid()[0], *default_stages_grid()[1:]]
    grids.update({name.replace("_", " "): grid for name, grid in tabs.items()})
    return grids


def default_stages_grid():
    return [
        ["Stage", "Order", "Probability", "Type"],
        ["Lead", 1, "10%", "Open"], ["Qualified", 2, "25%", "Open"],
        ["Proposal", 3, "50%", "Open"], ["Negotiation", 4, "75%", "Open"],
        ["Won", 5, "100%", "Won"], ["Lost", 6, "0%", "Lost"],
    ]


def issues_of(issues, tab):
    return [(i.row, i.column, i.value, i.severity, i.problem) for i in issues if i.tab == tab]


def test_a_clean_workbook_has_no_issues_and_typed_frames():
    grids = workbook(
        Team=[["Rep", "Team", "Commission Plan", "Active"], ["Ana Ruiz", "East", "Standard", "No"]],
        Commission_Plans=[["Plan", "From %", "To %", "Rate", "Bonus"],
                          ["Standard", "0%", "100%", "5%", 0]],
        Customers=[["Customer", "NPS"], ["Acme Ltd", 9]],
        Pipeline=[["Deal ID", "Customer", "Owner", "Stage", "Amount", "Created", "Closed"],
                  ["D-1", "Acme Ltd", "Ana Ruiz", "Won", 1200, "2026-01-05", "2026-02-01"]],
        Orders=[["Order ID", "Date", "Customer", "Amount", "Rep", "Deal ID"],
                ["0001", date(2026, 2, 1), "Acme Ltd", "$1,200", "Ana Ruiz", "D-1"]],
        Goals=[["Owner", "Metric", "Period Start", "Period End", "Target"],
               ["Company", "Revenue", "2026-10-01", "2026-12-31", 150000]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues == []
    assert tables.settings.as_of == TODAY  # blank As Of: today
    assert tables.pipeline["deal_id"].tolist() == ["D-1"]
    assert pd.api.types.is_datetime64_any_dtype(tables.pipeline["created"])
    assert tables.pipeline["amount"].dtype == "float64"
    assert tables.orders["order_id"].tolist() == ["0001"]
    assert tables.orders["amount"].tolist() == [1200.0]
    assert tables.team["active"].tolist() == [False]
    assert tables.commission_plans["rate"].tolist() == [0.05]
    assert tables.goals["target"].tolist() == [150000.0]
    assert tables.stages["stage"].tolist() == default_stages()["stage"].tolist()


def test_error_rows_are_left_out_and_warning_rows_stay():
    grids = workbook(
        Orders=[
            ["Order ID", "Date", "Customer", "Amount", "Quantity"],
            ["O-1", "2026-03-01", None, "1.2k", 1],  # Error: left out
            [None, None, None, None, None],  # fully empty: skipped, no issue
            ["O-2", "2026-03-02", None, 500, 2],
            ["O-3", "31/02/2026", None, 10, 1],  # Error: left out
        ],
        Stages=[["Stage", "Order", "Probability", "Type"],
                ["Lead", 1, 10, "Open"],  # Warning: 10 can only be 10%, so the column is points
                ["Won", 2, 100, "Won"], ["Lost", 3, 0, "Lost"]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.orders["row"].tolist() == [4]  # sheet rows: header is row 1
    assert issues_of(issues, "Orders") == [
        (2, "Amount", "1.2k", "Error",
         '"1.2k" is not accepted as a number: type the full number, e.g. 1200'),
        (5, "Date", "31/02/2026", "Error",
         '"31/02/2026" is not a date: type it as 2026-02-28 or use a date cell'),
    ]
    assert tables.stages["probability"].tolist() == [0.1, 1.0, 0.0]
    assert [(row, severity) for row, _, _, severity, _ in issues_of(issues, "Stages")] == [
        (2, "Warning"),
    ]


def test_every_bad_cell_of_a_row_is_reported():
    grids = workbook(Orders=[["Date", "Amount", "Quantity"], ["someday", "lots", "many"]])
    _, issues = validate_workbook(grids, today=TODAY)
    assert [column for _, column, *_ in issues_of(issues, "Orders")] == [
        "Date", "Amount", "Quantity",
    ]


def test_required_blank_cell_is_an_error():
    grids = workbook(Orders=[["Date", "Amount"], [None, 5]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.orders.empty
    assert issues_of(issues, "Orders") == [
        (2, "Date", "", "Error", "Date is required: fill in this cell"),
    ]


def test_missing_required_header_is_one_error_and_the_rows_are_left_out():
    grids = workbook(Orders=[["Date", "Customer"], ["2026-01-01", "A"], ["2026-01-02", "B"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.orders.empty
    assert issues_of(issues, "Orders") == [
        (1, "Amount", "", "Error",
         'Orders has no "Amount" column, so its rows cannot be read: add the header "Amount" '
         "to row 1"),
    ]


def test_missing_tabs_warn_and_read_as_empty_with_default_stages_and_settings():
    tables, issues = validate_workbook({}, today=TODAY)
    missing = [i.tab for i in issues if "is missing" in i.problem]
    assert missing == [spec.tab for spec in input_tabs()]
    assert all(i.severity == "Warning" and "salesops init" in i.problem for i in issues)
    assert tables.pipeline.empty and tables.orders.empty
    assert tables.stages["stage"].tolist() == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost",
    ]
    assert tables.settings.currency == "USD" and tables.settings.as_of == TODAY
    assert tables.stage_log.columns.tolist() == [
        "deal_id", "from_stage", "to_stage", "changed_at", "row",
    ]
    assert pd.api.types.is_datetime64_any_dtype(tables.stage_log["changed_at"])


def test_zh_cn_headers_in_another_order():
    grids = workbook(Orders=[["金额", "客户", "日期"], ["¥1,200", "甲公司", "2026年3月1日"]],
                     Customers=[["客户"], ["甲公司"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Orders") == []
    assert tables.orders[["customer", "amount"]].values.tolist() == [["甲公司", 1200.0]]
    assert tables.orders["date"].tolist() == [pd.Timestamp("2026-03-01")]


def test_ragged_rows_and_owner_columns():
    grids = workbook(Orders=[
        ["Date", "Amount", "My note", "Customer"],
        ["2026-01-01", 10],  # shorter than the header
        ["2026-01-02", 20, "call back", "Acme", "extra", "cells"],
        [None, None, "only my note"],  # nothing in the product's columns: skipped
    ], Customers=[["Customer"], ["Acme"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Orders") == []
    assert tables.orders["amount"].tolist() == [10.0, 20.0]
    assert tables.orders["customer"].tolist()[1] == "Acme"
    assert "my_note" not in tables.orders.columns


def test_serial_numbers_from_sheets():
    # Sheets sends date cells as serials: 46082 = 2026-03-01 (46082 days after 1899-12-30)
    grids = workbook(Orders=[["Date", "Amount", "Order ID"], [46082, 99.5, 17850.0]])
    tables, _ = validate_workbook(grids, today=TODAY)
    assert tables.orders["date"].tolist() == [pd.Timestamp("2026-03-01")]
    assert tables.orders["order_id"].tolist() == ["17850"]


def test_date_format_setting_reads_slash_dates():
    settings = [["Setting", "Value"], ["Date Format", "dmy"], ["As Of", "1/12/2026"]]
    grids = workbook(Settings=settings, Orders=[["Date", "Amount"], ["3/11/2026", 1]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues == []
    assert tables.settings.date_format == "DMY"
    assert tables.settings.as_of == date(2026, 12, 1)
    assert tables.orders["date"].tolist() == [pd.Timestamp("2026-11-03")]


@pytest.mark.parametrize(
    ("key", "value", "field", "expected"),
    [
        ("Currency", "eur", "currency", "EUR"),
        ("Period", "quarter", "period", "Quarter"),
        ("Fiscal Year Start", 4, "fiscal_year_start", 4),
        ("Fiscal Year Start", "April", "fiscal_year_start", 4),
        ("As Of", date(2026, 6, 30), "as_of", date(2026, 6, 30)),
        ("As Of", 46082, "as_of", date(2026, 3, 1)),
        ("as of", "2026-06-30", "as_of", date(2026, 6, 30)),
        ("货币", "CNY", "currency", "CNY"),  # the zh-CN key
        ("Stuck Factor", "2.5", "stuck_factor", 2.5),
        ("New Customer Bonus", "$500", "new_customer_bonus", 500.0),
        ("Clawback Days", 30.0, "clawback_days", 30),
        ("Currency", None, "currency", "USD"),  # blank keeps the default
    ],
)
def test_settings_values(key, value, field, expected):
    grids = workbook(Settings=[["Setting", "Value"], [key, value]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues == []
    assert getattr(tables.settings, field) == expected


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("Period", "Week",
         'Period: "Week" is not one of Month, Quarter: pick one of these. The default (Month) '
         "is used until this is fixed"),
        ("Fiscal Year Start", 13,
         "Fiscal Year Start: 13 is above the maximum of 12. The default (1) is used until this "
         "is fixed"),
        ("Currency", "Dollars",
         'Currency: "Dollars" is not a currency code: type a 3-letter code such as USD, EUR or '
         "CNY. The default (USD) is used until this is fixed"),
        ("As Of", "soon",
         'As Of: "soon" is not a date: type it as YYYY-MM-DD (e.g. 2026-11-03) or use a date '
         "cell. The default (today) is used until this is fixed"),
    ],
)
def test_bad_setting_value_warns_naming_the_key_and_uses_the_default(key, value, problem):
    grids = workbook(Settings=[["Setting", "Value"], [key, value]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Settings") == [(2, "Value", str(value), "Warning", problem)]
    defaults = validate_workbook({}, today=TODAY)[0].settings
    assert tables.settings == defaults


def test_unknown_and_repeated_setting_keys_warn():
    grids = workbook(Settings=[["Setting", "Value"], ["Curency", "EUR"], ["Period", "Quarter"],
                               ["period", "Month"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Settings") == [
        (2, "Setting", "Curency", "Warning",
         '"Curency" is not a setting, so it is ignored: did you mean "Currency"?'),
        (4, "Setting", "period", "Warning",
         "Period is already set on row 3: this row is ignored; delete one of the two"),
    ]
    assert tables.settings.period == "Quarter"


def test_stage_log_is_read_back():
    grids = workbook()
    grids["Stage Log"] = [
        ["Deal ID", "From Stage", "To Stage", "Changed At"],
        ["D-1", None, "Lead", datetime(2026, 11, 1, 9, 30)],
        ["D-1", "Lead", "Won", 46329.5],  # serial 46329.5 = 2026-11-03 12:00
        ["D-2", "Lead", "Won", "yesterday"],
    ]
    tables, issues = validate_workbook(grids, today=TODAY)
    log = tables.stage_log
    assert log["changed_at"].tolist()[:2] == [
        pd.Timestamp("2026-11-01 09:30"), pd.Timestamp("2026-11-03 12:00"),
    ]
    assert log["from_stage"].isna().tolist() == [True, False, False]
    # The log is written back whole: an unreadable row stays in, its bad cell blank.
    assert log["row"].tolist() == [2, 3, 4]
    assert pd.isna(log["changed_at"].iloc[2])
    assert issues_of(issues, "Stage Log") == [
        (4, "Changed At", "yesterday", "Warning",
         "Changed At is blank or unreadable, so reports ignore this change: leave the Stage "
         "Log to the product"),
    ]


def test_an_empty_tab_warns():
    grids = workbook(Goals=[])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.goals.empty
    assert issues_of(issues, "Goals") == [
        (1, "", "", "Warning",
         'The Goals tab is empty: type its headers in row 1 ("salesops init" creates a tab '
         "with them)"),
    ]


def test_blank_active_means_yes():
    grids = workbook(Team=[["Rep", "Active"], ["Ana", None], ["Bo", "no"], ["Cy", "是"]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.team["active"].tolist() == [True, False, True]
    assert issues_of(issues, "Team") == []


def test_a_repeated_bad_cell_is_reported_on_every_row():
    grids = workbook(Orders=[["Date", "Amount"], ["31/02/2026", 1], [46082, 2], ["31/02/2026", 3]])
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.orders["row"].tolist() == [3]
    assert [(row, value) for row, _, value, _, _ in issues_of(issues, "Orders")] == [
        (2, "31/02/2026"), (4, "31/02/2026"),
    ]


@pytest.mark.parametrize("spec", input_tabs(), ids=lambda spec: spec.tab)
def test_each_tab_has_a_pydantic_row_model_with_its_declared_fields(spec):
    model = row_model(spec)
    assert issubclass(model, BaseModel)
    assert list(model.model_fields) == [column.field for column in spec.columns]


def test_the_row_model_reads_a_row_and_explains_every_bad_cell():
    model = row_model(next(spec for spec in input_tabs() if spec.tab == "Pipeline"))
    row = model.model_validate(
        {"deal_id": 17850.0, "stage": "Won", "amount": "$1,200", "created": "2026-11-03",
         "closed": 46330},
        context={"read": ReadContext(), "warnings": []},
    )
    # 17850.0 is an identifier, read as text; serial 46330 is 2026-11-04 (46329 = 2026-11-03).
    assert (row.deal_id, row.amount, row.created, row.closed) == (
        "17850", 1200.0, date(2026, 11, 3), date(2026, 11, 4))
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"amount": "1.2k", "created": "31/02/2026"},
                             context={"read": ReadContext(date_format="DMY"), "warnings": []})
    problems = {error["loc"][0]: error["msg"] for error in caught.value.errors()}
    assert problems == {
        "amount": '"1.2k" is not accepted as a number: type the full number, e.g. 1200',
        "created": '"31/02/2026" is not a date: type it as 2026-02-28 or use a date cell',
    }


def test_a_missing_tab_says_how_to_add_it_where_the_workbook_lives():
    grids = {"Pipeline": [["Deal ID", "Stage", "Created"]]}
    _, issues = validate_workbook(grids, today=date(2026, 11, 26))
    team = next(issue for issue in issues if issue.tab == "Team")
    assert team.problem == (
        "The Team tab is missing, so it is read as empty: add a tab with that name and its "
        'headers in row 1 ("salesops init new.xlsx" writes a template to copy it from)'
    )
    _, issues = validate_workbook(grids, today=date(2026, 11, 26), add_tab_hint="do X")
    assert next(i for i in issues if i.tab == "Team").problem.endswith("read as empty: do X")


def test_a_zh_cn_workbook_without_usable_stages_falls_back_to_the_chinese_default_stages():
    # The zh-CN template names its stages 线索 … 输单, so its Pipeline says 赢单: with the
    # Stages tab emptied the defaults must be those names, their types the canonical ones.
    grids = workbook(
        Settings=[["Setting", "Value"], ["Locale", "zh-CN"]],
        Stages=[["Stage", "Order", "Probability", "Type"]],
        Pipeline=[["Deal ID", "Customer", "Owner", "Stage", "Amount", "Created", "Closed"],
                  ["D-1", "Acme Ltd", "Ana Ruiz", "赢单", 1200, "2026-01-05", "2026-02-01"],
                  ["D-2", "Acme Ltd", "Ana Ruiz", "线索", 800, "2026-03-05", None]],
    )
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.stages["stage"].tolist() == [
        "线索", "初步沟通", "方案报价", "商务谈判", "赢单", "输单"]
    assert tables.stages["type"].tolist() == ["Open", "Open", "Open", "Open", "Won", "Lost"]
    assert tables.pipeline["deal_id"].tolist() == ["D-1", "D-2"]  # both stages are known
    assert not [i for i in issues if i.tab == "Pipeline" and i.column == "Stage"]
    english, _ = validate_workbook(workbook(Stages=[["Stage", "Order", "Probability", "Type"]]),
                                   today=TODAY)
    assert english.stages["stage"].tolist() == default_stages()["stage"].tolist()
