"""Revenue lines: who is credited with what, on which day (SPEC section 4, Revenue)."""

from __future__ import annotations

from functools import partial

import pandas as pd

from sync.compute.names import customer_key, name_key, per_distinct
from sync.contract.tables import Tables

REVENUE_COLUMNS = [
    "date",
    "amount",
    "rep",
    "customer",
    "customer_key",
    "product",
    "region",
    "deal_id",
    "order_id",
    "source",
    "row",
]


def _by_customer(customers: pd.DataFrame, column: str) -> dict[str, str]:
    """A Customers column by customer key, where both are filled."""
    return {
        key: value
        for key, value in zip(customer_key(customers["customer"]), customers[column], strict=True)
        if key is not None and isinstance(value, str)
    }


def _linked(by_deal: dict[object, object], deal_id: object) -> object:
    """A linked deal's value; nothing for an order without a Deal ID."""
    return by_deal.get(deal_id) if isinstance(deal_id, str) else None


def won_stages(stages: pd.DataFrame) -> set[str]:
    """Names of the stages of type Won."""
    return set(stages.loc[stages["type"] == "Won", "stage"])


def revenue_lines(tables: Tables) -> pd.DataFrame:
    """One line per revenue event: every Orders row (refunds negative), plus each Won deal
    whose Deal ID appears in no Orders sale (a refund row does not count), dated on its
    Closed day.

    Credit goes to the order's Rep, else the linked deal's Owner, else the customer's Owner.
    `source` is `order` or `deal`; `row` is the sheet row on the Orders or Pipeline tab.
    """
    orders, pipeline = tables.orders, tables.pipeline
    owner_of_customer = _by_customer(tables.customers, "owner")
    region_of_customer = _by_customer(tables.customers, "region")
    deal_owner = dict(zip(pipeline["deal_id"], pipeline["owner"], strict=True))
    deal_region = dict(zip(pipeline["deal_id"], pipeline["region"], strict=True))

    order_lines = pd.DataFrame(
        {
            "date": pd.to_datetime(orders["date"]),
            "amount": orders["amount"].astype(float),
            "rep": orders["rep"].astype(object),
            "customer": orders["customer"].astype(object),
            "product": orders["product"].astype(object),
            "deal_id": orders["deal_id"].astype(object),
            "order_id": orders["order_id"].astype(object),
            "source": "order",
            "row": orders["row"],
        }
    )
    # looked up once per distinct Deal ID, not once per order line
    order_lines["region"] = pd.Series(
        per_distinct(order_lines["deal_id"], partial(_linked, deal_region)),
        index=order_lines.index, dtype=object,
    )
    missing_rep = order_lines["rep"].isna()
    order_lines.loc[missing_rep, "rep"] = pd.Series(
        per_distinct(order_lines.loc[missing_rep, "deal_id"], partial(_linked, deal_owner)),
        index=order_lines.index[missing_rep], dtype=object,
    )

    # A refund linked to a deal undoes part of the sale; it does not stand in for the sale.
    linked = set(orders.loc[orders["amount"] >= 0, "deal_id"].dropna())
    won = pipeline[
        pipeline["stage"].isin(won_stages(tables.stages)) & ~pipeline["deal_id"].isin(linked)
    ]
    deal_lines = pd.DataFrame(
        {
            "date": pd.to_datetime(won["closed"]),
            "amount": won["amount"].astype(float).fillna(0.0),
            "rep": won["owner"].astype(object),
            "customer": won["customer"].astype(object),
            "product": won["product"].astype(object),
            "region": won["region"].astype(object),
            "deal_id": won["deal_id"].astype(object),
            "order_id": None,
            "source": "deal",
            "row": won["row"],
        }
    )
    lines = (
        pd.concat([order_lines, deal_lines], ignore_index=True) if len(deal_lines) else order_lines
    )
    lines = lines.reset_index(drop=True)
    # Text columns are plain objects with None for blank, whatever dtype pandas inferred.
    text = {
        name: [value if isinstance(value, str) else None for value in lines[name]]
        for name in ("rep", "region", "customer", "product", "deal_id", "order_id")
    }
    keys = per_distinct(pd.Series(text["customer"], dtype=object), name_key)
    text["customer_key"] = keys
    text["rep"] = [
        rep if rep is not None else owner_of_customer.get(key or "")
        for rep, key in zip(text["rep"], keys, strict=True)
    ]
    text["region"] = [
        region if region is not None else region_of_customer.get(key or "")
        for region, key in zip(text["region"], keys, strict=True)
    ]
    for name, values in text.items():
        lines[name] = pd.Series(values, index=lines.index, dtype=object)
    return lines[REVENUE_COLUMNS]
