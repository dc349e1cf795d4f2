"""Top-down: a Company or team Revenue goal split among its members, to the cent."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sync.compute.goal_history import Period, last_periods
from sync.compute.names import clean_text, name_key
from sync.compute.smart import Roster, day_of, owner_name
from sync.compute.tiers import format_money
from sync.i18n import _, period_name

SHARE_PERIODS = 4  # members' shares come from the last four complete periods

ScopeKey = tuple[str | None, str | None]  # product and region name keys


def split_to_cents(total: float, weights: dict[str, float]) -> dict[str, float]:
    """`total` (rounded to the cent) shared in proportion to `weights`, adding up exactly.

    Largest-remainder rounding: every member gets the whole cents of their exact share,
    and the cents left over go one each to the largest fractions (ties: the larger weight,
    then the order given). Negative weights count as 0; all 0 shares equally.
    """
    if not weights:
        return {}
    cents = round(total * 100)
    clean = {name: max(0.0, weight) for name, weight in weights.items()}
    if sum(clean.values()) <= 0:
        clean = dict.fromkeys(clean, 1.0)
    whole = sum(clean.values())
    exact = {name: cents * weight / whole for name, weight in clean.items()}
    floors = {name: math.floor(share) for name, share in exact.items()}
    order = list(weights)
    leftover = cents - sum(floors.values())
    ranked = sorted(
        order, key=lambda name: (-(exact[name] - floors[name]), -clean[name], order.index(name))
    )
    for name in ranked[:leftover]:
        floors[name] += 1
    return {name: floors[name] / 100 for name in order}


@dataclass(frozen=True)
class Split:
    """One member's part of a top-down goal, with the sentence that spells it out."""

    amount: float
    basis: str


@dataclass(frozen=True)
class _Goal:
    owner: str
    kind: str
    key: str
    target: float
    scope: ScopeKey
    product: str | None
    region: str | None


def _next_period_goals(goals: pd.DataFrame, roster: Roster, period: Period) -> list[_Goal]:
    """The Revenue goals (any owner) whose period is exactly `period`, first row first."""
    found = []
    for goal in goals.itertuples(index=False):
        if clean_text(goal.metric) != "Revenue" or pd.isna(goal.target):
            continue
        if day_of(goal.period_start) != period.start or day_of(goal.period_end) != period.end:
            continue
        kind, key = roster.kind(goal.owner), name_key(goal.owner)
        if kind is None or key is None:
            continue
        found.append(_Goal(
            owner=clean_text(goal.owner) or "", kind=kind, key=key, target=float(goal.target),
            scope=(name_key(goal.product), name_key(goal.region)),
            product=clean_text(goal.product), region=clean_text(goal.region),
        ))
    return found


def top_down_splits(
    goals: pd.DataFrame,
    roster: Roster,
    period: Period,
    past: list[Period],
    revenue_of: Callable[[str, ScopeKey, list[Period]], float],
    ramp: dict[str, float],
) -> dict[tuple[str, ScopeKey], tuple[str | None, str | None, Split]]:
    """Each member's part of every Company or team Revenue goal for the next period.

    Members are the team's active reps (Company: all active reps, unless a team has a goal
    of the same scope, in which case the Company's members are the teams and nothing is
    split to reps). What members' own goals already hold is taken off; the rest is split
    among the members with no goal, by their revenue in the goal's scope over the last
    four complete periods; a ramping rep weighs the established members' average x their
    ramp share. Keyed by (rep key, scope); the value also carries the goal's Product and
    Region as written.
    """
    found = _next_period_goals(goals, roster, period)
    rep_goals = {(goal.key, goal.scope): goal.target for goal in found if goal.kind == "rep"}
    team_scopes = {goal.scope for goal in found if goal.kind == "team"}
    recent = past[-SHARE_PERIODS:]
    splits: dict[tuple[str, ScopeKey], tuple[str | None, str | None, Split]] = {}
    for goal in found:
        if goal.kind == "team":
            members = [rep for rep in roster.reps if rep in roster.teams[goal.key]]
        elif goal.kind == "company" and goal.scope not in team_scopes:
            members = list(roster.reps)
        else:
            continue
        members = [rep for rep in members if rep in roster.active]
        taken = sum(rep_goals.get((rep, goal.scope), 0.0) for rep in members)
        open_members = [rep for rep in members if (rep, goal.scope) not in rep_goals]
        remaining = goal.target - taken
        if not open_members or remaining <= 0:
            continue
        history = {rep: max(0.0, revenue_of(rep, goal.scope, recent)) for rep in open_members}
        established = [history[rep] for rep in open_members if rep not in ramp]
        typical = sum(established) / len(established) if established else 0.0
        weights = {
            rep: typical * ramp[rep] if rep in ramp else history[rep] for rep in open_members
        }
        if sum(weights.values()) <= 0:  # no history to share by: equal parts, ramp shares kept
            weights = {rep: ramp.get(rep, 1.0) for rep in open_members}
            if sum(weights.values()) <= 0:
                weights = dict.fromkeys(open_members, 1.0)
            how = _("in equal parts (no revenue in the last periods to share by)")
        else:
            labels = _(" to ").join(
                dict.fromkeys([period_name(recent[0].label), period_name(recent[-1].label)]))
            how = _("by share of revenue in {periods} ({labels})").format(
                periods=last_periods(len(recent)), labels=labels)
        parts = split_to_cents(remaining, weights)
        whole = sum(weights.values())
        less = _(" less members' own goals {taken}").format(
            taken=format_money(taken)) if taken else ""
        for rep, amount in parts.items():
            key = (rep, goal.scope)
            if key in splits:
                continue  # two goals of one scope for the same period: the first row is used
            basis = _(
                "{owner}'s Revenue goal {target} for {period}{less} split {how}: {remaining} x "
                "{weight} / {whole} = {amount} (largest-remainder rounding to the cent)"
            ).format(owner=owner_name(goal.owner), target=format_money(goal.target),
                     period=period_name(period.label), less=less, how=how,
                     remaining=format_money(remaining), weight=format_money(weights[rep]),
                     whole=format_money(whole), amount=format_money(amount))
            if rep in ramp:
                basis += _("; a new rep weighs {share} of the members' average").format(
                    share=f"{ramp[rep]:.0%}")
            splits[key] = (goal.product, goal.region, Split(amount, basis))
    return splits
