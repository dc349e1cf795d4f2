"""The Customer Segments tab: RFM, lifecycle, value tier, NPS group and predictions.

Definitions are SPEC section 4. Choices the SPEC leaves open (written down in
docs/figures-commissions-customers.md):
- an order is a revenue line with a non-negative amount; a refund (negative amount) lowers
  the customer's revenue but is not an order, an order day or a last order;
- only lines dated on or before `As Of` count: the tab describes customers as of that day;
- rows are ordered customers with orders first, highest revenue first, then by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync.compute.names import customer_key
from sync.compute.predictions import PurchaseModel, purchase_model, started_on_scipy_runner
from sync.contract.tables import Issue, Tables
from sync.i18n import _
from sync.schema import tab_headers

MIN_REPEAT_CUSTOMERS = 20

# (segment, recency scores, frequency scores, extra rule); the first match wins (SPEC 4).
SEGMENT_RULES: list[tuple[str, set[int], set[int]]] = [
    ("Champions", {5}, {4, 5}),
    ("Loyal", {4, 5}, {3, 4, 5}),
    ("Loyal", {3}, {4, 5}),
    ("Potential Loyalist", {4, 5}, {2, 3}),
    ("New Customer", {5}, {1}),
    ("Promising", {4}, {1}),
    ("Need Attention", {3}, {3}),
    ("About To Sleep", {3}, {1, 2}),
    ("Cannot Lose Them", {1, 2}, {5}),
    ("At Risk", {1, 2}, {3, 4}),
    ("Hibernating", {1, 2}, {1, 2}),
]


def rfm_segment(recency_score: int, frequency_score: int) -> str:
    """The RFM segment of an (R, F) pair by SPEC's table, first match wins."""
    for name, recency_scores, frequency_scores in SEGMENT_RULES:
        if recency_score in recency_scores and frequency_score in frequency_scores:
            return name
    raise ValueError(f"R {recency_score} F {frequency_score} is outside 1-5")


def quintile_scores(values: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Scores 1-5 with values ranked worst (lowest) first, ties by name: ceil(5 rank / n)."""
    n = len(values)
    if n == 0:
        return np.array([], dtype=int)
    order = np.lexsort((names, values))  # last key sorts first
    ranks = np.empty(n, dtype=int)
    ranks[order] = np.arange(1, n + 1)
    return (5 * ranks + n - 1) // n


def nps_group(score: float | None) -> str | None:
    """Promoter 9-10, Passive 7-8, Detractor 0-6; None without an answer."""
    if score is None or pd.isna(score):
        return None
    if score >= 9:
        return "Promoter"
    return "Passive" if score >= 7 else "Detractor"


def value_tiers(revenue: pd.Series, keys: pd.Series) -> pd.Series:
    """A/B/C: A while the customers ahead hold < 80% of revenue, B < 95%, else C."""
    order = pd.DataFrame({"revenue": revenue, "key": keys})
    order = order.sort_values(["revenue", "key"], ascending=[False, True], kind="mergesort")
    positive = order["revenue"].clip(lower=0.0)
    total = float(positive.sum())
    ahead = positive.cumsum() - positive
    share = ahead / total if total > 0 else pd.Series(1.0, index=order.index)
    tiers = np.where(share < 0.80, "A", np.where(share < 0.95, "B", "C"))
    tiers = np.where(order["revenue"] > 0, tiers, "C")
    return pd.Series(tiers, index=order.index).reindex(revenue.index)


def _display_names(listed: pd.DataFrame, lines: pd.DataFrame) -> dict[str, str]:
    """Each customer key's name: as in Customers (`listed`: its named rows with their `key`),
    else as first written on a revenue line."""
    first = ~lines["customer_key"].duplicated()  # the first line of each customer
    names = {
        key: name.strip()
        for key, name in zip(lines.loc[first, "customer_key"], lines.loc[first, "customer"],
                             strict=True)
    }
    for key, name in zip(listed["key"], listed["customer"], strict=True):
        if key:
            names[key] = name.strip()
    return names


def _order_counts(purchases: pd.DataFrame) -> pd.Series:
    """Orders per customer key: distinct Order IDs, a line without one counting alone."""
    key_codes, keys = pd.factorize(purchases["customer_key"])  # -1: no customer
    order_codes, order_ids = pd.factorize(purchases["order_id"])  # -1: no Order ID
    known = key_codes >= 0
    with_id = known & (order_codes >= 0)
    width = len(order_ids) + 1
    pairs = pd.unique(key_codes[with_id].astype(np.int64) * width + order_codes[with_id])
    counts = np.bincount(pairs // width, minlength=len(keys)) + np.bincount(
        key_codes[known & ~with_id], minlength=len(keys)
    )
    return pd.Series(counts, index=keys)


def purchase_history(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per customer key: orders, revenue and the BG/NBD summary (x, t_x, T in days).

    `lines` are revenue lines with a customer key and a date on or before `as_of`.
    """
    narrow = pd.DataFrame({  # only the columns read here, not a copy of every line
        "customer_key": lines["customer_key"], "amount": lines["amount"],
        "order_id": lines["order_id"], "day": lines["date"].dt.normalize(),
    })
    revenue = narrow.groupby("customer_key")["amount"].sum()
    purchases = narrow[narrow["amount"] >= 0]
    day_spend = purchases.groupby(["customer_key", "day"])["amount"].sum().reset_index()
    order_days = day_spend.groupby("customer_key")["day"]
    first_day = order_days.transform("min")
    repeat_spend = day_spend[day_spend["day"] > first_day].groupby("customer_key")["amount"].mean()
    history = pd.DataFrame({
        "first_order": order_days.min(),
        "last_order": order_days.max(),
        "order_days": order_days.size(),
    })
    history["orders"] = _order_counts(purchases).reindex(history.index).fillna(0).astype(int)
    history["x"] = (history["order_days"] - 1).astype(float)
    history["t_x"] = (history["last_order"] - history["first_order"]).dt.days.astype(float)
    history["T"] = (as_of - history["first_order"]).dt.days.astype(float)
    history["repeat_spend"] = repeat_spend.reindex(history.index).fillna(0.0)
    history = history.reindex(revenue.index.union(history.index))
    history["revenue"] = revenue.reindex(history.index).fillna(0.0)
    return history


def _start_predictions(
    history: pd.DataFrame, horizon: float
) -> Callable[[], tuple[pd.DataFrame, list[Issue]]]:
    """Start fitting the purchase models (in the fitting process when there is one); the
    function returned waits for P(Alive), Expected Orders and Predicted Value per customer
    with orders, or blanks and why."""
    buyers = history.dropna(subset=["first_order"])
    result = pd.DataFrame(np.nan, index=buyers.index,
                          columns=["P(Alive)", "Expected Orders", "Predicted Value"])
    repeat = int((buyers["x"] > 0).sum())
    if repeat < MIN_REPEAT_CUSTOMERS:
        why = _("only {repeat} customers have ordered on more than one day, and the purchase "
                "model needs at least {needed}. They fill in as repeat orders are recorded."
                ).format(repeat=repeat, needed=MIN_REPEAT_CUSTOMERS)
        return lambda: (result, [_blank_predictions(why)])
    fitted = started_on_scipy_runner(
        purchase_model, *(buyers[column].to_numpy(dtype=float)
                          for column in ("x", "t_x", "T", "repeat_spend")), horizon,
    )
    return lambda: _predictions(result, fitted())


def _blank_predictions(why: str) -> Issue:
    return Issue(
        tab="Customer Segments", column="Predicted Value", severity="Warning",
        problem=_("P(Alive), Expected Orders and Predicted Value are blank: {why}").format(
            why=why),
    )


def _predictions(result: pd.DataFrame, model: PurchaseModel
                 ) -> tuple[pd.DataFrame, list[Issue]]:
    """The predictions' columns filled from the fitted model, with a warning for each part
    it could not predict."""
    if model.orders_failed is not None:
        return result, [_blank_predictions(
            _("the repeat-purchase model could not be fitted ({error}). "
              "Check Orders dates and As Of.").format(error=_(model.orders_failed)))]
    if model.orders_infinite or model.alive is None or model.expected is None:
        return result, [_blank_predictions(
            _("the fitted repeat-purchase model gives no finite prediction for these "
              "customers (their order dates are too uniform to model)."))]
    result["P(Alive)"] = model.alive
    result["Expected Orders"] = model.expected
    if model.value_failed is not None:
        return result, [Issue(
            tab="Customer Segments", column="Predicted Value", severity="Warning",
            problem=_("Predicted Value is blank: the order-value model could not be fitted "
                      "({error}).").format(error=_(model.value_failed)),
        )]
    if model.value_infinite or model.order_value is None:
        return result, [Issue(
            tab="Customer Segments", column="Predicted Value", severity="Warning",
            problem=_("Predicted Value is blank: order values vary too much between customers "
                      "to give a finite expected order value."),
        )]
    result["Predicted Value"] = model.expected * model.order_value
    return result, []


def lifecycle_stages(history: pd.DataFrame, open_deal_keys: set[str], settings) -> pd.Series:
    """Prospect, Inactive, Churned, At Risk, New or Active: the first that applies."""
    no_orders = history["first_order"].isna()
    since_last = history["Recency Days"]
    since_first = history["T"]
    stage = np.select(
        [
            no_orders & history.index.isin(list(open_deal_keys)),
            no_orders,
            since_last > settings.churned_after_days,
            since_last > settings.at_risk_after_days,
            since_first <= settings.new_customer_days,
        ],
        ["Prospect", "Inactive", "Churned", "At Risk", "New"],
        default="Active",
    )
    return pd.Series(stage, index=history.index, dtype=object)


@dataclass
class CustomerHistory:
    """What Customer Segments works out first: each customer's display name and order
    history, and the purchase models' fit, started (`predictions` waits for it)."""

    names: dict[str, str]  # customer key -> the name shown
    listed: pd.DataFrame  # the Customers tab's named rows, with their `key`
    history: pd.DataFrame  # `purchase_history` of every customer, by key, sorted
    predictions: Callable[[], tuple[pd.DataFrame, list[Issue]]]


def customer_history(tables: Tables, revenue: pd.DataFrame) -> CustomerHistory | None:
    """Every customer's history, and the purchase models' fit started on it; None when no
    customer is named in Customers or Orders."""
    settings = tables.settings
    as_of = pd.Timestamp(settings.as_of)
    read = revenue[["customer_key", "customer", "date", "amount", "order_id"]]
    named = read[read["customer_key"].notna() & read["date"].notna()]
    listed = tables.customers.dropna(subset=["customer"])
    listed = listed.assign(key=customer_key(listed["customer"]))
    names = _display_names(listed, named)
    if not names:
        return None
    after = named["date"].dt.normalize() > as_of
    lines = named[~after] if after.any() else named  # no copy when every line counts
    history = purchase_history(lines, as_of).reindex(sorted(names))
    history["revenue"] = history["revenue"].fillna(0.0)
    history["orders"] = history["orders"].fillna(0).astype(int)
    history["Recency Days"] = (as_of - history["last_order"]).dt.days
    # The purchase models fit on another core while the rest is worked out here.
    predictions = _start_predictions(history, settings.prediction_horizon_days)
    return CustomerHistory(names, listed, history, predictions)


class EarlyCustomerHistory:
    """`customer_history` started by the engine as soon as the revenue lines are known, so
    that the purchase models fit on another core while the other tabs are computed; the
    Customer Segments tab takes it when its turn comes."""

    def __init__(self, tables: Tables, revenue: pd.DataFrame) -> None:
        self._tables, self._revenue = tables, revenue
        self._started: CustomerHistory | None = None
        self._done = False

    def start(self) -> None:
        """Work out the history and start the fit now. Whatever goes wrong is left to the
        tab's own step, which works it out again and reports it as that tab's problem."""
        try:
            self._started = customer_history(self._tables, self._revenue)
        except Exception:  # noqa: BLE001, S110 - met again, and reported, by the tab's step
            return
        self._done = True

    def of(self, tables: Tables, revenue: pd.DataFrame) -> CustomerHistory | None:
        """`customer_history(tables, revenue)`: the one started, if it was of these."""
        if self._done and tables is self._tables and revenue is self._revenue:
            self._done = False  # taken once: a second tab would get a fit of its own
            return self._started
        return customer_history(tables, revenue)


def customer_segments(
    tables: Tables, revenue: pd.DataFrame, early: EarlyCustomerHistory | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """The Customer Segments table: one row per customer in Customers or with orders."""
    settings = tables.settings
    started = early.of(tables, revenue) if early else customer_history(tables, revenue)
    if started is None:
        return pd.DataFrame(columns=tab_headers("Customer Segments")), []
    names, listed, history, predictions = (
        started.names, started.listed, started.history, started.predictions)

    keys = history.index.to_numpy()
    buyers = history["first_order"].notna().to_numpy()
    scores = pd.DataFrame(index=history.index, columns=["R", "F", "M"], dtype=object)
    bought = history[buyers]
    buyer_keys = bought.index.to_numpy()
    # Worst first: longest ago, fewest order days, least revenue.
    scores.loc[buyers, "R"] = quintile_scores(-bought["Recency Days"].to_numpy(), buyer_keys)
    scores.loc[buyers, "F"] = quintile_scores(bought["order_days"].to_numpy(), buyer_keys)
    scores.loc[buyers, "M"] = quintile_scores(bought["revenue"].to_numpy(), buyer_keys)
    segment = pd.Series(None, index=history.index, dtype=object)
    recency_scores, frequency_scores = scores.loc[buyers, "R"], scores.loc[buyers, "F"]
    segment[buyers] = [
        rfm_segment(int(r), int(f))
        for r, f in zip(recency_scores, frequency_scores, strict=True)
    ]

    stages = tables.stages
    open_stages = set(stages.loc[stages["type"] == "Open", "stage"])
    pipeline = tables.pipeline
    open_deal_keys = set(customer_key(pipeline.loc[pipeline["stage"].isin(open_stages),
                                                   "customer"]).dropna())
    lifecycle = lifecycle_stages(history, open_deal_keys, settings)

    nps = dict(zip(listed["key"], listed["nps"], strict=True))
    predicted, issues = predictions()
    predicted = predicted.reindex(history.index)

    table = pd.DataFrame({
        "Customer": [names[key] for key in keys],
        "First Order": history["first_order"],
        "Last Order": history["last_order"],
        "Orders": history["orders"],
        "Revenue": history["revenue"],
        "Recency Days": [None if pd.isna(days) else int(days) for days in history["Recency Days"]],
        "R": scores["R"], "F": scores["F"], "M": scores["M"],
        "RFM Segment": segment,
        "Lifecycle": lifecycle,
        "Value Tier": value_tiers(history["revenue"], pd.Series(keys, index=history.index)),
        "NPS Group": [nps_group(nps.get(key)) for key in keys],
        "P(Alive)": predicted["P(Alive)"],
        "Expected Orders": predicted["Expected Orders"],
        "Predicted Value": predicted["Predicted Value"],
    }, index=history.index)
    table = table.assign(_buyer=buyers, _key=keys).sort_values(
        ["_buyer", "Revenue", "_key"], ascending=[False, False, True], kind="mergesort"
    )
    return table[tab_headers("Customer Segments")].reset_index(drop=True), issues
