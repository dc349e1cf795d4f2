"""Revenue lines: what counts as revenue and who is credited (SPEC section 4)."""

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.names import name_key
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


def _lines_one_by_one(tables) -> list[tuple]:
    """The reference: revenue lines credited a line at a time, as the rule reads."""
    customers = tables.customers
    # a customer listed twice (a Data Issue) takes the last Owner and Region filled in
    filled: list[dict] = [{}, {}]
    for name, owner, region in zip(customers["customer"], customers["owner"],
                                   customers["region"], strict=True):
        for index, value in enumerate((owner, region)):
            if isinstance(value, str):
                filled[index][name_key(name)] = value
    deals = {deal.deal_id: deal for deal in tables.pipeline.itertuples()}

    def text(value):
        return value if isinstance(value, str) else None

    def customer_value(key, index):
        return filled[index].get(key)

    lines = []
    for order in tables.orders.itertuples():
        deal = deals.get(order.deal_id) if isinstance(order.deal_id, str) else None
        key = name_key(order.customer)
        rep = order.rep if not pd.isna(order.rep) else (deal.owner if deal else None)
        region = text(deal.region) if deal else None
        lines.append((
            order.date, order.amount, text(rep) or customer_value(key, 0),
            text(order.customer), key, text(order.product),
            region or customer_value(key, 1), text(order.deal_id), text(order.order_id),
            "order", order.row,
        ))
    sold = {order.deal_id for order in tables.orders.itertuples() if order.amount >= 0}
    for deal in tables.pipeline.itertuples():
        if deal.stage == "Won" and deal.deal_id not in sold:
            key = name_key(deal.customer)
            lines.append((
                deal.closed, 0.0 if pd.isna(deal.amount) else deal.amount,
                text(deal.owner) or customer_value(key, 0), text(deal.customer), key,
                text(deal.product), text(deal.region) or customer_value(key, 1),
                deal.deal_id, None, "deal", deal.row,
            ))
    return lines


NAMES = st.sampled_from([None, "Acme", "acme ", "ＡＣＭＥ", "Zed", " "])
REPS = st.sampled_from([None, "Ana", "Bo", " "])
REGIONS = st.sampled_from([None, "North", "South"])


@settings(max_examples=60, deadline=None)
@given(
    orders=st.lists(st.fixed_dictionaries({
        "order_id": st.sampled_from([None, "O1", "O2"]),
        "date": st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 26)),
        "customer": NAMES, "rep": REPS, "product": st.sampled_from([None, "Pro", "Lite"]),
        "amount": st.integers(min_value=-300, max_value=900),
        "deal_id": st.sampled_from([None, "D1", "D2", "D3", "D9"]),
    }), max_size=12),
    deals=st.lists(st.fixed_dictionaries({
        "stage": st.sampled_from(["Won", "Lost", "Proposal"]), "owner": REPS,
        "customer": NAMES, "region": REGIONS, "product": st.sampled_from([None, "Pro"]),
        "amount": st.sampled_from([None, 0, 250, 1000]),
        "closed": st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 26)),
    }), max_size=4),
    customers=st.lists(st.tuples(NAMES, REPS, REGIONS), max_size=3),
)
def test_revenue_lines_equal_the_rule_applied_line_by_line(orders, deals, customers):
    tables = make_tables(
        SETTINGS,
        orders=orders,
        pipeline=[dict(deal, deal_id=f"D{number}", created="2025-01-01")
                  for number, deal in enumerate(deals, start=1)],
        customers=[dict(customer=name, owner=owner, region=region)
                   for name, owner, region in customers if name and name.strip()],
    )
    lines = revenue_lines(tables)
    assert [tuple(line) for line in lines.itertuples(index=False)] == [
        tuple(pd.Timestamp(value) if isinstance(value, date) else value for value in line)
        for line in _lines_one_by_one(tables)
    ]
    assert all(isinstance(value, str | None) for name in ("rep", "region", "customer_key")
               for value in lines[name])
