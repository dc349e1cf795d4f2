"""Every figure is as of As Of: the tables as they stood on that day (SPEC section 4).

The cut is made once, on the validated tables, before any figure is computed, so no tab
can count a sale or a deal the others leave out:

- an order dated after As Of is left out (a Warning per row);
- a deal created after As Of is left out everywhere (a Warning per row);
- a Won or Lost deal closed after As Of was still open on As Of: it stays in the
  Pipeline, in the last Open stage the Stage Log saw it enter by As Of (else the first
  Open stage), so it is left out of revenue, win rates and goals (a Warning per row).

Stays in a stage are cut at As Of where they are counted (`stage_log.stage_stints`).
The Stage Log itself is kept whole: it records what each sync saw.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd

from sync.compute.funnel import FunnelStages
from sync.compute.names import clean_text
from sync.compute.stage_log import stages_on_as_of
from sync.contract.tables import Issue, Tables
from sync.i18n import _


def _after(dates: pd.Series, as_of: date) -> pd.Series:
    """Rows whose date falls on a day after As Of (blank dates never do)."""
    days = pd.to_datetime(dates).dt.normalize()
    return (days > pd.Timestamp(as_of)).fillna(False).astype(bool)


def _warning(tab: str, row: int, column: str, day: object, problem: str) -> Issue:
    shown = pd.Timestamp(day).date().isoformat()  # type: ignore[arg-type]
    return Issue(tab=tab, row=int(row), column=column, value=shown, severity="Warning",
                 problem=problem)


def tables_as_of(tables: Tables, log: pd.DataFrame) -> tuple[Tables, list[Issue]]:
    """The tables as they stood on As Of, and a Warning for each row that was cut."""
    as_of = tables.settings.as_of
    shown = as_of.isoformat()
    issues: list[Issue] = []

    orders = tables.orders
    later_orders = _after(orders["date"], as_of)
    for row, day in zip(orders.loc[later_orders, "row"], orders.loc[later_orders, "date"],
                        strict=True):
        issues.append(_warning(
            "Orders", row, "Date", day,
            _("Dated after As Of ({as_of}): left out of revenue, commissions, goals and every "
              "other figure until As Of reaches it. Check the date, or move As Of in "
              "Settings.").format(as_of=shown),
        ))

    pipeline = tables.pipeline
    created_later = _after(pipeline["created"], as_of)
    for row, day in zip(pipeline.loc[created_later, "row"],
                        pipeline.loc[created_later, "created"], strict=True):
        issues.append(_warning(
            "Pipeline", row, "Created", day,
            _("Created after As Of ({as_of}): the deal is left out of every figure until As Of "
              "reaches it. Check the date, or move As Of in Settings.").format(as_of=shown),
        ))
    pipeline = pipeline[~created_later].copy()

    stages = FunnelStages.from_table(tables.stages)
    closed_types = stages.of_type("Won") | stages.of_type("Lost")
    is_closed = pipeline["stage"].map(clean_text).isin(closed_types)
    closed_later = is_closed & _after(pipeline["closed"], as_of)
    if closed_later.any():
        open_stages = stages.open
        on_as_of = stages_on_as_of(pipeline[closed_later], log, set(open_stages), as_of)
        first_open = open_stages[0] if open_stages else None
        for index in pipeline.index[closed_later]:
            deal = clean_text(pipeline.at[index, "deal_id"])
            stage = on_as_of.get(deal or "", first_open)
            issues.append(_warning(
                "Pipeline", pipeline.at[index, "row"], "Closed", pipeline.at[index, "closed"],
                (_("Closed after As Of ({as_of}): counted as open in {stage} and left out of "
                   "revenue, win rate and goals until As Of reaches it. Check the date, or "
                   "move As Of in Settings.") if stage else
                 _("Closed after As Of ({as_of}): counted as open and left out of revenue, win "
                   "rate and goals until As Of reaches it. Check the date, or move As Of in "
                   "Settings.")).format(as_of=shown, stage=stage),
            ))
            pipeline.at[index, "stage"] = stage
            pipeline.at[index, "closed"] = pd.NaT

    cut = dataclasses.replace(tables, orders=orders[~later_orders].copy(), pipeline=pipeline)
    return cut, issues
