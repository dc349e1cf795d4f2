"""Rules across rows and tabs: unique columns, stages, deals and references."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.read import validate_workbook

TODAY = date(2026, 11, 26)
PIPELINE = ["Deal ID", "Customer", "Owner", "Stage", "Amount", "Created", "Closed"]


def issues_of(issues, tab):
    return [(i.row, i.column, i.value, i.severity, i.problem) for i in issues if i.tab == tab]


def test_later_duplicate_deal_ids_are_errors_naming_the_first_row():
    grids = {"Pipeline": [
        PIPELINE,
        ["D-1", None, None, "Lead", 1, "2026-01-01", None],
        ["D-2", None, None, "Lead", 2, "2026-01-01", None],
        ["D-1", None, None, "Lead", 3, "2026-01-01", None],
        ["d-1 ", None, None, "Lead", 4, "2026-01-01", None],  # same code, other case
    ]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.pipeline["row"].tolist() == [2, 3]
    assert issues_of(issues, "Pipeline") == [
        (4, "Deal ID", "D-1", "Error",
         'Deal ID "D-1" is already used on row 2: each Deal ID must be unique, so change or '
         "delete one of the rows"),
        (5, "Deal ID", "d-1 ", "Error",
         'Deal ID "d-1" is already used on row 2: each Deal ID must be unique, so change or '
         "delete one of the rows"),
    ]


def test_customers_compare_trimmed_and_without_case():
    grids = {"Customers": [["Customer"], ["Acme Ltd"], ["  ACME LTD "], ["Beta"]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.customers["customer"].tolist() == ["Acme Ltd", "Beta"]
    assert [(row, severity) for row, _, _, severity, _ in issues_of(issues, "Customers")] == [
        (3, "Error"),
    ]


def test_stage_must_be_in_the_stages_tab_and_is_respelled():
    grids = {"Pipeline": [
        PIPELINE,
        ["D-1", None, None, "proposal", 1, "2026-01-01", None],
        ["D-2", None, None, "Demo", 1, "2026-01-01", None],
    ]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.pipeline["stage"].tolist() == ["Proposal"]
    assert issues_of(issues, "Pipeline") == [
        (3, "Stage", "Demo", "Error",
         '"Demo" is not a stage of the Stages tab: use one of Lead, Qualified, Proposal, '
         "Negotiation, Won, Lost, or add it to Stages"),
    ]


@pytest.mark.parametrize(
    ("stage", "created", "closed", "problem"),
    [
        ("Won", "2026-01-05", None,
         "Closed is required for a Won deal: type the day it was won"),
        ("Lost", "2026-01-05", None,
         "Closed is required for a Lost deal: type the day it was lost"),
        ("Won", "2026-01-05", "2026-01-04",
         "Closed (2026-01-04) is before Created (2026-01-05): correct one of the two dates"),
        ("Lead", "2026-01-05", "2026-01-04",
         "Closed (2026-01-04) is before Created (2026-01-05): correct one of the two dates"),
    ],
)
def test_closed_rules(stage, created, closed, problem):
    grids = {"Pipeline": [PIPELINE, ["D-1", None, None, stage, 1, created, closed]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.pipeline.empty
    assert [(column, p) for _, column, _, _, p in issues_of(issues, "Pipeline")] == [
        ("Closed", problem),
    ]


@pytest.mark.parametrize(
    ("stage", "closed"),
    [("Lead", None), ("Won", "2026-01-05"), ("Lost", "2026-02-01")],  # same day is allowed
)
def test_closed_rules_accept(stage, closed):
    grids = {"Pipeline": [PIPELINE, ["D-1", None, None, stage, 1, "2026-01-05", closed]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Pipeline") == []
    assert len(tables.pipeline) == 1


def test_stages_without_a_lost_stage_fall_back_to_the_defaults():
    grids = {
        "Stages": [["Stage", "Order", "Probability", "Type"],
                   ["Call", 1, "5%", "Open"], ["Signed", 2, "100%", "Won"]],
        "Pipeline": [PIPELINE, ["D-1", None, None, "Call", 1, "2026-01-05", None]],
    }
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.stages["stage"].tolist() == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost",
    ]
    assert issues_of(issues, "Stages") == [
        (None, "Type", "", "Error",
         "Stages has no Lost stage, so the default stages are used: keep at least one stage "
         "of Type Won and one of Type Lost"),
    ]
    assert [column for _, column, *_ in issues_of(issues, "Pipeline")] == ["Stage"]


def test_stage_orders_must_be_unique_and_stages_come_sorted_by_order():
    grids = {"Stages": [
        ["Stage", "Order", "Probability", "Type"],
        ["Won", 9, "100%", "Won"], ["Lost", 10, "0%", "Lost"],
        ["Intro", 1, "10%", "Open"], ["Pitch", 1, "40%", "Open"],
    ]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.stages["stage"].tolist() == ["Intro", "Won", "Lost"]
    assert issues_of(issues, "Stages") == [
        (5, "Order", "1", "Error",
         'Order "1" is already used on row 4: each Order must be unique, so change or delete '
         "one of the rows"),
    ]


def test_unknown_reps_and_customers_warn_and_the_rows_stay():
    grids = {
        "Team": [["Rep"], ["Ana Ruiz"]],
        "Customers": [["Customer"], ["Acme Ltd"]],
        "Pipeline": [PIPELINE, ["D-1", "acme ltd", "Bob", "Lead", 1, "2026-01-01", None]],
        "Orders": [["Date", "Amount", "Customer", "Rep"],
                   ["2026-01-02", 5, "Zed Co", " ana ruiz "]],
    }
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Pipeline") == [
        (2, "Owner", "Bob", "Warning",
         '"Bob" is not a rep in the Team tab: add them to Team or correct the name'),
    ]
    assert issues_of(issues, "Orders") == [
        (2, "Customer", "Zed Co", "Warning",
         '"Zed Co" is not in the Customers tab (it is still counted): add it to Customers or '
         "correct the name"),
    ]
    assert tables.pipeline["customer"].tolist() == ["Acme Ltd"]  # respelled as listed
    assert tables.orders["rep"].tolist() == ["Ana Ruiz"]
    assert len(tables.orders) == 1


def test_an_empty_team_gives_one_warning_not_one_per_row():
    grids = {"Team": [["Rep"]], "Orders": [["Date", "Amount", "Rep"],
                                           ["2026-01-02", 5, "Bob"], ["2026-01-03", 6, "Cy"]]}
    _, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Orders") == [
        (None, "Rep", "", "Warning",
         "2 rows name a Rep but the Team tab lists none: add them to Team"),
    ]


def test_when_no_rep_is_listed_each_named_row_warns_in_order_and_blanks_do_not():
    grids = {"Team": [["Rep"], ["Ana Ruiz"]],
             "Orders": [["Date", "Amount", "Rep"], ["2026-01-02", 5, "Bob"],
                        ["2026-01-03", 6, None], ["2026-01-04", 7, "Cy"],
                        ["2026-01-05", 8, "Bob"]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert [(row, value) for row, _, value, *_ in issues_of(issues, "Orders")] == [
        (2, "Bob"), (4, "Cy"), (5, "Bob")]
    assert tables.orders["rep"].tolist() == ["Bob", None, "Cy", "Bob"]  # the rows stay


def test_goal_owner_must_be_a_rep_a_team_or_company():
    grids = {
        "Team": [["Rep", "Team"], ["Ana Ruiz", "East"]],
        "Goals": [["Owner", "Metric", "Target"],
                  ["company", "Revenue", 10], ["EAST", "Revenue", 5], ["ana ruiz", "Revenue", 1],
                  ["West", "Revenue", 5], [None, "Revenue", 5]],
    }
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.goals["owner"].tolist() == ["Company", "East", "Ana Ruiz", "West", None]
    assert issues_of(issues, "Goals") == [
        (5, "Owner", "West", "Warning",
         '"West" is not a rep or a team of the Team tab, nor Company: correct the name or add '
         "the rep to Team"),
        (6, "Owner", "", "Warning", "Owner is blank: type a rep, a team name or Company"),
    ]


def test_unknown_metric_is_kept_with_a_warning():
    grids = {"Goals": [["Owner", "Metric"], ["Company", "calls made"], ["Company", "deals won"]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.goals["metric"].tolist() == ["calls made", "Deals Won"]
    found = [(row, column, severity) for row, column, _, severity, _ in issues_of(issues, "Goals")]
    assert found == [(2, "Metric", "Warning")]


def test_rep_plan_must_be_in_commission_plans():
    grids = {
        "Commission Plans": [["Plan", "From %", "Rate"], ["Standard", 0, "5%"]],
        "Team": [["Rep", "Commission Plan"], ["Ana", "standard"], ["Bo", "Gold"], ["Cy", None]],
    }
    tables, issues = validate_workbook(grids, today=TODAY)
    assert tables.team["commission_plan"].tolist() == ["Standard", "Gold", None]
    assert issues_of(issues, "Team") == [
        (3, "Commission Plan", "Gold", "Warning",
         '"Gold" is not a plan in the Commission Plans tab: add its tiers there or correct the '
         "name"),
    ]


def test_order_deal_ids_link_in_the_pipeline_spelling():
    grids = {
        "Pipeline": [PIPELINE, ["D-0001", None, None, "Lead", 1, "2026-01-01", None]],
        "Orders": [["Date", "Amount", "Deal ID"], ["2026-01-02", -5, "d-0001"],
                   ["2026-01-02", 5, "D-9"]],
    }
    tables, _ = validate_workbook(grids, today=TODAY)
    assert tables.orders["deal_id"].tolist() == ["D-0001", "D-9"]


@pytest.mark.parametrize(
    ("tab", "header_row", "row", "column", "severity", "problem"),
    [
        # Essential columns: an Error, and the row is left out.
        ("Pipeline", PIPELINE, ["D-1", None, None, "Lead", -5, "2026-01-01", None], "Amount",
         "Error", "-5 is below the minimum of 0: type 0 or more"),
        ("Stages", ["Stage", "Order", "Probability", "Type"], ["X", 1, "150%", "Open"],
         "Probability", "Error", "150% is above the maximum of 100%: type 100% or less"),
        # Optional columns: a Warning, and the cell counts as blank.
        ("Customers", ["Customer", "Satisfaction"], ["A", 6], "Satisfaction", "Warning",
         "6 is above the maximum of 5: type 5 or less. Until then it counts as blank"),
        ("Customers", ["Customer", "NPS"], ["A", 9.5], "NPS", "Warning",
         '"9.5" is not a whole number: type a whole number such as 10. Until then it counts '
         "as blank"),
    ],
)
def test_out_of_bounds_cells(tab, header_row, row, column, severity, problem):
    tables, issues = validate_workbook({tab: [header_row, row]}, today=TODAY)
    assert (2, column, severity, problem) in [
        (r, c, s, p) for r, c, _, s, p in issues_of(issues, tab)
    ]
    if tab != "Stages":  # a Stages tab with no usable row falls back to the defaults
        frame = getattr(tables, tab.lower())
        assert (2 in frame["row"].tolist()) == (severity == "Warning")


def test_a_goal_ending_before_it_starts_is_a_data_issue():
    grids = {"Goals": [["Owner", "Metric", "Period Start", "Period End", "Target"],
                       ["Company", "Revenue", "2026-03-01", "2026-01-31", 100],
                       ["Company", "Revenue", "2026-03-01", "2026-03-01", 100]]}
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Goals") == [
        (2, "Period End", "2026-01-31", "Warning",
         "Period End (2026-01-31) is before Period Start (2026-03-01), so the goal has no "
         "progress or pace: correct one of the two dates"),
    ]
    assert tables.goals["row"].tolist() == [2, 3]  # the goal stays; SMART notes it too


def test_a_refund_whose_deal_id_matches_no_deal_is_a_data_issue():
    grids = {
        "Pipeline": [PIPELINE, ["D-1", None, None, "Lead", 1, "2026-01-01", None]],
        "Orders": [["Date", "Amount", "Deal ID"],
                   ["2026-01-02", -5, "d-1"],  # a deal of Pipeline: linked
                   ["2026-01-03", 50, "D-7"], ["2026-01-04", -5, "D-7"],  # a sale in Orders
                   ["2026-01-05", -8, "D-9"],  # nothing to undo
                   ["2026-01-06", 9, "D-10"]],  # a sale without a deal: no refund, no issue
    }
    tables, issues = validate_workbook(grids, today=TODAY)
    assert issues_of(issues, "Orders") == [
        (5, "Deal ID", "D-9", "Warning",
         'This refund\'s Deal ID "D-9" matches no deal in Pipeline and no sale in Orders, so '
         "it takes no commission back (it still lowers revenue): correct the Deal ID or add "
         "the deal to Pipeline"),
    ]
    assert tables.orders["amount"].tolist() == [-5, 50, -5, -8, 9]  # every row still counts


def test_an_empty_team_says_an_owner_not_a_owner():
    grids = {"Pipeline": [PIPELINE, ["D-1", None, "Ana", "Lead", 1, "2026-01-01", None]],
             "Team": [["Rep"]]}
    _, issues = validate_workbook(grids, today=TODAY)
    assert [problem for *_, problem in issues_of(issues, "Pipeline")] == [
        "1 row names an Owner but the Team tab lists none: add them to Team",
    ]


def key_each(names):
    """The reference: `name_key` of each name, one at a time."""
    from sync.read.rules import name_key

    return [name_key(name) for name in names]


NAME_PIECES = ["Ana Ruiz", "ana ruiz", " Ana", "Bo ", "\tCo\n", "ACME Ltd.", "", "  ", "\x1cX",
               "Ｆｕｌｌ", "Straße", "İstanbul", "李雷", "a\x00b", "x\x1f", "17850"]


@pytest.mark.parametrize("names", [
    ["Ana Ruiz", "BO CHEN", "acme"],  # plain ASCII: keyed in one pass
    ["Ana Ruiz", None, "", "Bo"],  # blanks key as None
    [" Ana", "Bo"], ["Ana", "Bo\t"], ["Ana", "\x1fBo"],  # spaces around a name
    ["Ａｎａ", "ana"], ["Straße"], ["a\x00b", "c"],  # full-width, non-ASCII, the separator
    [1.0, "1"], [], [""], [None],
])
def test_name_keys_match_name_key_of_each_name(names):
    from sync.read.rules import name_keys

    assert name_keys(names) == key_each(names)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(NAME_PIECES),
                          st.text(alphabet=" \t\x0bAbz.\x1e-é中", max_size=6)), max_size=12))
def test_any_names_key_as_each_name_alone(names):
    from sync.read.rules import name_keys

    assert name_keys(names) == key_each(names)
