"""The Deal Health tab: days in stage, typical days, OK / Stuck / Overdue (SPEC section 5)."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.deal_health import deal_health, health_status
from sync.contract.tables import WorkbookSettings, make_tables
from sync.schema import tab_headers

LOG_HEADERS = tab_headers("Stage Log")

SETTINGS = WorkbookSettings(as_of=date(2026, 11, 15))  # Stuck Factor 2 by default


def deal(deal_id, stage, created, expected_close=None, amount=1000.0, closed=None):
    return dict(deal_id=deal_id, deal=f"Deal {deal_id}", owner="Ana", stage=stage,
                amount=amount, created=created, expected_close=expected_close, closed=closed)


@pytest.fixture
def health():
    tables = make_tables(SETTINGS, pipeline=[
        deal("P1", "Negotiation", "2026-10-26", expected_close="2026-11-14"),
        deal("P2", "Proposal", "2026-11-10"),
        deal("P3", "Proposal", "2026-10-01", expected_close="2026-11-15"),
        deal("Q1", "Qualified", "2026-08-01", expected_close="2026-11-01"),
        deal("Q2", "Qualified", "2026-11-05"),
        deal("Q3", "Qualified", "2026-11-10"),
        deal("W1", "Won", "2026-10-01", closed="2026-11-02"),
        deal("L1", "Lost", "2026-10-01", closed="2026-11-02"),
    ])
    log = pd.DataFrame([
        ["P1", None, "Proposal", pd.Timestamp("2026-11-01 08:00")],
        ["P1", "Proposal", "Negotiation", pd.Timestamp("2026-11-05 08:00")],
    ], columns=LOG_HEADERS)
    return deal_health(tables, log).set_index("Deal ID")


def test_one_row_per_open_deal_in_pipeline_order(health):
    assert list(health.reset_index().columns) == [  # SPEC section 5, in this order
        "Deal ID", "Deal", "Owner", "Stage", "Amount", "Days In Stage", "Typical Days", "Status",
    ]
    assert health.index.tolist() == ["P1", "P2", "P3", "Q1", "Q2", "Q3"]
    assert health.loc["P1", ["Deal", "Owner", "Stage", "Amount"]].tolist() == [
        "Deal P1", "Ana", "Negotiation", 1000.0]


def test_days_in_stage(health):
    # P1: Negotiation since the log saw it on 11-05 -> 10 days to As Of 11-15.
    # Not in the log: days since Created. P2 11-10 -> 5; P3 10-01 -> 45; Q1 08-01 -> 106;
    # Q2 11-05 -> 10; Q3 11-10 -> 5.
    assert health["Days In Stage"].tolist() == [10, 5, 45, 106, 10, 5]


def test_typical_days_is_the_median_over_every_stay_in_the_stage(health):
    # Proposal: P1's finished stay (Created 10-26, first seen there, left 11-05) = 10,
    # P2 5, P3 45 -> median 10. Negotiation: P1 10 -> 10. Qualified: 106, 10, 5 -> 10.
    assert health["Typical Days"].tolist() == [10, 10, 10, 10, 10, 10]


def test_status(health):
    # P1: Expected Close 11-14 is before As Of 11-15 -> Overdue.
    # P3: 45 days > 2 x 10 -> Stuck (Expected Close on As Of itself is not overdue).
    # Q1: 106 > 20 and Expected Close 11-01 passed: Overdue comes first.
    assert health["Status"].tolist() == ["Overdue", "OK", "Stuck", "Overdue", "OK", "OK"]


@pytest.mark.parametrize(("stuck_factor", "p3_status"), [(4.4, "Stuck"), (4.5, "OK")])
def test_stuck_factor_comes_from_the_settings(stuck_factor, p3_status):
    # P3: 45 days in Proposal against a typical 10: stuck above 4.4 x 10 = 44, not at 4.5 x 10
    tables = make_tables(SETTINGS.model_copy(update={"stuck_factor": stuck_factor}), pipeline=[
        deal("P2", "Proposal", "2026-11-10"),  # 5 days
        deal("P3", "Proposal", "2026-10-01"),  # 45 days
        deal("P4", "Proposal", "2026-11-05"),  # 10 days: median of 5, 10, 45 is 10
    ])
    table = deal_health(tables, pd.DataFrame(columns=LOG_HEADERS)).set_index("Deal ID")
    assert table["Typical Days"].tolist() == [10, 10, 10]
    assert table["Status"].tolist() == ["OK", p3_status, "OK"]


@pytest.mark.parametrize(
    ("days", "typical", "expected_close", "status"),
    [
        (21.0, 10.0, None, "Stuck"),  # 21 > 2 x 10
        (20.0, 10.0, None, "OK"),  # 20 is not more than 2 x 10
        (20.0, 10.0, pd.Timestamp("2026-11-14"), "Overdue"),
        (float("nan"), 10.0, None, "OK"),  # no days known: never Stuck
        (50.0, float("nan"), None, "OK"),  # no typical time known: never Stuck
    ],
)
def test_health_status_rules(days, typical, expected_close, status):
    assert health_status(days, typical, expected_close, date(2026, 11, 15), 2.0) == status


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]),
            st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 11, 15)),
        ),
        max_size=25,
    )
)
def test_every_open_deal_gets_one_row_and_a_known_status(deals):
    pipeline = [deal(f"D{i}", stage, created.isoformat(), closed="2026-11-15")
                for i, (stage, created) in enumerate(deals)]
    table = deal_health(make_tables(SETTINGS, pipeline=pipeline), pd.DataFrame(columns=LOG_HEADERS))
    assert len(table) == sum(stage not in ("Won", "Lost") for stage, _ in deals)
    assert set(table["Status"]) <= {"OK", "Stuck", "Overdue"}
    assert (table["Days In Stage"] >= 0).all()
