"""Clawbacks, worked out a column at a time, against the plain rule refund by refund.

The reference walks the refunds in time order and takes each one off what is left of its
sale, one refund at a time (SPEC section 4, Commission: clawbacks); the product does the
same with arrays, looping only over sales refunded more than once. Hypothesis feeds both
the same random lines: several refunds of one sale, refunds larger than the sale, refunds
outside the window, lines without a Deal ID.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.clawbacks import clawbacks_of

START = date(2026, 1, 1)


def reference_clawbacks(lines: pd.DataFrame, days: int):
    """(rep, period, refund day, deal, base, sale period) of each clawback, and the counted
    amounts, one refund at a time."""
    counted = lines["amount"].tolist()
    left = {}
    found = []
    refunds = [
        (day, position, amount, deal)
        for position, (day, amount, deal) in enumerate(
            lines[["date", "amount", "deal_id"]].itertuples(index=False))
        if amount < 0 and deal is not None
    ]
    for day, position, amount, deal in sorted(refunds):
        # the latest sale of the same deal on or before the refund, within the window
        # (equal dates: the later line)
        candidates = [
            (sale_day, sale_position)
            for sale_position, (sale_day, sale_amount, sale_deal) in enumerate(
                lines[["date", "amount", "deal_id"]].itertuples(index=False))
            if sale_amount > 0 and sale_deal == deal and sale_day <= day
        ]
        if not candidates:
            continue
        sale_day, sale = max(candidates)
        if (day - sale_day).days > days:
            continue
        remaining = left.get(sale, lines["amount"].iloc[sale])
        base = min(-amount, remaining)
        if base <= 0:
            continue
        left[sale] = remaining - base
        counted[position] += base
        found.append((lines["rep_key"].iloc[sale], lines["period"].iloc[position], day.date(),
                      deal, base, lines["period"].iloc[sale]))
    return found, counted


line = st.tuples(
    st.integers(min_value=0, max_value=60),
    st.one_of(st.floats(min_value=0.01, max_value=5000, allow_nan=False),
              st.floats(min_value=-5000, max_value=-0.01, allow_nan=False)),
    st.sampled_from(["D1", "D2", "D3", None]),
    st.sampled_from(["ana", "bo"]),
)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(line, max_size=12), days=st.integers(min_value=0, max_value=40))
def test_clawbacks_follow_the_rule_refund_by_refund(rows, days):
    lines = pd.DataFrame({
        "date": pd.to_datetime([START + timedelta(days=offset) for offset, *_ in rows]),
        "amount": pd.Series([amount for _, amount, _, _ in rows], dtype="float64"),
        "deal_id": pd.Series([deal for _, _, deal, _ in rows], dtype=object),
        "rep_key": pd.Series([rep for *_, rep in rows], dtype=object),
    })
    lines["period"] = pd.Series(
        [f"2026-{day.month:02d}" for day in lines["date"]], dtype=object)
    # labels as the revenue lines carry them: not 0..n-1
    lines.index = [index * 3 + 7 for index in range(len(lines))]
    found, counted = clawbacks_of(lines, days)
    expected, expected_counted = reference_clawbacks(lines.reset_index(drop=True), days)
    assert [(claw.rep, claw.period, claw.refund_date, claw.deal_id, claw.base, claw.sale_period)
            for claw in found] == expected
    assert all(type(claw.base) is float for claw in found)
    assert counted.index.tolist() == lines.index.tolist()
    assert counted.tolist() == expected_counted


def test_a_sale_refunded_twice_gives_back_no_more_than_it_was():
    # sale 1,000 on 01-01; refunds 600 on 01-05 and 700 on 01-06: 600, then the 400 left;
    # the second refund's other 300 stays in revenue (counted -700 + 400 = -300)
    lines = pd.DataFrame({
        "date": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-01-06"]),
        "amount": [1000.0, -600.0, -700.0],
        "deal_id": pd.Series(["D1", "D1", "D1"], dtype=object),
        "rep_key": pd.Series(["ana", "ana", "ana"], dtype=object),
        "period": pd.Series(["2026-01"] * 3, dtype=object),
    })
    found, counted = clawbacks_of(lines, 90)
    assert [claw.base for claw in found] == [600.0, 400.0]
    assert counted.tolist() == [1000.0, 0.0, -300.0]
