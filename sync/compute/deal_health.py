"""The Deal Health tab: how long each open deal has sat in its stage, and whether that is normal."""

from __future__ import annotations

import math
import statistics
from datetime import date

import pandas as pd

from sync.compute.funnel import FunnelStages
from sync.compute.names import clean_text
from sync.compute.stage_log import SharedStints, Stint, stage_stints
from sync.contract.tables import Tables
from sync.schema import tab_headers


def typical_days(stints: list[Stint]) -> dict[str, float]:
    """Median days in each Open stage, over every stay the log knows of.

    Both finished stays (deals that moved on) and stays still going on (open deals, up to
    As Of) count, each deal once per stage with the sum of its stays, so the typical time
    exists from the first sync on and does not ignore the deals that are slow right now.
    """
    per_deal: dict[tuple[str, str], int] = {}
    for stint in stints:
        key = (stint.deal_id, stint.stage)
        per_deal[key] = per_deal.get(key, 0) + stint.days
    by_stage: dict[str, list[int]] = {}
    for (_, stage), days in per_deal.items():
        by_stage.setdefault(stage, []).append(days)
    return {stage: float(statistics.median(days)) for stage, days in by_stage.items()}


def health_status(
    days_in_stage: float, typical: float, expected_close: object, as_of: date, stuck_factor: float
) -> str:
    """`Overdue` before `Stuck` before `OK`.

    Overdue wins because a missed Expected Close is a date the owner set and must revisit,
    whatever the stage's timing; Stuck needs both days in stage and a typical time.
    """
    if not pd.isna(expected_close) and pd.Timestamp(expected_close).date() < as_of:
        return "Overdue"
    # NaN compares False: a deal without days or a typical time is never Stuck
    if days_in_stage > stuck_factor * typical:
        return "Stuck"
    return "OK"


def deal_health(
    tables: Tables, log: pd.DataFrame, shared: SharedStints | None = None
) -> pd.DataFrame:
    """The Deal Health tab: one row per open deal, in Pipeline order.

    `shared` hands in the stints a sync works out once for this tab and the Funnel.
    """
    settings = tables.settings
    stages = FunnelStages.from_table(tables.stages)
    open_stages = set(stages.open)
    pipeline = tables.pipeline.copy()
    pipeline["stage"] = pipeline["stage"].map(clean_text)
    pipeline["deal_id"] = pipeline["deal_id"].map(clean_text)
    stints = (
        shared.of_rows(pipeline, open_stages, settings.as_of)
        if shared is not None
        else stage_stints(pipeline, log, open_stages, settings.as_of)
    )
    typical = typical_days(stints)
    current_days = {
        (stint.deal_id, stint.stage): stint.days for stint in stints if stint.current
    }
    open_deals = pipeline[pipeline["stage"].isin(open_stages)]
    rows = []
    for deal in open_deals.itertuples(index=False):
        days = float(current_days.get((deal.deal_id, deal.stage), math.nan))
        typical_for_stage = typical.get(deal.stage, math.nan)
        rows.append({
            "Deal ID": deal.deal_id,
            "Deal": deal.deal if isinstance(deal.deal, str) else None,
            "Owner": clean_text(deal.owner),
            "Stage": deal.stage,
            "Amount": float(deal.amount),
            "Days In Stage": days,
            "Typical Days": typical_for_stage,
            "Status": health_status(
                days, typical_for_stage, deal.expected_close, settings.as_of, settings.stuck_factor
            ),
        })
    table = pd.DataFrame(rows, columns=tab_headers("Deal Health"))
    return table.astype({"Deal ID": object, "Deal": object, "Owner": object, "Stage": object,
                         "Amount": "float64", "Days In Stage": "float64",
                         "Typical Days": "float64", "Status": object})
