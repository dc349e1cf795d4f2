"""The digest's content: the Dashboard's key figures, then what changed and needs attention.

Every figure comes from the same computation as the computed tabs (`compute_workbook`):
key figures are the Dashboard's rows, stuck and overdue deals are Deal Health's, customers'
lifecycles are Customer Segments', reps behind pace are Goal Progress rows. What *changed*
is found by comparing with the previous digest's snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from sync.compute.goals import elapsed_share
from sync.compute.names import name_key
from sync.compute.periods import period_bounds, period_label
from sync.contract.tables import Issue
from sync.digest.snapshot import Snapshot, issue_key
from sync.engine import Computed
from sync.statements.figures import number_or_none, stripped_text

KEY_FIGURES = ["Revenue This Period", "Revenue Goal Attainment", "Stuck Deals",
               "Customers At Risk"]
ALARMING_DEAL = {"Stuck", "Overdue"}
ALARMING_LIFECYCLE = {"At Risk", "Churned"}


@dataclass(frozen=True)
class KeyFigure:
    """A Dashboard row: KPI, value, target, status and kind (`money`, `percent`, ...)."""

    name: str
    value: float | None
    target: float | None
    status: str | None
    kind: str


@dataclass(frozen=True)
class DealMove:
    """A deal whose stage, or health, is not what the previous digest saw."""

    deal_id: str
    deal: str
    owner: str
    before: str | None
    after: str


@dataclass(frozen=True)
class CustomerTurn:
    """A customer who turned At Risk or Churned since the previous digest."""

    customer: str
    before: str | None
    after: str


@dataclass(frozen=True)
class RepBehind:
    """A rep's Revenue goal for the current period that is Behind pace (Goal Progress)."""

    rep: str
    scope: str
    target: float
    actual: float
    expected: float


@dataclass
class Digest:
    """Everything one digest says."""

    as_of: date
    period: str
    currency: str
    key_figures: list[KeyFigure]
    yesterday: date
    revenue_yesterday: float
    period_pace: str | None
    expected_by_now: float | None
    previous_as_of: str | None  # None: the first digest of this workbook
    moved: list[DealMove] = field(default_factory=list)
    became_alarming: list[DealMove] = field(default_factory=list)
    turned: list[CustomerTurn] = field(default_factory=list)
    behind: list[RepBehind] = field(default_factory=list)
    new_issues: list[Issue] = field(default_factory=list)


def _key_figures(computed: Computed) -> list[KeyFigure]:
    kpis = computed.frames.get("Dashboard")
    if kpis is None or kpis.empty:
        return []
    rows = {row["KPI"]: row for row in kpis.to_dict("records")}
    return [
        KeyFigure(name, number_or_none(rows[name]["Value"]), number_or_none(rows[name]["Target"]),
                  stripped_text(rows[name]["Status"]) or None, str(rows[name]["Type"]))
        for name in KEY_FIGURES if name in rows
    ]


def _deal_changes(computed: Computed, previous: Snapshot) -> tuple[list[DealMove], list[DealMove]]:
    pipeline = computed.tables.pipeline
    names = {str(k): (stripped_text(deal), stripped_text(owner)) for k, deal, owner in
             zip(pipeline["deal_id"], pipeline["deal"], pipeline["owner"], strict=True)}
    moved = []
    for deal_id, stage in zip(pipeline["deal_id"], pipeline["stage"], strict=True):
        if not isinstance(deal_id, str) or not isinstance(stage, str):
            continue
        before = previous.deal_stages.get(deal_id)
        if before != stage:
            moved.append(DealMove(deal_id, *names[deal_id], before, stage))
    alarming = []
    health = computed.frames.get("Deal Health", pd.DataFrame())
    for row in health.to_dict("records"):
        status, deal_id = str(row["Status"]), str(row["Deal ID"])
        before = previous.deal_status.get(deal_id)
        if status in ALARMING_DEAL and before != status:
            deal, owner = stripped_text(row["Deal"]), stripped_text(row["Owner"])
            alarming.append(DealMove(deal_id, deal, owner, before, status))
    return moved, alarming


def _customer_turns(computed: Computed, previous: Snapshot) -> list[CustomerTurn]:
    segments = computed.frames.get("Customer Segments", pd.DataFrame())
    turned = []
    for row in segments.to_dict("records"):
        after, before = str(row["Lifecycle"]), previous.lifecycle.get(str(row["Customer"]))
        if after in ALARMING_LIFECYCLE and before != after:
            turned.append(CustomerTurn(str(row["Customer"]), before, after))
    return turned


def _reps_behind(computed: Computed) -> list[RepBehind]:
    as_of = pd.Timestamp(computed.tables.settings.as_of)
    progress = computed.frames.get("Goal Progress", pd.DataFrame())
    if progress.empty:
        return []
    reps = {name_key(rep) for rep in computed.tables.team["rep"].dropna()}
    rows = progress[(progress["Metric"] == "Revenue") & (progress["Pace"] == "Behind")
                    & (progress["Period Start"] <= as_of) & (progress["Period End"] >= as_of)]
    behind = []
    for row in rows.to_dict("records"):
        if name_key(row["Owner"]) not in reps:
            continue
        parts = (stripped_text(row["Product"]), stripped_text(row["Region"]))
        scope = ", ".join(part for part in parts if part)
        behind.append(RepBehind(str(row["Owner"]), scope, float(row["Target"]),
                                float(row["Actual"]), float(row["Expected By Now"])))
    return sorted(behind, key=lambda rep: (rep.rep.casefold(), rep.scope))


def build_digest(computed: Computed, previous: Snapshot | None) -> Digest:
    """The digest of a computation, compared with the previous digest's snapshot (if any)."""
    settings = computed.tables.settings
    as_of = settings.as_of
    key_figures = _key_figures(computed)
    yesterday = as_of - timedelta(days=1)
    revenue = computed.revenue
    on_yesterday = 0.0
    if revenue is not None and not revenue.empty:
        on_yesterday = float(revenue.loc[revenue["date"] == pd.Timestamp(yesterday),
                                         "amount"].sum())
    this_period = next((kpi for kpi in key_figures if kpi.name == "Revenue This Period"), None)
    expected = None
    if this_period is not None and this_period.target is not None:
        start, end = period_bounds(as_of, settings.period, settings.fiscal_year_start)
        expected = this_period.target * elapsed_share(start, end, as_of)
    digest = Digest(
        as_of=as_of, period=period_label(as_of, settings.period, settings.fiscal_year_start),
        currency=settings.currency, key_figures=key_figures, yesterday=yesterday,
        revenue_yesterday=round(on_yesterday, 2),
        period_pace=this_period.status if this_period else None, expected_by_now=expected,
        previous_as_of=previous.as_of if previous else None, behind=_reps_behind(computed),
    )
    if previous is not None:
        digest.moved, digest.became_alarming = _deal_changes(computed, previous)
        digest.turned = _customer_turns(computed, previous)
        seen = set(previous.issues)
        digest.new_issues = [issue for issue in computed.issues if issue_key(issue) not in seen]
    return digest
