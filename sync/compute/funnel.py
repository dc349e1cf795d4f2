"""The Funnel tab: deals, amounts, reach and conversions per stage, for the team and each rep."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync.compute.names import clean_text
from sync.compute.stage_log import (
    LogEntries,
    SharedStints,
    cleaned,
    log_entries,
    stint_table,
)
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


def last_open_stages(entries: LogEntries, open_stages: set[str]) -> dict[str, str]:
    """Each deal's most recent Open stage in the Stage Log."""
    if not len(entries.deals):
        return {}
    rows = np.arange(len(entries.stage))
    is_open = pd.Series(entries.stage).isin(open_stages).to_numpy()
    latest = np.maximum.reduceat(np.where(is_open, rows, -1), entries.first)
    found = latest >= 0
    return dict(zip(entries.deals[found], entries.stage[latest[found]], strict=True))


def funnel_deals(tables: Tables, entries: LogEntries, stages: FunnelStages) -> pd.DataFrame:
    """Pipeline deals whose stage is in Stages (deal, stage and owner cleaned), with `depth`:
    how many Open stages, from the first, the deal reached (SPEC section 4, Reached a stage).

    An Open deal reached every Open stage up to its own, a Won deal all of them, a Lost
    deal those up to the last Open stage the log saw it in (only the first when none).
    """
    pipeline = tables.pipeline
    stage = cleaned(pipeline["stage"])
    known = pipeline[stage.isin(list(stages.types)).to_numpy()].copy()
    known["stage"] = stage[known.index]
    known["deal_id"] = cleaned(known["deal_id"])
    known["owner"] = cleaned(known["owner"])
    open_stages = stages.open
    reach = {name: index + 1 for index, name in enumerate(open_stages)}
    kind = known["stage"].map(stages.types)
    furthest = known["deal_id"].map(last_open_stages(entries, set(open_stages))).map(reach)
    depth = np.where(
        kind == "Open", known["stage"].map(reach).fillna(0),
        np.where(kind == "Won", len(open_stages),
                 np.minimum(furthest.fillna(1), len(open_stages))))
    known["depth"] = depth.astype("int64")
    return known


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


@dataclass(frozen=True)
class _Tally:
    """The figures of one rep (or `All`) per stage, in the order of `FunnelStages.names`."""

    deals: list[int]
    amounts: list[float]
    reached: list[int]
    days: list[tuple[int, int]]  # (sum of days in the stage, deals), per stage


@dataclass(frozen=True)
class _Coded:
    """The funnel's deals and their days per stage as arrays, stages and owners as codes
    (stage: index in `FunnelStages.names`; owner: index in `owners`, -1 for none)."""

    owners: list[str]
    stage: np.ndarray
    amount: np.ndarray
    depth: np.ndarray
    owner: np.ndarray  # each Pipeline row's own owner
    deal_owners: np.ndarray  # each distinct deal's owner: that of its last Pipeline row
    days_stage: np.ndarray  # per deal and stage it stayed in: the stage,
    days: np.ndarray  # the days summed over its stays,
    days_owner: np.ndarray  # and the owner of the deal's last Pipeline row

    def tally(self, stages: FunnelStages, owner: int | None = None) -> _Tally:
        """The tally of every deal (`owner` None) or of one owner's."""
        width = len(stages.names)
        mine = slice(None) if owner is None else self.owner == owner
        code = self.stage[mine]
        count = np.bincount(code, minlength=width).tolist()
        # bincount adds the amounts one after the other in deal order, as a running sum would
        amounts = np.bincount(code, weights=self.amount[mine], minlength=width).tolist()
        depth = np.bincount(self.depth[mine], minlength=len(stages.open) + 1)
        reached_open = depth[::-1].cumsum()[::-1][1:].tolist()  # deals past each Open stage
        reached = [
            reached_open[stages.open.index(name)] if stages.types[name] == "Open"
            else count[index] for index, name in enumerate(stages.names)
        ]
        stayed = slice(None) if owner is None else self.days_owner == owner
        day_code = self.days_stage[stayed]
        totals = np.bincount(day_code, weights=self.days[stayed], minlength=width)
        numbers = np.bincount(day_code, minlength=width)
        days = [(int(total), int(number)) for total, number in zip(totals, numbers, strict=True)]
        return _Tally(count, amounts, reached, days)


def _coded(deals: pd.DataFrame, stints: pd.DataFrame, stages: FunnelStages) -> _Coded:
    """The deals of `funnel_deals` and their `stint_table` as `_Coded` arrays."""
    stage_of = {name: index for index, name in enumerate(stages.names)}
    width = max(len(stages.names), 1)
    owner_codes, owners = pd.factorize(deals["owner"].to_numpy(dtype=object))
    deal_codes, deal_names = pd.factorize(deals["deal_id"].to_numpy(dtype=object),
                                          use_na_sentinel=False)
    last_row = np.full(len(deal_names), -1)
    np.maximum.at(last_row, deal_codes, np.arange(len(deal_codes)))
    deal_owners = owner_codes[last_row]  # every distinct deal has a last row
    # a deal that re-entered a stage counts once, with the sum of its stays
    stint_deal = pd.Index(deal_names, dtype=object).get_indexer(stints["deal_id"])
    stint_stage = stints["stage"].map(stage_of).to_numpy(dtype="int64")
    pairs, pair_of_stint = np.unique(stint_deal * width + stint_stage, return_inverse=True)
    days = np.bincount(pair_of_stint, weights=stints["days"].to_numpy(dtype="float64"),
                       minlength=len(pairs))
    return _Coded(
        owners=[str(owner) for owner in owners],
        stage=deals["stage"].map(stage_of).to_numpy(dtype="int64"),
        amount=deals["amount"].fillna(0.0).to_numpy(dtype="float64"),
        depth=deals["depth"].to_numpy(dtype="int64"),
        owner=owner_codes,
        deal_owners=deal_owners,
        days_stage=pairs % width,
        days=days,
        days_owner=deal_owners[pairs // width],
    )


def _rep_rows(rep: str, stages: FunnelStages, tally: _Tally) -> list[dict]:
    """The Funnel rows of one rep (or `All`) from its tally."""
    reached = dict(zip(stages.names, tally.reached, strict=True))
    open_stages = stages.open
    first = open_stages[0] if open_stages else None
    rows = []
    for index, name in enumerate(stages.names):
        amount = tally.amounts[index]
        kind = stages.types[name]
        previous = stages.previous(name)
        from_previous = _ratio(reached[name], reached[previous]) if previous else math.nan
        from_first = math.nan
        if kind != "Lost" and first is not None:
            from_first = _ratio(reached[name], reached[first])
        total, number = tally.days[index] if kind == "Open" else (0, 0)
        rows.append({
            "Rep": rep,
            "Stage": name,
            "Deals": tally.deals[index],
            "Amount": amount,
            "Weighted Amount": amount * stages.probabilities[name],
            "Reached": reached[name],
            "Conversion From Previous": from_previous,
            "Conversion From First": from_first,
            "Avg Days In Stage": total / number if number else math.nan,
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


def funnel(
    tables: Tables, log: pd.DataFrame, shared: SharedStints | None = None
) -> pd.DataFrame:
    """The Funnel tab: `All` rows first, then each rep's, every stage in Order.

    Deals whose stage is not in the Stages tab are left out (the reader reports them).
    `shared` hands in the stints a sync works out once for this tab and Deal Health.
    """
    stages = FunnelStages.from_table(tables.stages)
    entries = shared.entries if shared is not None else log_entries(log)
    deals = funnel_deals(tables, entries, stages)
    open_stages, as_of = set(stages.open), tables.settings.as_of
    stints = (
        shared.of_rows(deals, open_stages, as_of)
        if shared is not None
        else stint_table(deals, log, open_stages, as_of, entries)
    )
    coded = _coded(deals, stints, stages)
    all_rows = _rep_rows(ALL_REPS, stages, coded.tally(stages))
    team = {row["Stage"]: row["Conversion From Previous"] for row in all_rows}
    rows = list(all_rows)
    # the reps: the owners of each deal's last Pipeline row, by name
    reps = sorted((coded.owners[code], code) for code in set(coded.deal_owners.tolist())
                  if code >= 0)
    for rep, code in reps:
        rep_rows = _rep_rows(rep, stages, coded.tally(stages, code))
        _flag_weak_stages(rep_rows, stages, team, tables.settings.rep_gap_points)
        rows.extend(rep_rows)
    table = pd.DataFrame(rows, columns=tab_headers("Funnel"))
    return table.astype({"Deals": "int64", "Reached": "int64", "Flag": object})
