"""The tab declarations: one per tab, complete, and matching SPEC section 5's headers."""

import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from sync.schema import computed_tabs, declarations, input_tabs, settings_specs, tab_spec
from sync.schema.declarations import ComputeSpec, snake_case

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
        "Clawback Days", "Locale",
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


# The declarations carry each tab's position and compute function.


def test_positions_follow_the_declarations():
    assert [spec.position for spec in input_tabs()] == list(range(1, len(input_tabs()) + 1))
    assert [spec.tab for spec in computed_tabs()][:2] == ["Dashboard", "Funnel"]
    assert computed_tabs()[-1].tab == "Stage Log"


def test_compute_is_parsed_into_module_function_and_inputs():
    spec = ComputeSpec.parse("sync.compute.funnel:funnel(tables, stage_log)")
    assert (spec.module, spec.function, spec.inputs) == (
        "sync.compute.funnel", "funnel", ("tables", "stage_log")
    )


@pytest.mark.parametrize("text", ["funnel", "sync.compute.funnel:funnel", "m:f(tables, sales)"])
def test_a_malformed_compute_is_refused(text):
    with pytest.raises(ValueError):
        ComputeSpec.parse(text)


def _declare(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


COLUMN = "columns:\n  - {header: Rep, zh: 销售代表}\n"


def test_a_computed_tab_without_position_is_an_error_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setattr(declarations, "TEMPLATES_DIR", tmp_path)
    (tmp_path / "computed").mkdir()
    _declare(tmp_path / "computed", "mix.yaml",
             "tab: Product Mix\nzh: 产品结构\nkind: computed\ncompute: m:f(tables)\n" + COLUMN)
    with pytest.raises(declarations.DeclarationError, match="(?s)mix.yaml.*position"):
        declarations._load("computed")


def test_a_computed_tab_without_compute_is_an_error_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setattr(declarations, "TEMPLATES_DIR", tmp_path)
    (tmp_path / "computed").mkdir()
    _declare(tmp_path / "computed", "mix.yaml",
             "tab: Product Mix\nzh: 产品结构\nkind: computed\nposition: 1\n" + COLUMN)
    with pytest.raises(declarations.DeclarationError, match="declares no `compute"):
        declarations._load("computed")


def test_two_tabs_in_one_position_are_an_error_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setattr(declarations, "TEMPLATES_DIR", tmp_path)
    (tmp_path / "computed").mkdir()
    for name in ("a", "b"):
        _declare(tmp_path / "computed", f"{name}.yaml",
                 f"tab: {name}\nzh: {name}\nkind: computed\nposition: 1\n"
                 f"compute: m:f(tables)\n" + COLUMN)
    with pytest.raises(declarations.DeclarationError, match=r"positions 1 to 2 once each"):
        declarations._load("computed")


def test_a_declared_tab_is_computed_and_written_in_its_position(tmp_path, monkeypatch):
    """A new computed tab is its declaration and its function: the engine needs no edit."""
    import shutil

    from sync.contract.tables import WorkbookSettings, make_tables
    from sync.engine import compute_tabs

    for folder in ("input", "computed"):
        shutil.copytree(declarations.TEMPLATES_DIR / folder, tmp_path / folder)
    _declare(tmp_path / "computed", "product_mix.yaml",
             "tab: Product Mix\nzh: 产品结构\nkind: computed\nposition: 9\n"
             "compute: tests.test_schema:product_mix(tables)\n"
             "columns:\n  - {header: Product, zh: 产品}\n  - {header: Deals, zh: 商机数, "
             "type: integer}\n")
    monkeypatch.setattr(declarations, "TEMPLATES_DIR", tmp_path)
    declarations.input_tabs.cache_clear()
    declarations.computed_tabs.cache_clear()
    try:
        tables = make_tables(
            WorkbookSettings(as_of="2026-11-20"),
            pipeline=[{"deal_id": "D1", "stage": "Lead", "amount": 10, "created": "2026-11-01",
                       "product": "Pro"}],
        )
        computed = compute_tabs(tables, [], datetime(2026, 11, 20, 9))
        names = [output.name for output in computed.outputs]
        assert names[-1] == "Product Mix"
        assert computed.outputs[-1].rows == [["Pro", 1]]
    finally:
        declarations.input_tabs.cache_clear()
        declarations.computed_tabs.cache_clear()


def product_mix(tables):
    """Deals per product: the example computed tab of the test above."""
    counts = tables.pipeline.groupby("product").size()
    return pd.DataFrame({"Product": counts.index, "Deals": counts.to_numpy()})


def test_the_readme_lists_every_computed_tab_in_order():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Computed tabs", 1)[1].split("\n\n", 2)[1]
    listed = re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)
    assert listed == [spec.tab for spec in computed_tabs()]
