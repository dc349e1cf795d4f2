"""Revenue lines: who is credited with what, on which day (SPEC section 4, Revenue)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from sync.compute.names import customer_key, distinct_map, name_key, text_cells
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
    Text columns hold text or None. Each column is worked out whole, and every lookup
    (a deal's owner and region, a customer's key, owner and region) once per distinct value.
    """
    orders, pipeline = tables.orders, tables.pipeline
    deal_owner = dict(zip(pipeline["deal_id"], pipeline["owner"], strict=True))
    deal_region = dict(zip(pipeline["deal_id"], pipeline["region"], strict=True))

    order_deal = orders["deal_id"].astype(object)
    order_rep = orders["rep"].to_numpy(dtype=object, copy=True)
    missing_rep = pd.isna(order_rep)
    if missing_rep.any():
        order_rep[missing_rep] = distinct_map(
            order_deal[missing_rep], partial(_linked, deal_owner)
        )
    order_region = distinct_map(order_deal, partial(_linked, deal_region))

    # A refund linked to a deal undoes part of the sale; it does not stand in for the sale.
    linked = set(orders.loc[orders["amount"] >= 0, "deal_id"].dropna())
    won = pipeline[
        pipeline["stage"].isin(won_stages(tables.stages)) & ~pipeline["deal_id"].isin(linked)
    ]
    order_lines = pd.DataFrame({
        "date": pd.to_datetime(orders["date"]),
        "amount": orders["amount"].astype(float),
        "source": "order",
        "row": orders["row"],
    })
    deal_lines = pd.DataFrame({
        "date": pd.to_datetime(won["closed"]),
        "amount": won["amount"].astype(float).fillna(0.0),
        "source": "deal",
        "row": won["row"],
    })
    lines = (
        pd.concat([order_lines, deal_lines], ignore_index=True) if len(deal_lines)
        else order_lines.reset_index(drop=True)
    )

    def cells(order_cells: pd.Series | np.ndarray, deal_cells: pd.Series | None) -> pd.Series:
        """The order lines' cells, then the deal lines', as objects."""
        order_part = pd.Series(order_cells, dtype=object, copy=False)
        if not len(deal_lines):
            return order_part
        deal_part = pd.Series(None if deal_cells is None else deal_cells, dtype=object,
                              index=won.index)
        return pd.concat([order_part, deal_part], ignore_index=True)

    customer, keys, owner_of_key, region_of_key = _customer_lookups(
        tables.customers, cells(orders["customer"], won["customer"])
    )
    rep = text_cells(cells(order_rep, won["owner"]))
    region = text_cells(cells(order_region, won["region"]))
    no_rep, no_region = pd.isna(rep), pd.isna(region)
    rep[no_rep] = owner_of_key[no_rep]
    region[no_region] = region_of_key[no_region]
    text = {
        "rep": rep, "customer": customer, "customer_key": keys,
        "product": text_cells(cells(orders["product"], won["product"])),
        "region": region, "deal_id": text_cells(cells(order_deal, won["deal_id"])),
        # a deal's line has no order
        "order_id": text_cells(cells(orders["order_id"], None)),
    }
    columns = {  # text stays plain objects with None for blank, whatever pandas would infer
        name: pd.Series(text[name], index=lines.index, dtype=object, copy=False)
        if name in text else lines[name]
        for name in REVENUE_COLUMNS
    }
    return pd.DataFrame(columns, copy=False)


def _customer_lookups(
    customers: pd.DataFrame, names: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per revenue line: its customer as text (None when not text), the customer's key, and
    the Owner and Region Customers gives it; each worked out once per distinct name."""
    owner_of_customer = _by_customer(customers, "owner")
    region_of_customer = _by_customer(customers, "region")
    codes, distinct = pd.factorize(names, use_na_sentinel=True)
    texts = [name if isinstance(name, str) else None for name in distinct] + [None]
    keys = [name_key(name) for name in texts]
    owners = [owner_of_customer.get(key or "") for key in keys]
    regions = [region_of_customer.get(key or "") for key in keys]
    return tuple(  # type: ignore[return-value]
        np.array(values, dtype=object)[codes] for values in (texts, keys, owners, regions)
    )
