"""The tab declarations: one per tab, complete, and matching SPEC section 5's headers."""

import pytest

from sync.schema import computed_tabs, input_tabs, settings_specs, tab_spec
from sync.schema.declarations import snake_case

SPEC_COMPUTED_HEADERS = {
    "Funnel": ["Rep", "Stage", "Deals", "Amount", "Weighted Amount", "Reached",
               "Conversion From Previous", "Conversion From First", "Avg Days In Stage", "Flag"],
    "Deal Health": ["Deal ID", "Deal", "Owner", "Stage", "Amount", "Days In Stage",
                    "Typical Days", "Status"],
    "Customer Segments": ["Customer", "First Order", "Last Order", "Orders", "Revenue",
                          "Recency Days", "R", "F", "M", "RFM Segment", "Lifecycle",
                          "Value Tier", "NPS Group", "P(Alive)", "Expected Orders",
                          "Predicted Value"],
    "Commissions": ["Rep", "Period", "Revenue", "Quota", "Attainment", "Tier Commission",
                    "Bonuses", "Clawbacks", "Payout", "Explanation"],
    "Goal Progress": ["Goal Row", "Owner", "Metric", "Product", "Region", "Period Start",
                      "Period End", "Target", "Actual", "Attainment", "Expected By Now",
                      "Pace", "Forecast", "Gap", "SMART"],
    "Dashboard": ["KPI", "Value", "Target", "Status"],
    "Data Issues": ["Tab", "Row", "Column", "Value", "Severity", "Problem"],
    "Stage Log": ["Deal ID", "From Stage", "To Stage", "Changed At"],
}

SPEC_INPUT_HEADERS = {
    "Settings": ["Setting", "Value"],
    "Stages": ["Stage", "Order", "Probability", "Type"],
    "Team": ["Rep", "Email", "Team", "Manager", "Region", "Commission Plan", "Start Date",
             "Active"],
    "Goals": ["Owner", "Metric", "Period Start", "Period End", "Target", "Product", "Region",
              "Notes"],
    "Pipeline": ["Deal ID", "Deal", "Customer", "Owner", "Stage", "Amount", "Created",
                 "Expected Close", "Closed", "Product", "Region", "Source", "Lost Reason"],
    "Customers": ["Customer", "Industry", "Region", "Owner", "Email", "Satisfaction", "NPS",
                  "Since"],
    "Orders": ["Order ID", "Date", "Customer", "Amount", "Product", "Quantity", "Rep",
               "Deal ID"],
    "Commission Plans": ["Plan", "From %", "To %", "Rate", "Bonus"],
}


@pytest.mark.parametrize("tab", list(SPEC_COMPUTED_HEADERS))
def test_computed_tab_headers_follow_the_spec(tab):
    assert tab_spec(tab).headers == SPEC_COMPUTED_HEADERS[tab]


@pytest.mark.parametrize("tab", list(SPEC_INPUT_HEADERS))
def test_input_tab_headers_follow_the_spec(tab):
    assert tab_spec(tab).headers == SPEC_INPUT_HEADERS[tab]


def test_every_column_has_a_chinese_label_and_input_columns_have_help():
    for spec in (*input_tabs(), *computed_tabs()):
        assert spec.zh
        fields = [column.field for column in spec.columns]
        assert len(set(fields)) == len(fields), spec.tab
        for column in spec.columns:
            assert column.zh, (spec.tab, column.header)
            if spec.kind == "input":
                assert column.help, (spec.tab, column.header)


def test_settings_keys_follow_the_spec():
    keys = [setting.key for setting in settings_specs()]
    assert keys == [
        "Currency", "Period", "Fiscal Year Start", "As Of", "Date Format",
        "New Customer Days", "At Risk After Days", "Churned After Days", "Stuck Factor",
        "Rep Gap Points", "Prediction Horizon Days", "New Customer Bonus", "Team Bonus",
        "Clawback Days",
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [("Deal ID", "deal_id"), ("P(Alive)", "p_alive"), ("From %", "from_pct"),
     ("Avg Days In Stage", "avg_days_in_stage")],
)
def test_snake_case_field_names(header, field):
    assert snake_case(header) == field


def test_stage_defaults_follow_the_spec():
    rows = [(row["Stage"], row["Probability"], row["Type"]) for row in tab_spec("Stages").defaults]
    assert rows == [
        ("Lead", 0.10, "Open"), ("Qualified", 0.25, "Open"), ("Proposal", 0.50, "Open"),
        ("Negotiation", 0.75, "Open"), ("Won", 1.0, "Won"), ("Lost", 0.0, "Lost"),
    ]
