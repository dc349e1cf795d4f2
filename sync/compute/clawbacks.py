"""Clawbacks: a refund linked by Deal ID to a sale takes back that sale's commission.

A refund undoes the latest sale of the same deal at most `Clawback Days` before it (SPEC
section 4, Commission); the part clawed back leaves the rep's revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sync.compute.tiers import format_money, percent_label
from sync.i18n import _, period_name


@dataclass
class Clawback:
    """A refund taking back the commission paid on its sale, from the rep paid for it."""

    rep: str
    period: str
    refund_date: date
    deal_id: str
    base: float
    sale_period: str
    sale_commission: float = 0.0  # Tier Commission of the rep in the sale's period
    sale_revenue: float = 0.0  # Revenue of the rep in the sale's period, as written

    @property
    def rate(self) -> float:
        """The effective rate of the sale's period (0 when its revenue is not positive)."""
        return self.sale_commission / self.sale_revenue if self.sale_revenue > 0 else 0.0

    @property
    def amount(self) -> float:
        return round(self.base * self.rate, 2)

    def step(self) -> str:
        """The clawback in the Explanation, with the rate as the division it comes from."""
        if self.sale_revenue > 0:
            rate = _("{commission} / {revenue} ({period} rate, {rate})").format(
                commission=format_money(self.sale_commission),
                revenue=format_money(self.sale_revenue), period=period_name(self.sale_period),
                rate=percent_label(round(self.rate, 4)))
        else:
            rate = _("0% ({period} rate: no revenue)").format(
                period=period_name(self.sale_period))
        return _("clawback: refund {base} on {day} (deal {deal}) x {rate} = {amount}").format(
            base=format_money(self.base), day=f"{self.refund_date:%Y-%m-%d}", deal=self.deal_id,
            rate=rate, amount=format_money(self.amount))


def clawbacks_of(lines: pd.DataFrame, days: int) -> tuple[list[Clawback], pd.Series]:
    """Refunds linked to a sale within `days`, and each line's amount counted as revenue."""
    counted = lines["amount"].copy()
    refunds = lines[(lines["amount"] < 0) & lines["deal_id"].notna()]
    sales = lines[(lines["amount"] > 0) & lines["deal_id"].notna()]
    if refunds.empty or sales.empty:
        return [], counted
    # The latest sale of the same deal on or before the refund is the one it undoes.
    pairs = pd.merge_asof(
        refunds.reset_index(names="refund").sort_values("date"),
        sales.reset_index(names="sale").sort_values(["date", "sale"])[
            ["date", "deal_id", "sale", "rep_key", "period"]
        ].rename(columns={"rep_key": "rep_key_sale", "period": "period_sale"}).assign(
            date_sale=lambda frame: frame["date"]),
        on="date", by="deal_id", direction="backward",
        tolerance=pd.Timedelta(days=days),
    ).dropna(subset=["sale"])
    pairs = pairs.sort_values(["date", "refund"])  # refunds undo their sales in time order
    sale = pairs["sale"].astype("int64").to_numpy()
    bases = _bases((-pairs["amount"]).to_numpy(dtype="float64"),
                   sales["amount"].loc[sale].to_numpy(dtype="float64"), sale)
    taken = bases > 0
    pairs, bases = pairs[taken], bases[taken]
    # the clawed part leaves revenue; any excess stays
    values = counted.to_numpy(dtype="float64", copy=True)
    at = counted.index.get_indexer(pairs["refund"])
    values[at] += bases
    counted = pd.Series(values, index=counted.index, name=counted.name)
    found = [
        Clawback(rep=rep, period=period, refund_date=day.date(), deal_id=deal_id, base=base,
                 sale_period=sale_period)
        for rep, period, day, deal_id, base, sale_period in zip(
            pairs["rep_key_sale"], pairs["period"], pairs["date"], pairs["deal_id"],
            bases.tolist(), pairs["period_sale"], strict=True)
    ]
    return found, counted


def _bases(refunds: np.ndarray, sales: np.ndarray, sale: np.ndarray) -> np.ndarray:
    """How much of each refund (in time order) takes back its sale: all of it, up to what
    earlier refunds of the same sale left of it."""
    bases = np.minimum(refunds, sales)
    shared = pd.Series(sale).duplicated(keep=False).to_numpy()
    left: dict[int, float] = {}
    for position in np.flatnonzero(shared).tolist():  # a sale refunded more than once
        remaining = left.get(int(sale[position]), float(sales[position]))
        base = min(float(refunds[position]), remaining)
        bases[position] = base
        if base > 0:
            left[int(sale[position])] = remaining - base
    return bases
