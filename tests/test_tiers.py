"""Commission plan checks and marginal tier arithmetic (SPEC section 3, Commission Plans)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.compute.tiers import (
    Tier,
    band_label,
    bonuses_reached,
    check_plans,
    format_money,
    percent_label,
    tier_bands,
)
from sync.contract.tables import build_frame

STANDARD = [
    dict(plan="Standard", from_pct=0.0, to_pct=0.5, rate=0.02),
    dict(plan="Standard", from_pct=0.5, to_pct=1.0, rate=0.05),
    dict(plan="Standard", from_pct=1.0, rate=0.08, bonus=1000),
]


def plans(records):
    return build_frame("Commission Plans", records)


def test_a_valid_plan_has_no_issues_and_tiers_in_order():
    payable, names, issues = check_plans(plans(list(reversed(STANDARD))))
    assert issues == []
    assert names == {"standard": "Standard"}
    assert [(t.start, t.end, t.rate, t.bonus) for t in payable["standard"]] == [
        (0.0, 0.5, 0.02, 0.0), (0.5, 1.0, 0.05, 0.0), (1.0, None, 0.08, 1000.0),
    ]


def test_plan_names_match_trimmed_and_case_insensitive():
    records = [dict(STANDARD[0], plan=" standard"), *STANDARD[1:]]
    payable, _, issues = check_plans(plans(records))
    assert issues == [] and len(payable["standard"]) == 3


@pytest.mark.parametrize(("records", "row", "column", "words"), [
    # no tier from 0%
    ([dict(plan="P", from_pct=0.1, to_pct=0.5, rate=0.02),
      dict(plan="P", from_pct=0.5, rate=0.05)],
     2, "From %", "no tier starts at 0%, so revenue below 10% of quota"),
    # a gap between 50% and 60%
    ([dict(plan="P", from_pct=0.0, to_pct=0.5, rate=0.02),
      dict(plan="P", from_pct=0.6, rate=0.05)],
     3, "From %", "revenue between 50% and 60% of quota falls in no tier"),
    # an overlap: 40% starts before the first tier ends at 50%
    ([dict(plan="P", from_pct=0.0, to_pct=0.5, rate=0.02),
      dict(plan="P", from_pct=0.4, rate=0.05)],
     3, "From %", "this tier from 40% overlaps the tier up to 50% (row 2)"),
    # an uncapped tier followed by another one
    ([dict(plan="P", from_pct=0.0, rate=0.02),
      dict(plan="P", from_pct=1.0, rate=0.05)],
     3, "From %", "the tier from 0% (row 2) has no To %"),
    # To % not above From %
    ([dict(plan="P", from_pct=0.0, to_pct=0.5, rate=0.02),
      dict(plan="P", from_pct=0.5, to_pct=0.5, rate=0.05)],
     3, "To %", "To % (50%) must be above From % (50%)"),
])
def test_plan_problems_are_errors_on_the_row_and_the_plan_is_not_paid(records, row, column,
                                                                      words):
    payable, _, issues = check_plans(plans(records))
    assert "p" not in payable
    assert [(i.tab, i.row, i.column, i.severity) for i in issues] == [
        ("Commission Plans", row, column, "Error")]
    assert words in issues[0].problem
    assert issues[0].problem.startswith('Plan "P": ')


def test_one_bad_plan_does_not_stop_another():
    records = [*STANDARD, dict(plan="Bad", from_pct=0.2, rate=0.01)]
    payable, names, issues = check_plans(plans(records))
    assert set(payable) == {"standard"} and set(names) == {"standard", "bad"}
    assert len(issues) == 1


def standard_tiers():
    return check_plans(plans(STANDARD))[0]["standard"]


def test_tier_bands_by_hand():
    # quota 60,000, revenue 64,000:
    #   0-50%: 0..30,000 -> 30,000 x 2% = 600
    #   50-100%: 30,000..60,000 -> 30,000 x 5% = 1,500
    #   100%+: 60,000..64,000 -> 4,000 x 8% = 320
    bands = tier_bands(standard_tiers(), 64_000, 60_000)
    assert [(b.revenue, b.commission) for b in bands] == [
        (30_000, 600.0), (30_000, 1500.0), (4_000, 320.0)]


def test_revenue_below_the_second_band_stays_in_the_first():
    # 20,000 of 60,000 is 33%: 20,000 x 2% = 400, nothing in the other bands
    bands = tier_bands(standard_tiers(), 20_000, 60_000)
    assert [(b.revenue, b.commission) for b in bands] == [(20_000, 400.0)]


def test_negative_revenue_earns_nothing():
    assert tier_bands(standard_tiers(), -500, 60_000) == []


def test_bonuses_paid_when_attainment_reaches_from():
    tiers = [Tier(0.0, 1.0, 0.02, 50.0, 2), Tier(1.0, None, 0.05, 1000.0, 3)]
    # the 0% tier's bonus is paid as soon as attainment is 0% or more (it was given)
    assert [t.bonus for t in bonuses_reached(tiers, 0.0)] == [50.0]
    assert [t.bonus for t in bonuses_reached(tiers, 0.999)] == [50.0]
    assert [t.bonus for t in bonuses_reached(tiers, 1.0)] == [50.0, 1000.0]
    assert bonuses_reached(tiers, -0.1) == []


@pytest.mark.parametrize(("amount", "text"), [
    (1500, "1,500"), (1500.25, "1,500.25"), (0.1 + 0.2, "0.30"), (-0.001, "0"), (3420.0, "3,420"),
])
def test_format_money(amount, text):
    assert format_money(amount) == text


@pytest.mark.parametrize(("fraction", "text"), [
    (0.5, "50%"), (0.025, "2.5%"), (1.2, "120%"), (0.1225, "12.25%"), (0, "0%"),
])
def test_format_percent(fraction, text):
    assert percent_label(fraction) == text


def test_band_labels():
    assert band_label(Tier(0.0, 0.5, 0.02, 0.0, 2)) == "0-50%"
    assert band_label(Tier(1.0, None, 0.08, 0.0, 2)) == "100%+"


RATES = st.floats(0, 0.5, allow_nan=False)
BONUSES = st.floats(0, 5000, allow_nan=False)


@st.composite
def valid_tiers(draw):
    cuts = sorted(draw(st.sets(st.floats(0.05, 3.0, allow_nan=False), max_size=4)))
    starts = [0.0, *cuts]
    ends = [*cuts, None]
    return [Tier(s, e, draw(RATES), draw(BONUSES), i + 2)
            for i, (s, e) in enumerate(zip(starts, ends, strict=True))]


def pay(tiers, revenue, quota):
    commission = sum(b.commission for b in tier_bands(tiers, revenue, quota))
    return commission + sum(t.bonus for t in bonuses_reached(tiers, revenue / quota))


@given(valid_tiers(), st.floats(-1e5, 1e6, allow_nan=False), st.floats(0, 1e5),
       st.floats(1, 1e6))
def test_pay_never_decreases_when_revenue_rises(tiers, revenue, more, quota):
    assert pay(tiers, revenue + more, quota) >= pay(tiers, revenue, quota)


@given(valid_tiers(), st.floats(0, 1e6, allow_nan=False), st.floats(1, 1e6))
def test_bands_split_the_revenue_exactly(tiers, revenue, quota):
    # with a tier from 0% and no cap at the end, the bands add up to all the revenue
    total = sum(b.revenue for b in tier_bands(tiers, revenue, quota))
    assert total == pytest.approx(revenue, rel=1e-9, abs=1e-6)
