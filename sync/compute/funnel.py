"""The Funnel tab: deals, amounts, reach and conversions per stage, for the team and each rep."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sync.compute.names import clean_text
from sync.compute.stage_log import SharedStints, log_records, stage_stints
from sync.contract.tables import Tables
from sync.i18n import _
from sync.schema import tab_headers

ALL_REPS = "All"
MIN_DEALS_FOR_FLAG = 5  # SPEC: a rep's gap is flagged only "with at least 5 deals reached"


@dataclass(frozen=True)
class FunnelStages:
    """The Stages tab in funnel order: names, types and probabilities."""

    names: tuple[str, ...]
    types: dict[str, str]
    probabilities: dict[str, float]

    @classmethod
    def from_table(cls, stages: pd.DataFrame) -> FunnelStages:
        """Stages sorted by `Order` (ties and blanks keep the sheet's order)."""
        ordered = stages.assign(_position=range(len(stages))).sort_values(
            ["order", "_position"], na_position="last", kind="stable"
        )
        names, types, probabilities = [], {}, {}
        for name, kind, probability in zip(
            ordered["stage"], ordered["type"], ordered["probability"], strict=True
        ):
            stage = clean_text(name)
            if stage is None or stage in types:
                continue
            names.append(stage)
            types[stage] = kind if isinstance(kind, str) else "Open"
            probabilities[stage] = 0.0 if pd.isna(probability) else float(probability)
        return cls(tuple(names), types, probabilities)

    @property
    def open(self) -> list[str]:
        """The Open stages, in order."""
        return [name for name in self.names if self.types[name] == "Open"]

    def of_type(self, kind: str) -> set[str]:
        """Names of the stages of this type (`Open`, `Won` or `Lost`)."""
        return {name for name in self.names if self.types[name] == kind}

    def previous(self, name: str) -> str | None:
        """The stage a conversion into this one is taken from (None: no conversion).

        An Open stage's previous Open stage, a Won stage's last Open stage; nothing for the
        first stage and for Lost stages.
        """
        open_stages = self.open
        if self.types[name] == "Open" and open_stages.index(name) > 0:
            return open_stages[open_stages.index(name) - 1]
        if self.types[name] == "Won" and open_stages:
            return open_stages[-1]
        return None


def last_open_stages(log: pd.DataFrame, open_stages: set[str]) -> dict[str, str]:
    """Each deal's most recent Open stage in the Stage Log."""
    records = log_records(log)
    latest: dict[str, str] = {}
    for deal_id, to_stage in zip(records["deal_id"], records["to_stage"], strict=True):
        deal, stage = clean_text(deal_id), clean_text(to_stage)
        if deal is not None and stage in open_stages:
            latest[deal] = stage
    return latest


def reached_stages(
    stage: str, deal_id: str, stages: FunnelStages, last_open: dict[str, str]
) -> set[str]:
    """The stages a deal reached (SPEC section 4, Reached a stage)."""
    open_stages = stages.open
    kind = stages.types[stage]
    if kind == "Open":
        return set(open_stages[: open_stages.index(stage) + 1])
    if kind == "Won":
        return {*open_stages, stage}
    furthest = last_open.get(deal_id)
    depth = open_stages.index(furthest) + 1 if furthest in open_stages else 1
    return {*open_stages[:depth], stage}


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def _rep_rows(
    rep: str,
    deals: pd.DataFrame,
    stages: FunnelStages,
    days_by_stage: dict[str, list[int]],
) -> list[dict]:
    """The Funnel rows of one rep (or `All`) over its deals."""
    reached = {name: 0 for name in stages.names}
    count = {name: 0 for name in stages.names}
    amounts = {name: 0.0 for name in stages.names}
    for stage, amount, stage_reached in zip(
        deals["stage"], deals["amount"], deals["reached"], strict=True
    ):
        count[stage] += 1
        amounts[stage] += 0.0 if pd.isna(amount) else float(amount)
        for name in stage_reached:
            reached[name] += 1
    open_stages = stages.open
    first = open_stages[0] if open_stages else None
    rows = []
    for name in stages.names:
        amount = amounts[name]
        kind = stages.types[name]
        previous = stages.previous(name)
        from_previous = _ratio(reached[name], reached[previous]) if previous else math.nan
        from_first = math.nan
        if kind != "Lost" and first is not None:
            from_first = _ratio(reached[name], reached[first])
        days = days_by_stage.get(name, []) if kind == "Open" else []
        rows.append({
            "Rep": rep,
            "Stage": name,
            "Deals": count[name],
            "Amount": amount,
            "Weighted Amount": amount * stages.probabilities[name],
            "Reached": reached[name],
            "Conversion From Previous": from_previous,
            "Conversion From First": from_first,
            "Avg Days In Stage": sum(days) / len(days) if days else math.nan,
            "Flag": None,
        })
    return rows


def _percent(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def _flag_weak_stages(
    rows: list[dict], stages: FunnelStages, team: dict[str, float], gap_points: float
) -> None:
    """Flag a rep's stage whose conversion from the previous stage trails the team's.

    A stage is flagged when the rep's rate is at least `gap_points` percentage points under
    the `All` row's rate and the rep had at least 5 deals reach the previous stage (the
    rate's denominator), so one or two deals never raise a flag.
    """
    reached = {row["Stage"]: row["Reached"] for row in rows}
    for row in rows:
        rate, team_rate = row["Conversion From Previous"], team.get(row["Stage"], math.nan)
        previous = stages.previous(row["Stage"])
        if previous is None or math.isnan(rate) or math.isnan(team_rate):
            continue
        # a tiny tolerance so 30% vs 45% with a 15-point gap counts as "at least 15 under"
        if reached[previous] >= MIN_DEALS_FOR_FLAG and team_rate - rate >= gap_points / 100 - 1e-9:
            row["Flag"] = _("{stage}: {rate} vs team {team_rate}").format(
                stage=row["Stage"], rate=_percent(rate), team_rate=_percent(team_rate))


def funnel_deals(tables: Tables, log: pd.DataFrame, stages: FunnelStages) -> pd.DataFrame:
    """Pipeline deals whose stage is in Stages, with the set of stages each reached."""
    pipeline = tables.pipeline
    in_stages = [clean_text(stage) in stages.types for stage in pipeline["stage"]]
    known = pipeline[pd.Series(in_stages, index=pipeline.index, dtype=bool)].copy()
    known["stage"] = known["stage"].map(clean_text)
    known["deal_id"] = known["deal_id"].map(clean_text)
    last_open = last_open_stages(log, set(stages.open))
    known["reached"] = [
        reached_stages(stage, deal_id, stages, last_open)
        for stage, deal_id in zip(known["stage"], known["deal_id"], strict=True)
    ]
    return known


def funnel(
    tables: Tables, log: pd.DataFrame, shared: SharedStints | None = None
) -> pd.DataFrame:
    """The Funnel tab: `All` rows first, then each rep's, every stage in Order.

    Deals whose stage is not in the Stages tab are left out (the reader reports them).
    `shared` hands in the stints a sync works out once for this tab and Deal Health.
    """
    stages = FunnelStages.from_table(tables.stages)
    deals = funnel_deals(tables, log, stages)
    open_stages, as_of = set(stages.open), tables.settings.as_of
    stints = (
        shared.of_rows(deals, open_stages, as_of)
        if shared is not None
        else stage_stints(deals, log, open_stages, as_of)
    )
    owners = [clean_text(owner) for owner in deals["owner"]]
    owner_of = dict(zip(deals["deal_id"], owners, strict=True))

    def days_by_stage(rep: str | None) -> dict[str, list[int]]:
        # a deal that re-entered a stage counts once, with the sum of its stays
        per_deal: dict[tuple[str, str], int] = {}
        for stint in stints:
            if rep is None or owner_of.get(stint.deal_id) == rep:
                key = (stint.deal_id, stint.stage)
                per_deal[key] = per_deal.get(key, 0) + stint.days
        grouped: dict[str, list[int]] = {}
        for (_deal, stage), days in per_deal.items():
            grouped.setdefault(stage, []).append(days)
        return grouped

    all_rows = _rep_rows(ALL_REPS, deals, stages, days_by_stage(None))
    team = {row["Stage"]: row["Conversion From Previous"] for row in all_rows}
    rows = list(all_rows)
    reps = sorted({owner for owner in owner_of.values() if owner is not None})
    for rep in reps:
        rep_deals = deals[[owner == rep for owner in owners]]
        rep_rows = _rep_rows(rep, rep_deals, stages, days_by_stage(rep))
        _flag_weak_stages(rep_rows, stages, team, tables.settings.rep_gap_points)
        rows.extend(rep_rows)
    table = pd.DataFrame(rows, columns=tab_headers("Funnel"))
    return table.astype({"Deals": "int64", "Reached": "int64", "Flag": object})
