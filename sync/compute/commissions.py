"""The Commissions tab: one row per rep and period, with the payout spelled out.

Definitions are SPEC section 4 (Commission); tier checks and band arithmetic are in
`tiers.py`. Choices the SPEC leaves open are written down in
docs/figures-commissions-customers.md; in short:
- a quota is a rep's Revenue goal without Product or Region whose Period Start and End are
  exactly the bounds of one period; goals over other ranges are not split into quotas;
- a refund linked by Deal ID to a sale of the same deal at most `Clawback Days` before it
  is clawed back from the rep paid for the sale, in the refund's period, and is left out of
  revenue; any other refund stays in the revenue of the rep it is credited to;
- a rep without a payable plan (none, unknown, or one with problems) gets rows with
  revenue and quota but a payout of 0, and one Warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sync.compute.names import name_key
from sync.compute.periods import label_bounds, period_bounds, period_label, period_labels
from sync.compute.smart import owner_name
from sync.compute.tiers import (
    Tier,
    band_label,
    bonuses_reached,
    check_plans,
    format_money,
    percent_label,
    tier_bands,
)
from sync.contract.tables import Issue, Tables, WorkbookSettings
from sync.i18n import _, period_name

COLUMNS = [
    "Rep", "Period", "Revenue", "Quota", "Attainment", "Tier Commission", "Bonuses",
    "Clawbacks", "Payout", "Explanation",
]


def _keys(names: pd.Series) -> pd.Series:
    """`name_key` of many names, worked out once per distinct name."""
    return names.map({name: name_key(name) for name in names.dropna().unique()})


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
            rate = _("0% ({period} rate: no revenue)").format(period=period_name(self.sale_period))
        return _("clawback: refund {base} on {day} (deal {deal}) x {rate} = {amount}").format(
            base=format_money(self.base), day=f"{self.refund_date:%Y-%m-%d}", deal=self.deal_id,
            rate=rate, amount=format_money(self.amount))


@dataclass
class Payout:
    """One row of the tab while it is being worked out."""

    rep: str
    period: str
    revenue: float = 0.0
    quota: float | None = None
    tier_commission: float = 0.0
    bonuses: float = 0.0
    clawbacks: list[Clawback] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)


def _goal_targets(
    goals: pd.DataFrame, settings: WorkbookSettings
) -> tuple[dict[tuple[str, str], tuple[float, int]], list[Issue]]:
    """(owner key, period) -> (target, goals row) of Revenue goals spanning exactly a period."""
    targets: dict[tuple[str, str], tuple[float, int]] = {}
    issues: list[Issue] = []
    revenue_goals = goals[
        (goals["metric"] == "Revenue") & goals["product"].isna() & goals["region"].isna()
        & goals["owner"].notna() & goals["period_start"].notna() & goals["period_end"].notna()
        & (goals["target"] > 0)
    ].sort_values("row")
    for goal in revenue_goals.itertuples(index=False):
        start, end = goal.period_start.date(), goal.period_end.date()
        if period_bounds(start, settings.period, settings.fiscal_year_start) != (start, end):
            continue
        label = period_label(start, settings.period, settings.fiscal_year_start)
        key = (str(name_key(goal.owner)), label)
        if key in targets:
            issues.append(Issue(
                tab="Goals", row=goal.row, column="Target", value=format_money(goal.target),
                severity="Warning",
                problem=_("{owner} already has a Revenue goal for {period} (row {row}); only "
                          "that one is used as the quota. Remove one of them.").format(
                    owner=owner_name(goal.owner), period=period_name(label),
                    row=targets[key][1]),
            ))
            continue
        targets[key] = (float(goal.target), int(goal.row))
    return targets, issues


def _clawbacks(lines: pd.DataFrame, days: int) -> tuple[list[Clawback], pd.Series]:
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
    pairs["sale"] = pairs["sale"].astype(int)
    left = sales["amount"].to_dict()
    found = []
    for pair in pairs.sort_values(["date", "refund"]).itertuples(index=False):
        base = min(-pair.amount, left[pair.sale])
        if base <= 0:
            continue
        left[pair.sale] -= base
        counted[pair.refund] += base  # the clawed part leaves revenue; any excess stays
        found.append(Clawback(
            rep=pair.rep_key_sale, period=pair.period, refund_date=pair.date.date(),
            deal_id=pair.deal_id, base=base, sale_period=pair.period_sale,
        ))
    return found, counted


def counted_revenue(tables: Tables, revenue: pd.DataFrame) -> pd.Series:
    """Each revenue line's amount as the Commissions tab counts it in Revenue (same index).

    A refund clawed back from its sale leaves revenue (counted 0, or the excess over the
    sale); every other line counts as written. Lines without a rep or date are left out.
    """
    settings = tables.settings
    lines = revenue[revenue["rep"].notna() & revenue["date"].notna()].copy()
    lines["rep_key"] = _keys(lines["rep"])
    lines["period"] = period_labels(lines["date"], settings.period, settings.fiscal_year_start)
    return _clawbacks(lines, settings.clawback_days)[1]


def _new_customers(revenue: pd.DataFrame, settings: WorkbookSettings) -> pd.Series:
    """(rep key, period) -> customers whose first revenue ever is credited there."""
    sales = revenue[(revenue["amount"] > 0) & revenue["customer_key"].notna()
                    & revenue["date"].notna()]
    first = sales.sort_values(["date", "source", "row"], kind="mergesort").drop_duplicates(
        "customer_key")
    first = first[first["rep"].notna()]
    keys = _keys(first["rep"])
    labels = period_labels(first["date"], settings.period, settings.fiscal_year_start)
    return first.groupby([keys, labels]).size()


def _tier_steps(row: Payout, tiers: list[Tier]) -> None:
    """Tier commission and tier bonuses of a row, with their arithmetic."""
    if row.quota is None:
        first = tiers[0]
        base = max(row.revenue, 0.0)
        row.tier_commission = round(base * first.rate, 2)
        row.steps.append(
            _("no quota: {base} x {rate} (first tier rate) = {commission}").format(
                base=format_money(base), rate=percent_label(first.rate),
                commission=format_money(row.tier_commission))
        )
        return
    row.steps.append(_("{quota} quota").format(quota=format_money(row.quota)))
    bands = tier_bands(tiers, row.revenue, row.quota)
    for band in bands:
        tier = band.tier
        row.steps.append(
            _("{band} {revenue} x {rate} = {commission}").format(
                band=band_label(tier), revenue=format_money(band.revenue),
                rate=percent_label(tier.rate), commission=format_money(band.commission))
        )
    if not bands:
        row.steps.append(_("no revenue in any tier"))
    row.tier_commission = round(sum(band.commission for band in bands), 2)
    for tier in bonuses_reached(tiers, row.revenue / row.quota):
        row.bonuses += tier.bonus
        row.steps.append(_("bonus at {start}: {bonus}").format(
            start=percent_label(tier.start), bonus=format_money(tier.bonus)))


def _no_plan_reason(in_team: bool, plan: object, known: dict[str, str]) -> str:
    key = name_key(plan)
    if not in_team:
        return _("not in the Team tab")
    if key is None:
        return _("no Commission Plan in the Team tab")
    if key in known:
        return _('plan "{plan}" has problems (see Data Issues)').format(plan=known[key])
    return _('plan "{plan}" is not in Commission Plans').format(plan=str(plan).strip())


def _teams_meeting_goals(
    revenue_of: pd.Series, members: pd.DataFrame, targets: dict[tuple[str, str], tuple[float, int]]
) -> set[tuple[str, str]]:
    """(team key, period) where the members' credited revenue reaches the team's goal."""
    team_of = members["team_key"].dropna().to_dict()
    team_revenue: dict[tuple[str, str], float] = {}
    for (rep_key, label), amount in revenue_of.items():
        if rep_key in team_of:
            team_period = (team_of[rep_key], label)
            team_revenue[team_period] = team_revenue.get(team_period, 0.0) + amount
    return {
        key for key, actual in team_revenue.items()
        if key in targets and actual >= targets[key][0]
    }


def commissions(tables: Tables, revenue: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The Commissions table and its issues: plan errors, missing quotas, unpaid reps."""
    settings = tables.settings
    payable, plan_names, issues = check_plans(tables.commission_plans)
    team = tables.team.dropna(subset=["rep"])
    team = team.assign(rep_key=team["rep"].map(name_key), team_key=team["team"].map(name_key))
    team = team.dropna(subset=["rep_key"]).drop_duplicates("rep_key")
    members = team.set_index("rep_key")
    display = {key: str(rep).strip() for key, rep in zip(team["rep_key"], team["rep"],
                                                            strict=True)}

    lines = revenue[revenue["rep"].notna() & revenue["date"].notna()].copy()
    lines["rep_key"] = _keys(lines["rep"])
    lines["period"] = period_labels(lines["date"], settings.period, settings.fiscal_year_start)
    credited = lines.drop_duplicates("rep_key")
    for key, rep in zip(credited["rep_key"], credited["rep"], strict=True):
        display.setdefault(key, str(rep).strip())

    clawbacks, counted = _clawbacks(lines, settings.clawback_days)
    lines["counted"] = counted
    # A refund clawed back in full is no longer revenue of the rep it was entered under.
    kept = lines[(lines["counted"] != 0) | (lines["amount"] >= 0)]
    revenue_of = kept.groupby(["rep_key", "period"])["counted"].sum()
    targets, goal_issues = _goal_targets(tables.goals, settings)
    issues += goal_issues
    new_customers = _new_customers(revenue, settings)

    team_met = _teams_meeting_goals(revenue_of, members, targets) if settings.team_bonus else set()

    keys: set[tuple[str, str]] = set(revenue_of.index)
    keys |= {(claw.rep, claw.period) for claw in clawbacks}
    keys |= {key for key in targets if key[0] in display and key[0] in members.index}
    for team, label in team_met:
        keys |= {(rep_key, label) for rep_key in members.index[members["team_key"] == team]}

    rows = {key: Payout(display[key[0]], key[1]) for key in keys}
    for key, row in rows.items():
        row.revenue = float(revenue_of.get(key, 0.0))
        row.quota = targets[key][0] if key in targets else None
        plan = members["commission_plan"].get(key[0])
        tiers = payable.get(name_key(plan) or "")
        if tiers is None:
            continue
        _tier_steps(row, tiers)
        count = int(new_customers.get(key, 0))
        if count and settings.new_customer_bonus > 0:
            amount = count * settings.new_customer_bonus
            row.bonuses += amount
            row.steps.append(_("new customers {count} x {bonus} = {amount}").format(
                count=count, bonus=format_money(settings.new_customer_bonus),
                amount=format_money(amount)))
        team_key = members["team_key"].get(key[0])
        if (team_key, key[1]) in team_met:
            team_name = members.loc[key[0], "team"].strip()
            row.bonuses += settings.team_bonus
            row.steps.append(_("team {team} met its {goal} goal: team bonus {bonus}").format(
                team=team_name, goal=format_money(targets[(team_key, key[1])][0]),
                bonus=format_money(settings.team_bonus)))

    for claw in clawbacks:
        sale = rows[(claw.rep, claw.sale_period)]
        # the figures of the sale period's row as written, so the rep can redo the division
        claw.sale_commission = round(sale.tier_commission, 2)
        claw.sale_revenue = round(sale.revenue, 2)
        rows[(claw.rep, claw.period)].clawbacks.append(claw)

    unpaid: set[str] = set()
    for key, row in rows.items():
        plan = members["commission_plan"].get(key[0])
        if name_key(plan) not in payable:
            unpaid.add(key[0])
            reason = _no_plan_reason(key[0] in members.index, plan, plan_names)
            row.steps = [_("{reason}: no commission").format(reason=reason)]
            row.clawbacks = []
            continue
        for claw in row.clawbacks:
            row.steps.append(claw.step())
        row.steps.append(_("payout {payout}").format(payout=format_money(_payout(row))))

    reps_with_revenue = set(revenue_of.index.get_level_values(0))
    for rep_key in sorted(unpaid & set(members.index) & reps_with_revenue):
        plan = members["commission_plan"].get(rep_key)
        issues.append(Issue(
            tab="Team", row=int(members.loc[rep_key, "row"]), column="Commission Plan",
            value="" if name_key(plan) is None else str(plan), severity="Warning",
            problem=_("{rep} is paid no commission: {reason}. Give the rep a plan from "
                      "Commission Plans.").format(rep=display[rep_key],
                                                  reason=_no_plan_reason(True, plan, plan_names)),
        ))
    issues += _no_quota_warnings(rows, unpaid, settings)

    table = pd.DataFrame([_record(row) for row in rows.values()], columns=COLUMNS)
    if table.empty:
        return table, issues
    order = table["Rep"].str.casefold()
    table = table.assign(_order=order).sort_values(["_order", "Period"], kind="mergesort")
    return table[COLUMNS].reset_index(drop=True), issues


def _payout(row: Payout) -> float:
    clawed = round(sum(claw.amount for claw in row.clawbacks), 2)
    return round(row.tier_commission + row.bonuses - clawed, 2)


def _record(row: Payout) -> list[object]:
    clawed = round(sum(claw.amount for claw in row.clawbacks), 2)
    return [
        row.rep, row.period, round(row.revenue, 2), row.quota,
        None if row.quota is None else row.revenue / row.quota,
        round(row.tier_commission, 2), round(row.bonuses, 2), clawed, _payout(row),
        _("; ").join(row.steps),
    ]


def _no_quota_warnings(
    rows: dict[tuple[str, str], Payout], unpaid: set[str], settings: WorkbookSettings
) -> list[Issue]:
    """One Warning per paid rep with revenue in periods that have no quota."""
    missing: dict[str, list[str]] = {}
    for (rep_key, label), row in rows.items():
        if row.quota is None and rep_key not in unpaid and row.revenue != 0:
            missing.setdefault(rep_key, []).append(label)
    issues = []
    for rep_key, labels in sorted(missing.items()):
        rep = rows[(rep_key, labels[0])].rep
        labels.sort()
        example_start, example_end = label_bounds(labels[-1], settings.period,
                                                  settings.fiscal_year_start)
        issues.append(Issue(
            tab="Goals", column="Target", value=", ".join(labels), severity="Warning",
            problem=_("{rep} has no quota for {periods}, so the plan's first rate is paid on "
                      "all revenue there. Add a Revenue goal with Owner {rep} whose Period "
                      "Start and End are exactly the period (for {period}: {start} to {end})."
                      ).format(rep=rep, periods=_(", ").join(period_name(label)
                                                             for label in labels),
                               period=period_name(labels[-1]), start=f"{example_start:%Y-%m-%d}",
                               end=f"{example_end:%Y-%m-%d}"),
        ))
    return issues
