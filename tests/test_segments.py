"""Customer Segments: RFM, lifecycle, value tier, NPS group, predictions (SPEC section 4)."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.predictions import (
    PurchaseModel,
    expected_order_value,
    expected_orders,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
    purchase_model,
)
from sync.compute.revenue import revenue_lines
from sync.compute.segments import (
    _predictions,
    nps_group,
    purchase_history,
    quintile_scores,
    rfm_segment,
    value_tiers,
)
from sync.compute.segments import customer_segments as compute_segments
from sync.contract.tables import WorkbookSettings, make_tables
from sync.schema import tab_headers

COLUMNS = tab_headers("Customer Segments")

AS_OF = date(2026, 11, 30)
SETTINGS = WorkbookSettings(as_of=AS_OF)


def segments_of(settings=SETTINGS, **records):
    tables = make_tables(settings, **records)
    return compute_segments(tables, revenue_lines(tables))


def order(customer, day, amount, order_id=None, **extra):
    return dict(order_id=order_id, date=day, customer=customer, amount=amount, **extra)


def days_ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def test_columns_are_the_tab_headers():
    table, _ = segments_of(orders=[order("Acme", "2026-11-01", 10)])
    assert list(table.columns) == COLUMNS


@pytest.mark.parametrize(("r", "f", "segment"), [
    (5, 5, "Champions"), (5, 4, "Champions"),
    (5, 3, "Loyal"), (4, 3, "Loyal"), (4, 5, "Loyal"), (3, 4, "Loyal"), (3, 5, "Loyal"),
    (5, 2, "Potential Loyalist"), (4, 2, "Potential Loyalist"),
    (5, 1, "New Customer"), (4, 1, "Promising"),
    (3, 3, "Need Attention"), (3, 2, "About To Sleep"), (3, 1, "About To Sleep"),
    (2, 5, "Cannot Lose Them"), (1, 5, "Cannot Lose Them"),
    (2, 4, "At Risk"), (1, 3, "At Risk"),
    (2, 2, "Hibernating"), (1, 1, "Hibernating"),
])
def test_segment_table_first_match_wins(r, f, segment):
    assert rfm_segment(r, f) == segment


def test_every_score_pair_has_a_segment_and_every_segment_is_reachable():
    # rfm_segment raises when no rule matches a pair
    assert {rfm_segment(r, f) for r in range(1, 6) for f in range(1, 6)} == {
        "Champions", "Loyal", "Potential Loyalist", "New Customer", "Promising",
        "Need Attention", "About To Sleep", "Cannot Lose Them", "At Risk", "Hibernating",
    }


def test_quintile_scores_by_hand():
    # n = 3, values 10, 30, 20 -> ranks (worst first) 1, 3, 2
    # score = ceil(5 x rank / 3): ceil(1.67) = 2, ceil(5) = 5, ceil(3.33) = 4
    assert quintile_scores(np.array([10, 30, 20]), np.array(["a", "b", "c"])).tolist() == [2, 5, 4]
    # ties are ordered by name, A before Z: "b" (rank 1) before "c" (rank 2); n = 2
    # -> ceil(2.5) = 3 and ceil(5) = 5
    assert quintile_scores(np.array([7, 7]), np.array(["c", "b"])).tolist() == [5, 3]


def test_rfm_by_hand():
    # Five customers, As Of 2026-11-30:
    #   name  last order (recency)  order days  revenue
    #   Ann   2026-11-29 (1)        3           300
    #   Ben   2026-11-20 (10)       1           500
    #   Cat   2026-10-31 (30)       2           100
    #   Dan   2026-09-01 (90)       1           50
    #   Eve   2026-11-20 (10)       2           100
    # R ranks, worst (longest ago) first: Dan 1, Cat 2, Ben 3 and Eve 4 (tie at 10, by name),
    #   Ann 5 -> ceil(5 x rank / 5) = rank: Dan 1, Cat 2, Ben 3, Eve 4, Ann 5
    # F: Ben 1, Dan 1 (Ben first) -> Ben 1, Dan 2; Cat 2, Eve 2 -> Cat 3, Eve 4; Ann 5
    # M: Dan 50 -> 1; Cat 100, Eve 100 -> Cat 2, Eve 3; Ann 300 -> 4; Ben 500 -> 5
    orders = [
        order("Ann", "2026-11-01", 100), order("Ann", "2026-11-15", 100),
        order("Ann", "2026-11-29", 100),
        order("Ben", "2026-11-20", 500),
        order("Cat", "2026-10-01", 50), order("Cat", "2026-10-31", 50),
        order("Dan", "2026-09-01", 50),
        order("Eve", "2026-11-01", 60), order("Eve", "2026-11-20", 40),
    ]
    table, _ = segments_of(orders=orders)
    scores = table.set_index("Customer")[["Recency Days", "R", "F", "M", "RFM Segment"]]
    assert scores.loc["Ann"].tolist() == [1, 5, 5, 4, "Champions"]
    assert scores.loc["Ben"].tolist() == [10, 3, 1, 5, "About To Sleep"]
    assert scores.loc["Cat"].tolist() == [30, 2, 3, 2, "At Risk"]
    assert scores.loc["Dan"].tolist() == [90, 1, 2, 1, "Hibernating"]
    assert scores.loc["Eve"].tolist() == [10, 4, 4, 3, "Loyal"]


def test_orders_count_distinct_ids_and_rows_without_one_alone():
    # O1 on two rows = 1 order, O2 = 1, two rows without an id = 2 -> 4 orders;
    # the refund is revenue (-30) but not an order: 100 + 20 + 50 + 10 + 5 - 30 = 155
    table, _ = segments_of(orders=[
        order("Acme", "2026-11-01", 100, "O1"), order("Acme", "2026-11-01", 20, "O1"),
        order("Acme", "2026-11-02", 50, "O2"),
        order("Acme", "2026-11-03", 10), order("Acme", "2026-11-03", 5),
        order("Acme", "2026-11-04", -30, "R1"),
    ])
    row = table.iloc[0]
    assert (row["Orders"], row["Revenue"]) == (4, 155.0)
    # order days: 11-01, 11-02, 11-03 (the refund day is not one); last order 11-03
    assert row["Last Order"] == pd.Timestamp("2026-11-03")
    assert row["Recency Days"] == 27


def test_customers_match_trimmed_and_case_insensitive_and_keep_their_listed_name():
    table, _ = segments_of(
        customers=[dict(customer="Acme Ltd", nps=9), dict(customer="Quiet Co")],
        orders=[order(" acme ltd", "2026-11-01", 10), order("ACME LTD ", "2026-11-02", 5),
                order("Walk-in ", "2026-11-03", 7)],
    )
    assert table["Customer"].tolist() == ["Acme Ltd", "Walk-in", "Quiet Co"]
    assert table["Revenue"].tolist() == [15.0, 7.0, 0.0]
    assert table["NPS Group"].iloc[0] == "Promoter"
    assert table["NPS Group"].iloc[1:].isna().all()


def test_customers_without_orders_have_blank_rfm():
    table, _ = segments_of(customers=[dict(customer="Quiet Co")])
    row = table.iloc[0]
    assert row["Orders"] == 0 and row["Revenue"] == 0.0
    for column in ("First Order", "Recency Days", "R", "F", "M", "RFM Segment", "P(Alive)"):
        assert pd.isna(row[column]), column


def test_orders_after_as_of_are_not_counted():
    table, _ = segments_of(orders=[order("Acme", "2026-11-01", 10),
                                   order("Acme", "2026-12-05", 99)])
    assert (table.iloc[0]["Orders"], table.iloc[0]["Revenue"]) == (1, 10.0)


@pytest.mark.parametrize(("first_days_ago", "last_days_ago", "lifecycle"), [
    (400, 181, "Churned"),      # 181 > 180 Churned After Days
    (400, 180, "At Risk"),      # 180 is not > 180; 180 > 90 At Risk After Days
    (400, 91, "At Risk"),
    (400, 90, "Active"),        # 90 is not > 90; first order 400 days ago > 90: not New
    (90, 10, "New"),            # first order 90 days ago <= 90 New Customer Days
    (91, 10, "Active"),
])
def test_lifecycle_boundaries(first_days_ago, last_days_ago, lifecycle):
    table, _ = segments_of(orders=[order("Acme", days_ago(first_days_ago), 10),
                                   order("Acme", days_ago(last_days_ago), 10)])
    assert table.iloc[0]["Lifecycle"] == lifecycle


@pytest.mark.parametrize(("first_days_ago", "last_days_ago", "lifecycle"), [
    (400, 61, "Churned"),       # 61 > 60 Churned After Days
    (400, 60, "At Risk"),       # 60 is not > 60; 60 > 30 At Risk After Days
    (400, 30, "Active"),        # 30 is not > 30
    (200, 10, "New"),           # first order 200 days ago <= 200 New Customer Days
    (201, 10, "Active"),
])
def test_lifecycle_follows_the_settings(first_days_ago, last_days_ago, lifecycle):
    settings = SETTINGS.model_copy(update={
        "new_customer_days": 200, "at_risk_after_days": 30, "churned_after_days": 60})
    table, _ = segments_of(settings, orders=[order("Acme", days_ago(first_days_ago), 10),
                                             order("Acme", days_ago(last_days_ago), 10)])
    assert table.iloc[0]["Lifecycle"] == lifecycle


def test_lifecycle_without_orders_is_prospect_with_an_open_deal_else_inactive():
    table, _ = segments_of(
        customers=[dict(customer="Lead Co"), dict(customer="Old Co"), dict(customer="Lost Co")],
        pipeline=[
            dict(deal_id="D1", customer="lead co", owner="Ana", stage="Proposal", amount=100,
                 created="2026-10-01"),
            dict(deal_id="D2", customer="Lost Co", owner="Ana", stage="Lost", amount=100,
                 created="2026-10-01", closed="2026-10-20"),
        ],
    )
    assert dict(zip(table["Customer"], table["Lifecycle"], strict=True)) == {
        "Lead Co": "Prospect", "Lost Co": "Inactive", "Old Co": "Inactive",
    }


def test_value_tiers_by_hand():
    # Revenue 50, 30, 15, 5 (total 100). Share held by the customers ahead:
    #   a 0% -> A; b 50% < 80% -> A; c 80% is not < 80% but < 95% -> B; d 95% -> C
    # e has a refund only (-10): no positive revenue -> C
    revenue = pd.Series([15.0, 50.0, 5.0, 30.0, -10.0], index=list("cadbe"))
    tiers = value_tiers(revenue, pd.Series(list("cadbe"), index=list("cadbe")))
    assert tiers.to_dict() == {"a": "A", "b": "A", "c": "B", "d": "C", "e": "C"}


def test_value_tier_ties_are_ordered_by_name():
    # 40, 40, 20: "x" is ahead of "y" by name; y has 40% ahead -> A; z has 80% -> B
    revenue = pd.Series([40.0, 40.0, 20.0], index=list("yxz"))
    tiers = value_tiers(revenue, pd.Series(list("yxz"), index=list("yxz")))
    assert tiers.to_dict() == {"x": "A", "y": "A", "z": "B"}


@pytest.mark.parametrize(("score", "group"), [
    (10, "Promoter"), (9, "Promoter"), (8, "Passive"), (7, "Passive"), (6, "Detractor"),
    (0, "Detractor"), (None, None), (float("nan"), None),
])
def test_nps_group(score, group):
    assert nps_group(score) == group


def repeat_buyers(count: int) -> list[dict]:
    """`count` customers with 2-4 order days each, spread over the last year."""
    rng = np.random.default_rng(3)
    orders = []
    for number in range(count):
        first = int(rng.integers(100, 360))
        for visit in range(int(rng.integers(2, 5))):
            orders.append(order(f"C{number:03d}", days_ago(first - 25 * visit),
                                float(rng.integers(20, 200))))
    return orders


def test_predictions_fill_in_with_enough_repeat_customers():
    orders = repeat_buyers(30) + [order("One-off", days_ago(40), 80)]
    table, issues = segments_of(orders=orders)
    assert issues == []
    predicted = table[["P(Alive)", "Expected Orders", "Predicted Value"]]
    assert predicted.notna().all().all()
    assert ((table["P(Alive)"] > 0) & (table["P(Alive)"] <= 1)).all()
    assert (table["Expected Orders"] > 0).all() and (table["Predicted Value"] > 0).all()


def test_predictions_over_the_horizon_and_predicted_value_is_orders_times_order_value():
    # Recomputed from the model functions on the summary worked out here, in days:
    # x = order days - 1, t_x = first to last order day, T = first order day to As Of.
    orders = repeat_buyers(30) + [order("One-off", days_ago(40), 80)]
    frame = pd.DataFrame(orders)
    frame["day"] = pd.to_datetime(frame["date"])
    by_customer = frame.groupby("customer")
    first, last = by_customer["day"].min(), by_customer["day"].max()
    x = (by_customer["day"].nunique() - 1).to_numpy(dtype=float)
    t_x = (last - first).dt.days.to_numpy(dtype=float)
    T = (pd.Timestamp(AS_OF) - first).dt.days.to_numpy(dtype=float)
    spend = [
        group[group["day"] > group["day"].min()].groupby("day")["amount"].sum().mean()
        if len(group["day"].unique()) > 1 else 0.0
        for _, group in by_customer
    ]
    params = fit_bgnbd(x, t_x, T)
    value = expected_order_value(fit_gamma_gamma(x, spend), x, spend)
    results = {}
    for horizon in (30, 365):
        settings = SETTINGS.model_copy(update={"prediction_horizon_days": horizon})
        table, _ = segments_of(settings, orders=orders)
        table = table.set_index("Customer").loc[first.index]
        expected = expected_orders(params, x, t_x, T, horizon)
        assert table["Expected Orders"].to_numpy(dtype=float) == pytest.approx(expected, rel=1e-4)
        assert table["P(Alive)"].to_numpy(dtype=float) == pytest.approx(
            p_alive(params, x, t_x, T), rel=1e-4)
        assert table["Predicted Value"].to_numpy(dtype=float) == pytest.approx(
            expected * value, rel=1e-4)
        results[horizon] = table["Expected Orders"].to_numpy(dtype=float)
    # a longer horizon expects more orders from every customer
    assert (results[365] > results[30]).all()


def test_predictions_stay_blank_with_one_warning_below_twenty_repeat_customers():
    table, issues = segments_of(orders=repeat_buyers(19))
    assert table[["P(Alive)", "Expected Orders", "Predicted Value"]].isna().all().all()
    assert len(issues) == 1
    assert issues[0].severity == "Warning"
    assert "only 19 customers have ordered on more than one day" in issues[0].problem


def test_predicted_value_alone_is_blank_when_no_repeat_order_has_a_value():
    # every repeat order is free (amount 0): order value cannot be modelled, but the
    # repeat-purchase model still gives P(Alive) and Expected Orders
    orders = [dict(o, amount=0.0) if o["date"] != first else o
              for o, first in _with_first_days(repeat_buyers(25))]
    table, issues = segments_of(orders=orders)
    assert table[["P(Alive)", "Expected Orders"]].notna().all().all()
    assert table["Predicted Value"].isna().all()
    assert [(i.severity, i.column) for i in issues] == [("Warning", "Predicted Value")]
    assert issues[0].problem.startswith("Predicted Value is blank: the order-value model")


ALIVE, EXPECTED, VALUE = np.array([0.5, 0.9]), np.array([1.5, 3.0]), np.array([40.0, 10.0])


@pytest.mark.parametrize(("model", "filled", "warning"), [
    (PurchaseModel(ALIVE, EXPECTED, VALUE), [0.5, 0.9, 1.5, 3.0, 60.0, 30.0], None),
    (PurchaseModel(orders_failed="no customer has bought twice"), [None] * 6,
     "P(Alive), Expected Orders and Predicted Value are blank: the repeat-purchase model "
     "could not be fitted (no customer has bought twice). Check Orders dates and As Of."),
    (PurchaseModel(orders_infinite=True), [None] * 6,
     "P(Alive), Expected Orders and Predicted Value are blank: the fitted repeat-purchase "
     "model gives no finite prediction for these customers (their order dates are too "
     "uniform to model)."),
    (PurchaseModel(ALIVE, EXPECTED, value_failed="the likelihood has no finite maximum"),
     [0.5, 0.9, 1.5, 3.0, None, None],
     "Predicted Value is blank: the order-value model could not be fitted (the likelihood "
     "has no finite maximum)."),
    (PurchaseModel(ALIVE, EXPECTED, value_infinite=True), [0.5, 0.9, 1.5, 3.0, None, None],
     "Predicted Value is blank: order values vary too much between customers to give a "
     "finite expected order value."),
])
def test_each_outcome_of_the_purchase_model_fills_or_blanks_its_columns(model, filled, warning):
    # Predicted Value = Expected Orders x order value: 1.5 x 40 = 60, 3.0 x 10 = 30.
    blank = pd.DataFrame(np.nan, index=["ann", "bob"],
                         columns=["P(Alive)", "Expected Orders", "Predicted Value"])
    result, issues = _predictions(blank, model)
    cells = [None if pd.isna(value) else value for value in result.T.to_numpy().ravel()]
    assert cells == filled
    assert [issue.problem for issue in issues] == ([warning] if warning else [])
    assert all((issue.severity, issue.column) == ("Warning", "Predicted Value")
               for issue in issues)


def test_the_purchase_model_says_which_fit_failed_and_why():
    # nobody bought twice: BG/NBD has nothing to fit
    nobody = purchase_model(*np.zeros((2, 3)), np.array([5.0, 6.0, 7.0]), np.zeros(3), 90)
    assert nobody == PurchaseModel(orders_failed="no customer has bought twice")
    # repeat buyers whose repeat orders were all free: BG/NBD fits, Gamma-Gamma cannot
    x, t_x, T = np.array([2.0, 1.0, 3.0]), np.array([50.0, 20.0, 90.0]), np.array([100.0] * 3)
    free = purchase_model(x, t_x, T, np.zeros(3), 90)
    assert free.value_failed == "no customer has a positive spend on repeat orders"
    assert free.alive is not None and free.expected is not None and free.order_value is None


def _with_first_days(orders):
    first = {}
    for o in orders:
        first[o["customer"]] = min(first.get(o["customer"], o["date"]), o["date"])
    return [(o, first[o["customer"]]) for o in orders]


def test_no_customers_gives_an_empty_table():
    table, issues = segments_of()
    assert list(table.columns) == COLUMNS and table.empty and issues == []


NAMES = st.sampled_from(["Acme", "acme ", "Bolt", "Cora", "Dune", "Echo", "Fizz", "Gale"])
ORDERS = st.lists(
    st.builds(lambda name, day, amount, has_id: order(name, days_ago(day), amount,
                                                      f"O{day}" if has_id else None),
              NAMES, st.integers(-30, 700), st.integers(-50, 500), st.booleans()),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(orders=ORDERS, listed=st.lists(NAMES, max_size=4, unique=True))
def test_every_customer_is_in_exactly_one_row_segment_and_stage(orders, listed):
    customers = [dict(customer=name) for name in {n.strip().casefold(): n for n in listed}.values()]
    table, _ = segments_of(orders=orders, customers=customers)
    keys = {o["customer"].strip().casefold() for o in orders} | {
        c["customer"].strip().casefold() for c in customers}
    assert sorted(table["Customer"].str.casefold()) == sorted(keys)
    assert table["Lifecycle"].isin(["Prospect", "Inactive", "Churned", "At Risk", "New",
                                    "Active"]).all()
    assert table["Value Tier"].isin(["A", "B", "C"]).all()
    buyers = table["First Order"].notna()
    assert table.loc[buyers, "RFM Segment"].notna().all()
    assert table.loc[~buyers, "RFM Segment"].isna().all()
    for column in ("R", "F", "M"):
        assert table.loc[buyers, column].between(1, 5).all()


def _history_one_by_one(lines: pd.DataFrame) -> dict[str, tuple]:
    """The reference: per customer, (orders, first, last, order days, revenue, repeat spend)
    counted a line at a time, as the definitions read."""
    found: dict[str, dict] = {}
    for line in lines.itertuples():
        customer = found.setdefault(line.customer_key, {
            "ids": set(), "alone": 0, "days": {}, "revenue": 0.0})
        customer["revenue"] += line.amount
        if line.amount < 0:
            continue  # a refund is not an order, an order day or a last order
        if line.order_id is None:
            customer["alone"] += 1
        else:
            customer["ids"].add(line.order_id)
        day = line.date.normalize()
        customer["days"][day] = customer["days"].get(day, 0.0) + line.amount
    history = {}
    for key, customer in found.items():
        days = sorted(customer["days"])
        repeat = [customer["days"][day] for day in days[1:]]
        history[key] = (
            len(customer["ids"]) + customer["alone"], days[0] if days else None,
            days[-1] if days else None, len(days), customer["revenue"],
            sum(repeat) / len(repeat) if repeat else 0.0,
        )
    return history


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from(["acme", "zed", "bo"]),
    st.sampled_from([None, "O1", "O2", "O3"]),
    st.integers(min_value=-50, max_value=400),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=23),
), max_size=25))
def test_purchase_history_equals_the_definitions_counted_line_by_line(rows):
    as_of = pd.Timestamp(2026, 11, 26)
    lines = pd.DataFrame({
        "customer_key": pd.Series([row[0] for row in rows], dtype=object),
        "order_id": pd.Series([row[1] for row in rows], dtype=object),
        "amount": [float(row[2]) for row in rows],
        "date": pd.Series([as_of - pd.Timedelta(days=row[3], hours=row[4]) for row in rows],
                          dtype="datetime64[ns]"),
    })
    history = purchase_history(lines, as_of)
    expected = _history_one_by_one(lines)
    assert sorted(history.index) == sorted(expected)
    for key, (orders, first, last, order_days, revenue, spend) in expected.items():
        row = history.loc[key]
        # a customer with refunds only has no orders (blank here, 0 on the tab)
        assert (0 if pd.isna(row["orders"]) else int(row["orders"])) == orders
        assert (pd.isna(row["first_order"]) and first is None) or row["first_order"] == first
        assert (pd.isna(row["last_order"]) and last is None) or row["last_order"] == last
        assert row["revenue"] == pytest.approx(revenue)
        if order_days:
            assert (row["order_days"], row["x"]) == (order_days, order_days - 1)
            assert row["repeat_spend"] == pytest.approx(spend)
            assert row["T"] == (as_of - first).days
