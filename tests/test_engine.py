"""The whole sync: read -> validate -> compute -> write, end to end."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.engine import compute_tabs, sync_workbook
from sync.read import validate_workbook
from sync.schema import computed_tabs, tab_spec

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30)
COMPUTED = [spec.tab for spec in computed_tabs()]


def sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("engine") / "demo.xlsx"
    write_input_workbook(path, demo_grids(size=1, seed=7, today=TODAY))
    return path


def test_sync_writes_every_computed_tab_and_reports(demo_book):
    report = sync_workbook(XlsxBackend(demo_book), now=NOW)
    assert report.tabs_written == COMPUTED
    assert report.rows_read["Pipeline"] == 300
    assert report.rows_read["Orders"] == 2000
    assert report.as_of == TODAY
    # the demo's four honest mistakes are the four Errors
    assert report.error_count == 4
    assert [kpi.name for kpi in report.kpis] == [
        "Revenue This Period",
        "Revenue Goal Attainment",
        "Win Rate",
        "Average Deal Size",
        "Sales Cycle Days",
        "Sales Velocity Per Day",
        "Open Pipeline",
        "Weighted Pipeline",
        "Pipeline Coverage",
        "Stuck Deals",
        "Customers At Risk",
        "NPS",
        "Data Issues",
    ]
    for tab in COMPUTED:
        rows = sheet(demo_book, tab)
        assert rows[0][: len(tab_spec(tab).headers)] == tab_spec(tab).headers
    issues = sheet(demo_book, "Data Issues")[1:]
    assert not [row for row in issues if "could not be computed" in str(row[5])]
    assert sorted(row[2] for row in issues if row[4] == "Error") == [
        "Amount",
        "Closed",
        "Deal ID",
        "Stage",
    ]


def test_a_sync_reports_the_seconds_of_each_step_and_computed_tab(tmp_path, demo_book):
    # what `benchmarks/bench_sizes.py` splits a sync's time by (no time is asserted)
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(demo_book.read_bytes())
    report = sync_workbook(XlsxBackend(copy), now=NOW)
    assert list(report.step_seconds) == ["read", "validate", "compute", "write"]
    declared = [spec.tab for spec in computed_tabs() if spec.compute is not None]
    assert list(report.tab_seconds) == ["Stage Log", *declared, "Dashboard", "write plan"]
    assert all(seconds >= 0 for seconds in report.step_seconds.values())
    assert sum(report.tab_seconds.values()) <= report.step_seconds["compute"]


def test_a_second_sync_appends_nothing_to_the_stage_log(tmp_path):
    from sync.demo.workbook import write_demo_workbook

    # The demo workbook carries the history its syncs would have logged, so the first sync
    # of it already appends nothing.
    book = write_demo_workbook(tmp_path / "demo.xlsx", today=TODAY)
    history = sheet(book, "Stage Log")
    sync_workbook(XlsxBackend(book), now=NOW)
    first = sheet(book, "Stage Log")
    sync_workbook(XlsxBackend(book), now=NOW + timedelta(hours=1))
    second = sheet(book, "Stage Log")
    assert first == history
    assert second == first
    # 299 deals logged: the 300 rows less the one whose Deal ID repeats the row above's.
    # Each is first seen in Lead, then moves on: 226 to Qualified, 178 to Proposal,
    # 114 to Negotiation, 76 to Won and 160 to Lost.
    # 299 + 226 + 178 + 114 + 76 + 160 = 1,053 rows
    assert len(first) - 1 == 1053


def test_the_owners_input_tabs_are_not_written(demo_book):
    before = {name: sheet(demo_book, name) for name in ("Pipeline", "Orders", "Goals")}
    sync_workbook(XlsxBackend(demo_book), now=NOW)
    assert {name: sheet(demo_book, name) for name in before} == before


# A workbook of plausible but awkward values: zero amounts, one-day periods, reps and
# customers that appear nowhere else, deals in every stage, refunds, empty tabs.
names = st.sampled_from(["Ana", "Bo", "Cy", "Di", ""])
customers = st.sampled_from(["Acme", "acme ", "Zed", "Orbit", None])
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 3, 1))
stages = st.sampled_from(["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"])


@st.composite
def workbooks(draw):
    pipeline = [
        [
            "Deal ID",
            "Customer",
            "Owner",
            "Stage",
            "Amount",
            "Created",
            "Expected Close",
            "Closed",
            "Product",
            "Region",
        ]
    ]
    for index in range(draw(st.integers(0, 12))):
        created = draw(days)
        pipeline.append(
            [
                f"D{index}",
                draw(customers),
                draw(names),
                draw(stages),
                draw(st.sampled_from([0, 1, 999.5, 25000])),
                created,
                draw(st.none() | days),
                created + timedelta(days=draw(st.integers(0, 90))),
                draw(st.sampled_from(["Pro", "Lite", None])),
                draw(st.sampled_from(["N", "S", None])),
            ]
        )
    orders = [["Order ID", "Date", "Customer", "Amount", "Rep", "Deal ID", "Product"]]
    for index in range(draw(st.integers(0, 25))):
        orders.append(
            [
                draw(st.sampled_from([f"O{index}", "O1", None])),
                draw(days),
                draw(customers),
                draw(st.sampled_from([-300, -1, 0, 10, 1200.5, 90000])),
                draw(names),
                draw(st.sampled_from([None, "D0", "D1", "D9"])),
                draw(st.sampled_from(["Pro", None])),
            ]
        )
    team = [["Rep", "Team", "Commission Plan", "Active"]] + [
        [
            rep,
            draw(st.sampled_from(["East", "West", None])),
            draw(st.sampled_from(["Std", "X", None])),
            draw(st.sampled_from(["Yes", "No"])),
        ]
        for rep in ("Ana", "Bo", "Cy")
    ]
    plans = [["Plan", "From %", "To %", "Rate", "Bonus"]] + draw(
        st.sampled_from(
            [
                [],
                [["Std", "0%", "100%", "5%", None], ["Std", "100%", None, "8%", 500]],
                [["Std", "0%", "50%", "2%", None], ["Std", "40%", None, "5%", None]],  # overlap
                [["Std", "10%", None, "3%", 0]],  # no tier from 0%
            ]
        )
    )
    goals = [["Owner", "Metric", "Period Start", "Period End", "Target", "Product", "Region"]]
    for _ in range(draw(st.integers(0, 6))):
        start = draw(days)
        goals.append(
            [
                draw(st.sampled_from(["Ana", "East", "Company", "Nobody"])),
                draw(
                    st.sampled_from(["Revenue", "Deals Won", "New Customers", "Pipeline Created"])
                ),
                start,
                start + timedelta(days=draw(st.integers(-5, 120))),
                draw(st.sampled_from([0, 1, 50000, -3, None])),
                draw(st.sampled_from([None, "Pro"])),
                draw(st.sampled_from([None, "N"])),
            ]
        )
    customer_rows = [["Customer", "NPS", "Satisfaction", "Owner"]] + [
        [
            name,
            draw(st.sampled_from([None, 0, 6, 9, 10])),
            draw(st.sampled_from([None, 1, 5])),
            draw(names),
        ]
        for name in ("Acme", "Zed", "Quiet")
    ]
    period = draw(st.sampled_from(["Month", "Quarter"]))
    settings_rows = [
        ["Setting", "Value"],
        ["As Of", draw(days)],
        ["Period", period],
        ["Fiscal Year Start", draw(st.integers(1, 12))],
        ["New Customer Bonus", 100],
        ["Team Bonus", 50],
    ]
    return {
        "Pipeline": pipeline,
        "Orders": orders,
        "Team": team,
        "Commission Plans": plans,
        "Goals": goals,
        "Customers": customer_rows,
        "Settings": settings_rows,
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_no_workbook_makes_a_computation_fail(grids):
    tables, issues = validate_workbook(grids, today=TODAY)
    computed = compute_tabs(tables, issues, NOW)
    failures = [
        issue.problem for issue in computed.issues if "could not be computed" in issue.problem
    ]
    assert failures == []
    assert [output.name for output in computed.outputs] == COMPUTED
    for output in computed.outputs:
        assert output.headers[: len(tab_spec(output.name).headers)] == tab_spec(output.name).headers
        assert all(len(row) == len(output.columns) for row in output.rows)


def test_goal_progress_and_goal_suggestions_share_one_working_out_of_the_goal_figures(
    monkeypatch,
) -> None:
    from sync.compute import goals

    built = []
    original = goals.GoalFigures.__init__

    def counting(self, tables, revenue) -> None:
        built.append(id(tables))
        original(self, tables, revenue)

    monkeypatch.setattr(goals.GoalFigures, "__init__", counting)
    tables, issues = validate_workbook(demo_grids(1, 7, today=date(2026, 11, 26)),
                                       today=date(2026, 11, 26))
    computed = compute_tabs(tables, issues, datetime(2026, 11, 26, 9))
    names = [output.name for output in computed.outputs]
    assert "Goal Progress" in names and "Goal Suggestions" in names
    assert len(built) == 1  # one indexing of revenue, deals and first purchases for both tabs


def _demo_tables():
    return validate_workbook(demo_grids(size=1, seed=7, today=TODAY), today=TODAY)


def test_the_purchase_models_start_fitting_before_the_other_tabs_are_computed(monkeypatch):
    # So that they fit on the fitting process's core meanwhile (sync/fitting.py).
    import sync.compute.funnel
    import sync.compute.segments

    events: list[str] = []
    start, funnel = sync.compute.segments.started_on_scipy_runner, sync.compute.funnel.funnel

    def started(*args, **kwargs):
        events.append("fit started")
        return start(*args, **kwargs)

    def computed_funnel(*args, **kwargs):
        events.append("Funnel")
        return funnel(*args, **kwargs)

    monkeypatch.setattr(sync.compute.segments, "started_on_scipy_runner", started)
    monkeypatch.setattr(sync.compute.funnel, "funnel", computed_funnel)
    tables, issues = _demo_tables()
    computed = compute_tabs(tables, issues, NOW)
    assert events == ["fit started", "Funnel"]
    assert computed.frames["Customer Segments"]["Predicted Value"].notna().sum() == 100


def test_a_failure_in_the_early_customer_history_is_the_customer_segments_tab_s(monkeypatch):
    import sync.compute.segments

    def broken(*_args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(sync.compute.segments, "customer_history", broken)
    tables, issues = _demo_tables()
    computed = compute_tabs(tables, issues, NOW)
    failed = [issue.problem for issue in computed.issues if issue.tab == "Customer Segments"]
    assert failed == [
        "The Customer Segments tab could not be computed (ZeroDivisionError: division by "
        "zero). The other tabs are up to date; please report this with your workbook."
    ]
    assert computed.frames["Funnel"].shape[0] > 0  # the other tabs are computed all the same
