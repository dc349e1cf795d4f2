"""The Deal Health tab: how long each open deal has sat in its stage, and whether that is normal."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sync.compute.funnel import FunnelStages
from sync.compute.stage_log import SharedStints, cleaned, stint_table
from sync.contract.tables import Tables
from sync.schema import tab_headers


def typical_days(stints: pd.DataFrame) -> dict[str, float]:
    """Median days in each Open stage, over every stay the log knows of (a `stint_table`).

    Both finished stays (deals that moved on) and stays still going on (open deals, up to
    As Of) count, each deal once per stage with the sum of its stays, so the typical time
    exists from the first sync on and does not ignore the deals that are slow right now.
    """
    per_deal = stints.groupby(["deal_id", "stage"], sort=False)["days"].sum()
    medians = per_deal.groupby(level="stage", sort=False).median()
    return {str(stage): float(days) for stage, days in medians.items()}


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


def health_statuses(
    days_in_stage: np.ndarray, typical: np.ndarray, expected_close: pd.Series, as_of: date,
    stuck_factor: float,
) -> np.ndarray:
    """`health_status` of many deals at once (same rules, same order of precedence)."""
    overdue = (pd.to_datetime(expected_close).dt.normalize() < pd.Timestamp(as_of)).to_numpy()
    with np.errstate(invalid="ignore"):
        stuck = days_in_stage > stuck_factor * typical
    return np.where(overdue, "Overdue", np.where(stuck, "Stuck", "OK")).astype(object)


def _texts(values: pd.Series) -> pd.Series:
    """The text values as they are, anything else (blank, a number) as None."""
    kinds = values.map(type)
    text_kinds = [kind for kind in kinds.unique() if issubclass(kind, str)]
    return values.where(kinds.isin(text_kinds), None)


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
    pipeline["stage"] = cleaned(pipeline["stage"])
    pipeline["deal_id"] = cleaned(pipeline["deal_id"])
    stints = (
        shared.of_rows(pipeline, open_stages, settings.as_of)
        if shared is not None
        else stint_table(pipeline, log, open_stages, settings.as_of)
    )
    typical = typical_days(stints)
    # the stay each deal is in on As Of (a Deal ID repeated in the Pipeline: its last one)
    current = stints[stints["current"]].drop_duplicates(["deal_id", "stage"], keep="last")
    current_days = current.set_index(["deal_id", "stage"])["days"]
    open_deals = pipeline[pipeline["stage"].isin(open_stages).to_numpy()]
    keys = pd.MultiIndex.from_arrays([open_deals["deal_id"], open_deals["stage"]])
    days = current_days.reindex(keys).to_numpy(dtype="float64")
    typical_for_stage = open_deals["stage"].map(typical).to_numpy(dtype="float64")
    text = {
        "Deal ID": open_deals["deal_id"],
        "Deal": _texts(open_deals["deal"]),
        "Owner": cleaned(open_deals["owner"]),
        "Stage": open_deals["stage"],
    }
    table = pd.DataFrame({
        **{header: pd.Series(values.to_numpy(), dtype=object) for header, values in text.items()},
        "Amount": open_deals["amount"].to_numpy(dtype="float64"),
        "Days In Stage": days,
        "Typical Days": typical_for_stage,
        "Status": pd.Series(health_statuses(days, typical_for_stage,
                                            open_deals["expected_close"], settings.as_of,
                                            settings.stuck_factor), dtype=object),
    }, columns=tab_headers("Deal Health"))
    return table.astype({"Deal ID": object, "Deal": object, "Owner": object, "Stage": object,
                         "Amount": "float64", "Days In Stage": "float64",
                         "Typical Days": "float64", "Status": object})
