"""Commissions: tiers, bonuses, clawbacks and the explanation (SPEC section 4, Commission)."""

import re
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.commissions import commissions as compute_commissions
from sync.compute.revenue import revenue_lines
from sync.contract.tables import WorkbookSettings, make_tables
from sync.schema import tab_headers

COLUMNS = tab_headers("Commissions")

SETTINGS = WorkbookSettings(as_of=date(2026, 11, 30))
STANDARD = [
    dict(plan="Standard", from_pct=0.0, to_pct=0.5, rate=0.02),
    dict(plan="Standard", from_pct=0.5, to_pct=1.0, rate=0.05),
    dict(plan="Standard", from_pct=1.0, rate=0.08, bonus=1000),
]
ANA = dict(rep="Ana", team="East", commission_plan="Standard")


def quota(owner, target, start="2026-11-01", end="2026-11-30", **scope):
    return dict(owner=owner, metric="Revenue", period_start=start, period_end=end,
                target=target, **scope)


def sale(day, amount, rep="Ana", customer="Acme", **extra):
    return dict(date=day, amount=amount, rep=rep, customer=customer, **extra)


def pay(settings=SETTINGS, team=(ANA,), plans=tuple(STANDARD), **records):
    tables = make_tables(settings, team=list(team), commission_plans=list(plans), **records)
    table, issues = compute_commissions(tables, revenue_lines(tables))
    return table, issues


def row_of(table, rep="Ana", period="2026-11"):
    rows = table[(table["Rep"] == rep) & (table["Period"] == period)]
    assert len(rows) == 1, table
    return rows.iloc[0]


def test_three_tier_example_by_hand():
    # quota 60,000, revenue 64,000 (106.7%):
    #   0-50% 30,000 x 2% = 600; 50-100% 30,000 x 5% = 1,500; 100%+ 4,000 x 8% = 320
    #   tier commission 2,420; bonus at 100%: 1,000; payout 3,420
    table, issues = pay(goals=[quota("Ana", 60_000)], orders=[sale("2026-11-03", 64_000)])
    assert list(table.columns) == COLUMNS
    row = row_of(table)
    assert row[["Revenue", "Quota", "Tier Commission", "Bonuses", "Clawbacks", "Payout"]].tolist(
    ) == [64_000, 60_000, 2_420, 1_000, 0, 3_420]
    assert row["Attainment"] == pytest.approx(64_000 / 60_000)
    assert row["Explanation"] == (
        "60,000 quota; 0-50% 30,000 x 2% = 600; 50-100% 30,000 x 5% = 1,500; "
        "100%+ 4,000 x 8% = 320; bonus at 100%: 1,000; payout 3,420"
    )
    assert issues == []


def test_no_quota_pays_the_first_rate_on_all_revenue_with_a_warning():
    # no Revenue goal for 2026-11: 10,000 x 2% = 200, no tier bonus (attainment unknown)
    table, issues = pay(orders=[sale("2026-11-03", 10_000)])
    row = row_of(table)
    assert pd.isna(row["Quota"]) and pd.isna(row["Attainment"])
    assert (row["Tier Commission"], row["Bonuses"], row["Payout"]) == (200, 0, 200)
    assert row["Explanation"] == "no quota: 10,000 x 2% (first tier rate) = 200; payout 200"
    assert [(i.tab, i.severity, i.value) for i in issues] == [("Goals", "Warning", "2026-11")]
    assert issues[0].problem.startswith("Ana has no quota for 2026-11")
    assert "2026-11-01 to 2026-11-30" in issues[0].problem


def test_only_a_goal_spanning_exactly_the_period_is_a_quota():
    # a yearly goal and a product-scoped monthly goal are not quotas: first rate applies
    goals = [quota("Ana", 500_000, "2026-01-01", "2026-12-31"),
             quota("Ana", 10_000, product="Pro")]
    table, issues = pay(goals=goals, orders=[sale("2026-11-03", 10_000)])
    assert pd.isna(row_of(table)["Quota"])
    assert [i.tab for i in issues] == ["Goals"]


def test_a_second_quota_for_the_same_period_is_ignored_with_a_warning():
    goals = [quota("Ana", 20_000), quota(" ana", 99_000)]
    table, issues = pay(goals=goals, orders=[sale("2026-11-03", 10_000)])
    assert row_of(table)["Quota"] == 20_000
    assert [(i.tab, i.row, i.severity) for i in issues] == [("Goals", 3, "Warning")]


def test_quarter_periods_follow_the_fiscal_year():
    # fiscal year from April: 2026-11 is in Q3 of fiscal 2026 (Oct-Dec)
    settings = WorkbookSettings(as_of=date(2026, 11, 30), period="Quarter", fiscal_year_start=4)
    table, issues = pay(settings, goals=[quota("Ana", 40_000, "2026-10-01", "2026-12-31")],
                        orders=[sale("2026-10-03", 10_000), sale("2026-12-20", 10_000)])
    # 20,000 of 40,000: 0-50% 20,000 x 2% = 400; bonus at 50%? none in the plan
    row = row_of(table, period="2026-Q3")
    assert (row["Revenue"], row["Quota"], row["Payout"]) == (20_000, 40_000, 400)
    assert issues == []


def test_a_quota_without_revenue_still_gets_a_row():
    table, _ = pay(goals=[quota("Ana", 60_000)])
    row = row_of(table)
    assert (row["Revenue"], row["Attainment"], row["Payout"]) == (0, 0, 0)
    assert row["Explanation"] == "60,000 quota; no revenue in any tier; payout 0"


def test_new_customer_bonus_counts_first_revenue_credited_to_the_rep():
    # Acme and Bolt buy for the first time in 2026-11 from Ana -> 2 x 500 = 1,000;
    # Cora first bought in 2026-10 (not new in 11); Dune's first revenue is Bo's.
    settings = WorkbookSettings(as_of=date(2026, 11, 30), new_customer_bonus=500)
    team = [ANA, dict(rep="Bo", team="East", commission_plan="Standard")]
    orders = [
        sale("2026-11-02", 1_000, customer="Acme"), sale("2026-11-20", 1_000, customer="acme"),
        sale("2026-11-03", 1_000, customer="Bolt"),
        sale("2026-10-03", 1_000, customer="Cora"), sale("2026-11-04", 1_000, customer="Cora"),
        sale("2026-11-01", 1_000, rep="Bo", customer="Dune"),
        sale("2026-11-05", 1_000, customer="Dune"),
    ]
    goals = [quota("Ana", 100_000), quota("Bo", 100_000)]
    table, _ = pay(settings, team=team, goals=goals, orders=orders)
    ana = row_of(table)
    # revenue 5,000 x 2% = 100; bonuses 1,000; payout 1,100
    assert (ana["Tier Commission"], ana["Bonuses"], ana["Payout"]) == (100, 1_000, 1_100)
    assert "new customers 2 x 500 = 1,000" in ana["Explanation"]
    assert row_of(table, "Bo")["Bonuses"] == 500
    assert row_of(table, period="2026-10")["Bonuses"] == 500  # Cora, new in 2026-10


def test_team_bonus_when_the_members_together_meet_the_team_goal():
    # East goal 50,000: Ana 30,000 + Bo 20,000 = 50,000 -> met; each member gets 300,
    # Cy too (no revenue: a row just for the bonus). West (Di, 10,000 of 50,000) is not met.
    settings = WorkbookSettings(as_of=date(2026, 11, 30), team_bonus=300)
    team = [ANA, dict(rep="Bo", team="East", commission_plan="Standard"),
            dict(rep="Cy", team="east ", commission_plan="Standard"),
            dict(rep="Di", team="West", commission_plan="Standard")]
    goals = [quota("East", 50_000), quota("West", 50_000)]
    orders = [sale("2026-11-02", 30_000), sale("2026-11-03", 20_000, rep="Bo"),
              sale("2026-11-04", 10_000, rep="Di")]
    table, _ = pay(settings, team=team, goals=goals, orders=orders)
    bonuses = dict(zip(table["Rep"], table["Bonuses"], strict=True))
    assert bonuses == {"Ana": 300, "Bo": 300, "Cy": 300, "Di": 0}
    assert "team East met its 50,000 goal: team bonus 300" in row_of(table)["Explanation"]


def test_team_bonus_not_paid_when_the_team_falls_short():
    settings = WorkbookSettings(as_of=date(2026, 11, 30), team_bonus=300)
    table, _ = pay(settings, goals=[quota("East", 50_000)],
                   orders=[sale("2026-11-02", 49_999.99)])
    assert row_of(table)["Bonuses"] == 0


CLAWBACK_ORDERS = [
    # October: 10,000 sold on deal D1 against a 20,000 quota:
    #   0-50% 10,000 x 2% = 200 -> effective rate 200 / 10,000 = 2%
    sale("2026-10-10", 10_000, deal_id="D1"),
    # November: 40,000 other sales against 60,000 quota, and a 2,000 refund of D1
    sale("2026-11-02", 40_000),
    sale("2026-11-05", -2_000, deal_id="D1"),
]
CLAWBACK_GOALS = [quota("Ana", 20_000, "2026-10-01", "2026-10-31"), quota("Ana", 60_000)]


def test_clawback_inside_the_window_takes_back_the_sale_periods_rate():
    # refund 26 days after the sale (<= 90): 2,000 x 2% = 40 clawed back in November.
    # November revenue leaves the refund out: 40,000 (not 38,000):
    #   0-50% 30,000 x 2% = 600; 50-100% 10,000 x 5% = 500 -> 1,100; payout 1,100 - 40 = 1,060
    table, issues = pay(goals=CLAWBACK_GOALS, orders=CLAWBACK_ORDERS)
    row = row_of(table)
    assert row[["Revenue", "Tier Commission", "Clawbacks", "Payout"]].tolist() == [
        40_000, 1_100, 40, 1_060]
    assert ("clawback: refund 2,000 on 2026-11-05 (deal D1) x 200 / 10,000 (2026-10 rate, 2%) "
            "= 40; payout 1,060") in row["Explanation"]
    assert row_of(table, period="2026-10")["Payout"] == 200
    assert issues == []


def test_refund_outside_the_window_stays_in_revenue_and_is_not_clawed_back():
    # Clawback Days 20 < 26 days: no clawback; November revenue 40,000 - 2,000 = 38,000:
    #   30,000 x 2% = 600; 8,000 x 5% = 400 -> 1,000
    settings = WorkbookSettings(as_of=date(2026, 11, 30), clawback_days=20)
    table, _ = pay(settings, goals=CLAWBACK_GOALS, orders=CLAWBACK_ORDERS)
    row = row_of(table)
    assert row[["Revenue", "Tier Commission", "Clawbacks", "Payout"]].tolist() == [
        38_000, 1_000, 0, 1_000]


@pytest.mark.parametrize(("clawback_days", "clawed"), [(26, 40), (25, 0)])
def test_clawback_window_includes_its_last_day(clawback_days, clawed):
    # sale 2026-10-10, refund 2026-11-05: 26 days apart
    settings = WorkbookSettings(as_of=date(2026, 11, 30), clawback_days=clawback_days)
    table, _ = pay(settings, goals=CLAWBACK_GOALS, orders=CLAWBACK_ORDERS)
    assert row_of(table)["Clawbacks"] == clawed


def test_refund_without_a_deal_id_stays_in_revenue():
    orders = [sale("2026-10-10", 10_000, deal_id="D1"), sale("2026-11-02", 40_000),
              sale("2026-11-05", -2_000)]
    table, _ = pay(goals=CLAWBACK_GOALS, orders=orders)
    assert (row_of(table)["Revenue"], row_of(table)["Clawbacks"]) == (38_000, 0)


def test_clawback_goes_to_the_rep_paid_for_the_sale():
    # Bo sold D1 in October (no quota: first rate 2%); the refund is entered under Ana.
    # Bo's November row exists only for the clawback: 2,000 x 2% = 40, payout -40.
    team = [ANA, dict(rep="Bo", team="East", commission_plan="Standard")]
    orders = [sale("2026-10-10", 10_000, rep="Bo", deal_id="D1"),
              sale("2026-11-05", -2_000, deal_id="D1")]
    table, _ = pay(team=team, orders=orders)
    bo = row_of(table, "Bo")
    assert (bo["Revenue"], bo["Clawbacks"], bo["Payout"]) == (0, 40, -40)
    assert not ((table["Rep"] == "Ana") & (table["Period"] == "2026-11")).any()


def test_clawback_of_a_won_deal_without_orders():
    # D1 is Won in October for 10,000 and has no sale in Orders; a refund links to it.
    # The deal stays revenue (the refund does not stand in for it): 2% rate, 2,000 x 2% = 40.
    pipeline = [dict(deal_id="D1", owner="Ana", stage="Won", amount=10_000,
                     created="2026-09-01", closed="2026-10-10", customer="Acme")]
    orders = [sale("2026-11-05", -2_000, deal_id="D1")]
    table, _ = pay(pipeline=pipeline, orders=orders)
    assert row_of(table, period="2026-10")["Revenue"] == 10_000
    november = row_of(table)
    assert (november["Revenue"], november["Clawbacks"], november["Payout"]) == (0, 40, -40)


def test_clawback_never_exceeds_the_sale():
    # a 1,000 sale refunded twice, 800 then 800: only 1,000 can be clawed (800 + 200);
    # the 600 left over stays in revenue: 1,000 - 600 = 400, no quota: 400 x 2% = 8
    # effective rate 8 / 400 = 2%: clawbacks 800 x 2% + 200 x 2% = 16 + 4 = 20
    # payout 8 - 20 = -12, the same as 2% of the net 1,000 - 1,600 = -600
    orders = [sale("2026-11-01", 1_000, deal_id="D1"), sale("2026-11-02", -800, deal_id="D1"),
              sale("2026-11-03", -800, deal_id="D1")]
    table, _ = pay(orders=orders)
    row = row_of(table)
    assert row[["Revenue", "Tier Commission", "Clawbacks", "Payout"]].tolist() == [
        400, 8, 20, -12]


def test_a_bad_plan_pays_nothing_and_says_why():
    team = [dict(rep="Ana", commission_plan="Gappy")]
    plans = [dict(plan="Gappy", from_pct=0.0, to_pct=0.5, rate=0.02),
             dict(plan="Gappy", from_pct=0.6, rate=0.05)]
    table, issues = pay(team=team, plans=plans, goals=[quota("Ana", 10_000)],
                        orders=[sale("2026-11-03", 10_000)])
    row = row_of(table)
    assert (row["Revenue"], row["Quota"], row["Payout"]) == (10_000, 10_000, 0)
    assert row["Explanation"] == 'plan "Gappy" has problems (see Data Issues): no commission'
    assert [(i.tab, i.severity) for i in issues] == [
        ("Commission Plans", "Error"), ("Team", "Warning")]


@pytest.mark.parametrize(("team", "explanation", "warned"), [
    ([dict(rep="Ana")], "no Commission Plan in the Team tab: no commission", True),
    ([dict(rep="Ana", commission_plan="Gold")],
     'plan "Gold" is not in Commission Plans: no commission', True),
    ([], "not in the Team tab: no commission", False),
])
def test_reps_without_a_plan_get_a_zero_row(team, explanation, warned):
    table, issues = pay(team=team, orders=[sale("2026-11-03", 1_000)])
    row = row_of(table)
    assert (row["Revenue"], row["Payout"], row["Explanation"]) == (1_000, 0, explanation)
    assert [i.tab for i in issues] == (["Team"] if warned else [])


def test_reps_and_periods_in_order_and_no_row_without_revenue_or_quota():
    team = [dict(rep="bo", commission_plan="Standard"), ANA,
            dict(rep="Cy", commission_plan="Standard")]
    orders = [sale("2026-11-03", 100, rep="bo"), sale("2026-11-01", 100),
              sale("2026-09-01", 100)]
    table, _ = pay(team=team, orders=orders)
    assert table[["Rep", "Period"]].values.tolist() == [
        ["Ana", "2026-09"], ["Ana", "2026-11"], ["bo", "2026-11"]]


def test_no_data_gives_an_empty_table():
    table, issues = pay()
    assert list(table.columns) == COLUMNS and table.empty and issues == []


PLAN_CUTS = st.lists(st.floats(0.05, 3.0, allow_nan=False), max_size=3, unique=True)


@settings(max_examples=40, deadline=None)
@given(cuts=PLAN_CUTS, rates=st.lists(st.floats(0, 0.3, allow_nan=False), min_size=4,
                                       max_size=4),
       bonuses=st.lists(st.sampled_from([None, 0.0, 100.0, 2500.0]), min_size=4, max_size=4),
       target=st.one_of(st.none(), st.floats(1_000, 200_000)),
       revenue=st.floats(0, 300_000), more=st.floats(0.01, 100_000),
       refund=st.floats(0, 5_000))
def test_payout_never_decreases_when_revenue_rises(cuts, rates, bonuses, target, revenue, more,
                                                   refund):
    starts = [0.0, *sorted(cuts)]
    ends = [*sorted(cuts), None]
    plans = [dict(plan="P", from_pct=s, to_pct=e, rate=r, bonus=b)
             for s, e, r, b in zip(starts, ends, rates, bonuses, strict=False)]
    goals = [] if target is None else [quota("Ana", target)]

    def payout(amount):
        orders = [sale("2026-11-03", amount), sale("2026-11-04", -refund)]
        table, _ = pay(team=[dict(rep="Ana", commission_plan="P")], plans=plans, goals=goals,
                       orders=orders)
        return row_of(table)["Payout"]

    assert payout(revenue + more) >= payout(revenue)


def _amount(text):
    return float(text.replace(",", ""))


def explained_parts(explanation):
    """(tier commission, bonuses, clawbacks, payout) read back from an Explanation.

    Every step must be one the product writes; each `base x rate = result` is checked to
    the cent (give or take the rounding of the figures written), so a rep redoing the sums
    gets the same figures.
    """
    money, rate = r"(-?[\d,]+(?:\.\d+)?)", r"([\d.]+)%"
    band = re.compile(rf"(?:[\d.]+-[\d.]+%|[\d.]+%\+|no quota:) {money} x {rate} "
                      rf"(?:\(first tier rate\) )?= {money}")
    bonus = re.compile(rf"(?:bonus at [\d.]+%:|team .+ met its [\d,.]+ goal: team bonus"
                       rf"|new customers \d+ x [\d,.]+ =) {money}")
    clawback = re.compile(rf"clawback: refund {money} on \S+ \(deal \S+\) x "
                          rf"(?:{money} / {money} \(\S+ rate, [\d.]+%\)"
                          rf"|0% \(\S+ rate: no revenue\)) = {money}")
    tier = bonuses = clawed = 0.0
    payout = None
    for step in explanation.split("; "):
        if match := band.fullmatch(step):
            base, fraction, result = _amount(match[1]), float(match[2]) / 100, _amount(match[3])
            # the band's revenue is written to the cent, so allow for its rounding too
            assert abs(base * fraction - result) <= 0.005 * (1 + fraction) + 1e-6, step
            tier += result
        elif match := bonus.fullmatch(step):
            bonuses += _amount(match[1])
        elif match := clawback.fullmatch(step):
            refund, result = _amount(match[1]), _amount(match[4])
            expected = refund * _amount(match[2]) / _amount(match[3]) if match[2] else 0.0
            assert abs(expected - result) <= 0.005 + 1e-6, step
            clawed += result
        elif match := re.fullmatch(rf"payout {money}", step):
            payout = _amount(match[1])
        else:
            assert re.fullmatch(r"[\d,.]+ quota|no revenue in any tier", step), step
    return tier, bonuses, clawed, payout


@settings(max_examples=40, deadline=None)
@given(cuts=PLAN_CUTS,
       rates=st.lists(st.integers(0, 3000).map(lambda bp: bp / 10_000), min_size=4, max_size=4),
       bonuses=st.lists(st.sampled_from([None, 0.0, 100.0, 2500.0]), min_size=4, max_size=4),
       target=st.one_of(st.none(), st.floats(1_000, 200_000)),
       sales=st.lists(st.floats(0, 100_000).map(lambda x: round(x, 2)), min_size=1,
                      max_size=4),
       refund=st.floats(0, 5_000).map(lambda x: round(x, 2)),
       new_customer_bonus=st.sampled_from([0.0, 250.0]), team_bonus=st.sampled_from([0.0, 75.0]))
def test_the_explanation_adds_up_to_the_columns(cuts, rates, bonuses, target, sales, refund,
                                                new_customer_bonus, team_bonus):
    starts = [0.0, *sorted(cuts)]
    ends = [*sorted(cuts), None]
    plans = [dict(plan="P", from_pct=s, to_pct=e, rate=r, bonus=b)
             for s, e, r, b in zip(starts, ends, rates, bonuses, strict=False)]
    goals = [quota("East", 10_000)]
    if target is not None:
        goals += [quota("Ana", target, "2026-10-01", "2026-10-31"), quota("Ana", target)]
    orders = [sale(f"2026-10-{10 + i:02d}", amount, customer=f"C{i}", deal_id=f"D{i}")
              for i, amount in enumerate(sales)]
    orders.append(sale("2026-11-05", -refund, customer="C0", deal_id="D0"))
    orders.append(sale("2026-11-06", sales[-1], customer=f"C{len(sales) - 1}"))
    settings_ = WorkbookSettings(as_of=date(2026, 11, 30), new_customer_bonus=new_customer_bonus,
                                 team_bonus=team_bonus)
    table, _ = pay(settings_, team=[dict(ANA, commission_plan="P")], plans=plans, goals=goals,
                   orders=orders)
    for row in table.itertuples(index=False):
        tier, bonus, clawed, payout = explained_parts(row.Explanation)
        assert tier == pytest.approx(row[COLUMNS.index("Tier Commission")], abs=0.005)
        assert bonus == pytest.approx(row.Bonuses, abs=0.005)
        assert clawed == pytest.approx(row.Clawbacks, abs=0.005)
        assert payout == pytest.approx(row.Payout, abs=0.005)
        assert row.Payout == pytest.approx(
            row[COLUMNS.index("Tier Commission")] + row.Bonuses - row.Clawbacks, abs=0.005)


@pytest.mark.parametrize("period", ["Month", "Quarter"])
@pytest.mark.parametrize("fiscal_year_start", [1, 4, 11])
def test_period_labels_worked_out_per_month_match_the_labels_of_every_date(
    period, fiscal_year_start
):
    # Commissions labels each distinct month once; every date must get the label that
    # periods.period_labels gives it: 1969-12-31 is 1969-12 (Month), Q4 of 1969 (January
    # start), Q3 of fiscal 1969 (April start: Oct-Dec), Q1 of fiscal 1969 (November start).
    from sync.compute.commissions import _period_labels
    from sync.compute.periods import period_labels

    days = pd.Series(pd.to_datetime(
        ["1969-12-31", "1969-01-15 13:00", "2026-03-31 23:59", None, "2026-04-01",
         "1900-02-28", "2026-03-01"], format="mixed"), index=[5, 3, 9, 1, 0, 7, 2])
    settings = SETTINGS.model_copy(update={"period": period,
                                           "fiscal_year_start": fiscal_year_start})
    labels = _period_labels(days, settings)
    assert labels.index.tolist() == days.index.tolist()
    assert labels.tolist() == period_labels(days, period, fiscal_year_start).tolist()
    expected_first = {("Month", 1): "1969-12", ("Month", 4): "1969-12", ("Month", 11): "1969-12",
                      ("Quarter", 1): "1969-Q4", ("Quarter", 4): "1969-Q3",
                      ("Quarter", 11): "1969-Q1"}
    assert labels.iloc[0] == expected_first[(period, fiscal_year_start)]
    assert labels.iloc[3] is None
