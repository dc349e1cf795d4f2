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

import numpy as np
import pandas as pd

from sync.compute.clawbacks import Clawback, clawbacks_of
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
from sync.schema import tab_headers


def _keys(names: pd.Series) -> pd.Series:
    """`name_key` of many names, worked out once per distinct name."""
    return names.map({name: name_key(name) for name in names.dropna().unique()})


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


def counted_revenue(tables: Tables, revenue: pd.DataFrame) -> pd.Series:
    """Each revenue line's amount as the Commissions tab counts it in Revenue (same index).

    A refund clawed back from its sale leaves revenue (counted 0, or the excess over the
    sale); every other line counts as written. Lines without a rep or date are left out.
    """
    lines = _credited_lines(revenue, tables.settings)
    return clawbacks_of(lines, tables.settings.clawback_days)[1]


def _new_customers(revenue: pd.DataFrame, settings: WorkbookSettings) -> pd.Series:
    """(rep key, period) -> customers whose first revenue ever is credited there."""
    sales = revenue.loc[(revenue["amount"] > 0) & revenue["customer_key"].notna()
                        & revenue["date"].notna(), ["date", "source", "row", "customer_key",
                                                   "rep"]]
    # each customer's first sale by date, then source, then row (one stable sort)
    sources, _names = pd.factorize(sales["source"], sort=True)
    sources[sources < 0] = len(_names)  # a blank source sorts last, as sort_values puts it
    order = np.lexsort((sales["row"].to_numpy(), sources,
                        sales["date"].to_numpy().astype("datetime64[s]").view("int64")))
    first = sales.iloc[order].drop_duplicates("customer_key")
    first = first[first["rep"].notna()]
    keys = _keys(first["rep"])
    labels = _period_labels(first["date"], settings)
    return first.groupby([keys, labels]).size()


def _period_labels(days: pd.Series, settings: WorkbookSettings) -> pd.Series:
    """`period_labels` of many dates, worked out once per distinct month (same index)."""
    months = pd.to_datetime(days).to_numpy().astype("datetime64[M]")
    codes, distinct = pd.factorize(months.view("int64"))
    firsts = pd.Series(distinct.astype("datetime64[M]").astype("datetime64[s]"))
    labels = period_labels(firsts, settings.period, settings.fiscal_year_start)
    return pd.Series(labels.to_numpy(dtype=object)[codes], index=days.index, dtype=object)


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


@dataclass
class Reps:
    """The reps a sync pays: Team rows by name key, and each name as it is shown."""

    members: pd.DataFrame  # Team rows indexed by rep key, with `team_key`
    display: dict[str, str]  # rep key -> the name as written in Team (or on the sale)
    plans: dict[str, tuple[object, str | None]]  # rep key -> plan as typed, and its key

    def plan(self, rep_key: str) -> tuple[object, str | None]:
        """The rep's Commission Plan as typed and its name key, looked up once per rep."""
        if rep_key not in self.plans:
            typed = self.members["commission_plan"].get(rep_key)
            self.plans[rep_key] = (typed, name_key(typed))
        return self.plans[rep_key]


def commissions(tables: Tables, revenue: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """The Commissions table and its issues: plan errors, missing quotas, unpaid reps."""
    settings = tables.settings
    payable, plan_names, issues = check_plans(tables.commission_plans)
    reps = _reps(tables.team)
    lines = _credited_lines(revenue, settings)
    _shown_names(lines, reps)
    clawbacks, counted = clawbacks_of(lines, settings.clawback_days)
    lines["counted"] = counted
    # A refund clawed back in full is no longer revenue of the rep it was entered under.
    kept = lines[(lines["counted"] != 0) | (lines["amount"] >= 0)]
    revenue_of = kept.groupby(["rep_key", "period"])["counted"].sum()
    targets, goal_issues = _goal_targets(tables.goals, settings)
    issues += goal_issues
    members = reps.members
    team_met = _teams_meeting_goals(revenue_of, members, targets) if settings.team_bonus else set()

    rows = {
        key: Payout(reps.display[key[0]], key[1])
        for key in _payout_keys(revenue_of, clawbacks, targets, team_met, reps)
    }
    new_customers = _new_customers(revenue, settings)
    for key, row in rows.items():
        row.revenue = float(revenue_of.get(key, 0.0))
        row.quota = targets[key][0] if key in targets else None
        tiers = payable.get(reps.plan(key[0])[1] or "")
        if tiers is not None:
            _tier_steps(row, tiers)
            _bonus_steps(row, key, int(new_customers.get(key, 0)), team_met, targets, reps,
                         settings)
    _attach_clawbacks(rows, clawbacks)
    unpaid = _close_explanations(rows, reps, payable, plan_names)
    issues += _unpaid_warnings(unpaid, set(revenue_of.index.get_level_values(0)), reps,
                               plan_names)
    issues += _no_quota_warnings(rows, unpaid, settings)
    return _table(rows), issues


def _reps(team: pd.DataFrame) -> Reps:
    """Team rows by rep key (the first row of a repeated rep), with their team keys."""
    team = team.dropna(subset=["rep"])
    team = team.assign(rep_key=team["rep"].map(name_key), team_key=team["team"].map(name_key))
    team = team.dropna(subset=["rep_key"]).drop_duplicates("rep_key")
    display = {key: str(rep).strip() for key, rep in zip(team["rep_key"], team["rep"],
                                                            strict=True)}
    return Reps(team.set_index("rep_key"), display, {})


def _credited_lines(revenue: pd.DataFrame, settings: WorkbookSettings) -> pd.DataFrame:
    """Revenue lines credited to a rep on a day, with the rep's key and the period."""
    lines = revenue.loc[revenue["rep"].notna() & revenue["date"].notna(),
                        ["date", "amount", "rep", "deal_id"]]
    return lines.assign(rep_key=_keys(lines["rep"]), period=_period_labels(lines["date"], settings))


def _shown_names(lines: pd.DataFrame, reps: Reps) -> None:
    """Reps credited with a sale but not in Team are shown as the sale names them."""
    credited = lines.drop_duplicates("rep_key")
    for key, rep in zip(credited["rep_key"], credited["rep"], strict=True):
        reps.display.setdefault(key, str(rep).strip())


def _payout_keys(
    revenue_of: pd.Series,
    clawbacks: list[Clawback],
    targets: dict[tuple[str, str], tuple[float, int]],
    team_met: set[tuple[str, str]],
    reps: Reps,
) -> set[tuple[str, str]]:
    """(rep key, period) of every row: revenue, a clawback, a quota or a team bonus."""
    members = reps.members
    keys: set[tuple[str, str]] = set(revenue_of.index)
    keys |= {(claw.rep, claw.period) for claw in clawbacks}
    keys |= {key for key in targets if key[0] in reps.display and key[0] in members.index}
    for team, label in team_met:
        keys |= {(rep_key, label) for rep_key in members.index[members["team_key"] == team]}
    return keys


def _bonus_steps(
    row: Payout,
    key: tuple[str, str],
    new_customers: int,
    team_met: set[tuple[str, str]],
    targets: dict[tuple[str, str], tuple[float, int]],
    reps: Reps,
    settings: WorkbookSettings,
) -> None:
    """The New Customer Bonus and the Team Bonus of a paid row, each spelled out."""
    if new_customers and settings.new_customer_bonus > 0:
        amount = new_customers * settings.new_customer_bonus
        row.bonuses += amount
        row.steps.append(_("new customers {count} x {bonus} = {amount}").format(
            count=new_customers, bonus=format_money(settings.new_customer_bonus),
            amount=format_money(amount)))
    rep_key, period = key
    team_key = reps.members["team_key"].get(rep_key)
    if (team_key, period) in team_met:
        team_name = reps.members.loc[rep_key, "team"].strip()
        row.bonuses += settings.team_bonus
        row.steps.append(_("team {team} met its {goal} goal: team bonus {bonus}").format(
            team=team_name, goal=format_money(targets[(team_key, period)][0]),
            bonus=format_money(settings.team_bonus)))


def _attach_clawbacks(rows: dict[tuple[str, str], Payout], clawbacks: list[Clawback]) -> None:
    """Each clawback on the row of its refund's period, with its sale period's figures."""
    for claw in clawbacks:
        sale = rows[(claw.rep, claw.sale_period)]
        # the figures of the sale period's row as written, so the rep can redo the division
        claw.sale_commission = round(sale.tier_commission, 2)
        claw.sale_revenue = round(sale.revenue, 2)
        rows[(claw.rep, claw.period)].clawbacks.append(claw)


def _close_explanations(
    rows: dict[tuple[str, str], Payout],
    reps: Reps,
    payable: dict[str, list[Tier]],
    plan_names: dict[str, str],
) -> set[str]:
    """End each Explanation with its clawbacks and payout, or why nothing is paid; returns
    the keys of the reps paid nothing for want of a payable plan."""
    unpaid: set[str] = set()
    for key, row in rows.items():
        plan, plan_key = reps.plan(key[0])
        if plan_key not in payable:
            unpaid.add(key[0])
            reason = _no_plan_reason(key[0] in reps.members.index, plan, plan_names)
            row.steps = [_("{reason}: no commission").format(reason=reason)]
            row.clawbacks = []
            continue
        for claw in row.clawbacks:
            row.steps.append(claw.step())
        row.steps.append(_("payout {payout}").format(payout=format_money(_payout(row))))
    return unpaid


def _unpaid_warnings(
    unpaid: set[str], with_revenue: set[str], reps: Reps, plan_names: dict[str, str]
) -> list[Issue]:
    """One Warning per Team rep with revenue and no payable plan."""
    issues = []
    for rep_key in sorted(unpaid & set(reps.members.index) & with_revenue):
        plan, plan_key = reps.plan(rep_key)
        issues.append(Issue(
            tab="Team", row=int(reps.members.loc[rep_key, "row"]), column="Commission Plan",
            value="" if plan_key is None else str(plan), severity="Warning",
            problem=_("{rep} is paid no commission: {reason}. Give the rep a plan from "
                      "Commission Plans.").format(rep=reps.display[rep_key],
                                                  reason=_no_plan_reason(True, plan, plan_names)),
        ))
    return issues


def _table(rows: dict[tuple[str, str], Payout]) -> pd.DataFrame:
    """The rows as the tab shows them, by rep (case ignored) then period."""
    headers = tab_headers("Commissions")
    table = pd.DataFrame([_record(row) for row in rows.values()], columns=headers)
    if table.empty:
        return table
    order = table["Rep"].str.casefold()
    table = table.assign(_order=order).sort_values(["_order", "Period"], kind="mergesort")
    return table[headers].reset_index(drop=True)


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
