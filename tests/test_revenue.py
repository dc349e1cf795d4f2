"""Revenue lines: what counts as revenue and who is credited (SPEC section 4)."""

from datetime import date

from sync.compute.revenue import revenue_lines
from sync.contract.tables import WorkbookSettings, make_tables

SETTINGS = WorkbookSettings(as_of=date(2026, 11, 26))


def test_orders_and_unlinked_won_deals_are_revenue():
    tables = make_tables(
        SETTINGS,
        pipeline=[
            # D1 is fulfilled by order O1: counted once, through the order
            dict(deal_id="D1", owner="Ana", stage="Won", amount=1000, created="2026-01-01",
                 closed="2026-02-01", customer="Acme"),
            # D2 has no order: counted on its Closed day for its Owner
            dict(deal_id="D2", owner="Bo", stage="Won", amount=500, created="2026-01-01",
                 closed="2026-03-01", customer="Zed"),
            # D3 is open: not revenue
            dict(deal_id="D3", owner="Bo", stage="Proposal", amount=900, created="2026-01-01"),
        ],
        orders=[
            # no Rep on the order: credit goes to the linked deal's Owner (Ana)
            dict(order_id="O1", date="2026-02-03", customer="acme ", amount=1000, deal_id="D1"),
            # no Rep, no deal: credit goes to the customer's Owner (Cy); refunds are negative
            dict(order_id="O2", date="2026-02-04", customer="ZED", amount=-50),
            dict(order_id="O3", date="2026-02-05", customer="Zed", amount=70, rep="Di"),
        ],
        customers=[dict(customer="Zed", owner="Cy", region="North")],
    )
    lines = revenue_lines(tables)
    assert lines[["amount", "rep", "source"]].values.tolist() == [
        [1000.0, "Ana", "order"],
        [-50.0, "Cy", "order"],
        [70.0, "Di", "order"],
        [500.0, "Bo", "deal"],
    ]
    # 1000 - 50 + 70 + 500 = 1520
    assert lines["amount"].sum() == 1520.0
    assert lines["customer_key"].tolist() == ["acme", "zed", "zed", "zed"]
    assert lines["region"].tolist() == [None, "North", "North", "North"]


def test_no_rows_gives_empty_lines():
    lines = revenue_lines(make_tables(SETTINGS))
    assert len(lines) == 0
    assert "rep" in lines.columns
