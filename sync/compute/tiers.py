"""Commission plans: tier checks and the marginal tier arithmetic (SPEC section 3).

Tiers are marginal bands of quota attainment, like tax brackets: the revenue between
`From %` and `To %` of the quota earns `Rate`; `Bonus` is paid once when attainment
reaches `From %`. A plan with a problem (no tier from 0%, a gap, an overlap, `To %` not
above `From %`) gets an Error on its row and pays nothing until it is fixed: paying a
guess at what the owner meant would be worse than paying nothing and saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sync.compute.names import name_key
from sync.contract.tables import Issue
from sync.i18n import _

TAB = "Commission Plans"
_SAME = 1e-9  # percents read from text and from cells may differ in the last bit


@dataclass(frozen=True)
class Tier:
    """One band of a plan: attainment from `start` to `end` (None = no cap), as fractions."""

    start: float
    end: float | None
    rate: float
    bonus: float
    row: int


@dataclass(frozen=True)
class Band:
    """The revenue a tier paid on, and what it earned (rounded to cents)."""

    tier: Tier
    revenue: float
    commission: float


def format_money(amount: float) -> str:
    """`1,500` for whole amounts, `1,500.25` otherwise."""
    amount = round(amount, 2) + 0.0  # no "-0"
    if abs(amount - round(amount)) < 0.005:
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


def percent_label(fraction: float) -> str:
    """`50%`, `2.5%`, `12.25%`."""
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def band_label(tier: Tier) -> str:
    """`0-50%`, or `100%+` for a band without a cap."""
    if tier.end is None:
        return f"{percent_label(tier.start)}+"
    return f"{percent_label(tier.start).rstrip('%')}-{percent_label(tier.end)}"


def _tier(record: pd.Series) -> Tier:
    end = record["to_pct"]
    bonus = record["bonus"]
    return Tier(
        start=float(record["from_pct"]),
        end=None if pd.isna(end) else float(end),
        rate=float(record["rate"]),
        bonus=0.0 if pd.isna(bonus) else float(bonus),
        row=int(record["row"]),
    )


def _plan_problems(name: str, tiers: list[Tier]) -> list[Issue]:
    """Error issues for one plan's tiers (empty when the plan can be paid)."""
    problems: list[Issue] = []

    def error(tier: Tier, column: str, value: float | None, problem: str) -> None:
        problems.append(Issue(
            tab=TAB, row=tier.row, column=column,
            value="" if value is None else percent_label(value), severity="Error",
            problem=_('Plan "{plan}": {problem} Its reps are paid no commission until this is '
                      "fixed.").format(plan=name, problem=problem),
        ))

    banded = []
    for tier in tiers:
        if tier.end is not None and tier.end <= tier.start + _SAME:
            error(tier, "To %", tier.end,
                  _("To % ({end}) must be above From % ({start}), or blank for no cap.").format(
                      end=percent_label(tier.end), start=percent_label(tier.start)))
        else:
            banded.append(tier)
    if not banded:
        return problems
    first = banded[0]
    if first.start > _SAME:
        error(first, "From %", first.start,
              _("no tier starts at 0%, so revenue below {start} of quota would earn nothing by "
                "mistake. Add a tier from 0% (its Rate may be 0%).").format(
                  start=percent_label(first.start)))
    for before, after in zip(banded, banded[1:], strict=False):
        if before.end is None:
            error(after, "From %", after.start,
                  _("the tier from {start} (row {row}) has no To %, so it overlaps this tier "
                    "from {after}. Give row {row} a To % of {after}.").format(
                      start=percent_label(before.start), row=before.row,
                      after=percent_label(after.start)))
        elif after.start < before.end - _SAME:
            error(after, "From %", after.start,
                  _("this tier from {start} overlaps the tier up to {end} (row {row}). Start it "
                    "at {end}.").format(start=percent_label(after.start),
                                        end=percent_label(before.end), row=before.row))
        elif after.start > before.end + _SAME:
            error(after, "From %", after.start,
                  _("revenue between {end} and {start} of quota falls in no tier. Start this "
                    "tier at {end}.").format(end=percent_label(before.end),
                                             start=percent_label(after.start)))
    return problems


def check_plans(plans: pd.DataFrame) -> tuple[dict[str, list[Tier]], dict[str, str], list[Issue]]:
    """Payable plans by key (tiers in order), every plan's display name by key, and Errors."""
    payable: dict[str, list[Tier]] = {}
    names: dict[str, str] = {}
    issues: list[Issue] = []
    usable = plans.dropna(subset=["plan", "from_pct", "rate"])
    keys = usable["plan"].map(name_key)
    for key, records in usable.groupby(keys, sort=True):
        name = str(records["plan"].iloc[0]).strip()
        names[str(key)] = name
        tiers = sorted(
            (_tier(record) for _, record in records.iterrows()),
            key=lambda tier: (tier.start, math.inf if tier.end is None else tier.end, tier.row),
        )
        problems = _plan_problems(name, tiers)
        issues += problems
        if not problems:
            payable[str(key)] = tiers
    return payable, names, issues


def tier_bands(tiers: list[Tier], revenue: float, quota: float) -> list[Band]:
    """The bands a revenue reaches against a quota, with each band's commission."""
    bands = []
    for tier in tiers:
        low = tier.start * quota
        high = math.inf if tier.end is None else tier.end * quota
        inside = min(revenue, high) - low
        if inside > 0:
            bands.append(Band(tier, inside, round(inside * tier.rate, 2)))
    return bands


def bonuses_reached(tiers: list[Tier], attainment: float) -> list[Tier]:
    """Tiers with a bonus whose From % the attainment has reached."""
    return [tier for tier in tiers if tier.bonus > 0 and attainment >= tier.start - _SAME]
