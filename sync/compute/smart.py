"""Goal owners and the checks of a goal itself: SMART, and decomposition into members' goals."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sync.compute.names import clean_text, name_key, per_distinct
from sync.contract.tables import Issue
from sync.i18n import _

METRICS = ("Revenue", "Deals Won", "New Customers", "Pipeline Created")
COMPANY = "Company"
AMBITION_LIMIT = 3  # SPEC: a target at most 3x the previous period's figure is achievable


def day_of(value: object) -> date | None:
    """A date from a date cell (None when blank)."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def owner_name(owner: str | None) -> str | None:
    """A goal owner as the locale writes it: `Company` is a keyword (zh-CN `公司`), names stay."""
    return _(COMPANY) if owner == COMPANY else owner


def format_figure(value: float) -> str:
    """`450,000` for whole figures, `1,234.50` otherwise."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@dataclass(frozen=True)
class Roster:
    """Who is who in the Team tab: reps, their teams and whether they are active."""

    reps: dict[str, str]  # name key -> rep name as written
    active: frozenset[str]  # name keys of active reps
    teams: dict[str, frozenset[str]]  # team name key -> name keys of its reps
    # each owner as written -> its kind, worked out once: thousands of goals share owners
    _kinds: dict[object, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_team(cls, team: pd.DataFrame) -> Roster:
        """The roster of the Team tab."""
        reps: dict[str, str] = {}
        active: set[str] = set()
        teams: dict[str, set[str]] = {}
        for rep, team_name, is_active in zip(
            team["rep"], team["team"], team["active"], strict=True
        ):
            key = name_key(rep)
            if key is None:
                continue
            reps[key] = clean_text(rep) or ""
            if bool(is_active):
                active.add(key)
            team_key = name_key(team_name)
            if team_key is not None:
                teams.setdefault(team_key, set()).add(key)
        return cls(reps, frozenset(active), {k: frozenset(v) for k, v in teams.items()})

    def kind(self, owner: object) -> str | None:
        """`company`, `rep`, `team`, or None when unknown (a name both rep and team is a rep)."""
        if owner not in self._kinds:
            self._kinds[owner] = self._kind(owner)
        return self._kinds[owner]

    def _kind(self, owner: object) -> str | None:
        key = name_key(owner)
        if key is None:
            return None
        if key == COMPANY.casefold():
            return "company"
        if key in self.reps:
            return "rep"
        if key in self.teams:
            return "team"
        return None

    def scope_reps(self, owner: object) -> frozenset[str] | None:
        """Name keys of the reps whose results count for this owner (None: everyone)."""
        kind, key = self.kind(owner), name_key(owner)
        if kind == "company":
            return None
        if kind == "team" and key is not None:
            return self.teams[key]
        # a rep, or an unknown name: whatever is credited to that name (SMART reports it)
        return frozenset({key}) if key is not None else frozenset()


def smart_check(
    owner: str | None,
    metric: str | None,
    target: float,
    start: date | None,
    end: date | None,
    roster: Roster,
    previous: float,
) -> str:
    """`OK`, or each failed letter with its reason, joined by `; `.

    `previous` is the same metric over the same scope in the period of equal length just
    before the goal's; A is checked only when that figure is positive (a period with no
    data, or nothing in it, gives nothing to compare with). R is checked only for a known
    owner: an unknown one already fails S.
    """
    failed = []
    kind = roster.kind(owner)
    if owner is None:
        failed.append(_("S: no owner"))
    elif kind is None:
        failed.append(_('S: owner "{owner}" is not a rep in Team, a team or Company').format(
            owner=owner))
    if metric is None:
        failed.append(_("S: no metric"))
    elif metric not in METRICS:
        failed.append(_('S: metric "{metric}" is not one of {metrics}').format(
            metric=metric, metrics=_(", ").join(_(name) for name in METRICS)))
    if math.isnan(target):
        failed.append(_("M: no target"))
    elif target <= 0:
        failed.append(_("M: target {target} is not a positive number").format(
            target=format_figure(target)))
    elif not math.isnan(previous) and previous > 0 and target > AMBITION_LIMIT * previous:
        failed.append(_("A: target {target} is more than {limit}x last period's {previous}").format(
            target=format_figure(target), limit=AMBITION_LIMIT, previous=format_figure(previous)))
    key = name_key(owner)
    if kind == "rep" and key not in roster.active:
        failed.append(_("R: rep {owner} is not active").format(owner=owner))
    elif kind == "team" and key is not None and not roster.teams[key] & roster.active:
        failed.append(_("R: team {owner} has no active reps").format(owner=owner))
    if start is None:
        failed.append(_("T: no period start"))
    if end is None:
        failed.append(_("T: no period end"))
    if start is not None and end is not None and end <= start:
        failed.append(_("T: period end {end} is not after period start {start}").format(
            end=end, start=start))
    return _("; ").join(failed) if failed else "OK"


@dataclass(frozen=True)
class _Split:
    """A goal as the decomposition check sees it."""

    row: int
    owner: str | None
    kind: str | None
    key: str | None
    target: float
    metric: str
    start: date
    end: date
    scope: tuple[str, date, date, str | None, str | None]  # metric, period, product, region


def decomposition_issues(goals: pd.DataFrame, roster: Roster) -> list[Issue]:
    """A Warning for each Company or team goal its members' goals add up to less than.

    Members' goals count when they have the same metric, period, Product and Region. A team's
    members are its reps; the Company's are the teams when any team has such a goal, else
    the reps. A goal nobody has split up yet is left alone: there is nothing to add up.
    """
    splits = []
    # each distinct name and date is read once: thousands of goals share them
    for row, owner, owner_key, target, metric, start, end, product, region in zip(
        goals["row"].tolist(), goals["owner"].tolist(), per_distinct(goals["owner"], name_key),
        goals["target"].tolist(), per_distinct(goals["metric"], clean_text),
        per_distinct(goals["period_start"], day_of), per_distinct(goals["period_end"], day_of),
        per_distinct(goals["product"], name_key), per_distinct(goals["region"], name_key),
        strict=True,
    ):
        if pd.isna(target) or start is None or end is None or metric not in METRICS:
            continue
        splits.append(_Split(
            row=int(row), owner=clean_text(owner), kind=roster.kind(owner), key=owner_key,
            target=float(target), metric=metric, start=start, end=end,
            scope=(metric, start, end, product, region),
        ))
    # goals grouped once by scope, in Goals order: no goal compares itself with every other
    by_scope: dict[tuple[str, date, date, str | None, str | None], list[_Split]] = {}
    for split in splits:
        by_scope.setdefault(split.scope, []).append(split)
    issues = []
    for goal in splits:
        same = by_scope[goal.scope]
        if goal.kind == "team" and goal.key is not None:
            team = roster.teams[goal.key]
            members = [other for other in same if other.kind == "rep" and other.key in team]
        elif goal.kind == "company":
            members = [other for other in same if other.kind == "team"]
            members = members or [other for other in same if other.kind == "rep"]
        else:
            continue
        total = sum(member.target for member in members)
        if not members or total >= goal.target - 1e-9:
            continue
        parts = " + ".join(f"{m.owner} {format_figure(m.target)}" for m in members)
        issues.append(Issue(
            tab="Goals", row=goal.row, column="Target", value=format_figure(goal.target),
            severity="Warning",
            problem=(
                _("{owner}'s {metric} goal for {start} to {end} is "
                  "{target}, but its members' goals add up to only "
                  "{total} ({parts}): raise the members' goals or lower this one."
                  ).format(owner=owner_name(goal.owner), metric=_(goal.metric), start=goal.start,
                           end=goal.end, target=format_figure(goal.target),
                           total=format_figure(total), parts=parts)
            ),
        ))
    return issues
