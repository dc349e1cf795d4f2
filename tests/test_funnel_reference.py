"""Funnel and Deal Health, column at a time, against the plain rules deal by deal.

The reference tallies below walk the Pipeline one deal at a time (reached stages as sets,
running sums of amounts, days per deal and stage from the reference stints); the product
counts with group-bys and bincounts. Hypothesis feeds both the same random Pipelines and
logs, so every figure must come out equal, to the last bit of every amount.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stage_log_reference import LOG_HEADERS, logs, reference_stints

from sync.compute.deal_health import deal_health, health_status
from sync.compute.funnel import FunnelStages, funnel
from sync.compute.names import clean_text
from sync.compute.stage_log import SharedStints
from sync.contract.tables import WorkbookSettings, make_tables

AS_OF = date(2026, 6, 15)
SETTINGS = WorkbookSettings(as_of=AS_OF)


def reference_reached(stage, deal, stages, last_open):
    """SPEC section 4, Reached a stage, as a set of stage names."""
    open_stages = stages.open
    if stages.types[stage] == "Open":
        return set(open_stages[: open_stages.index(stage) + 1])
    if stages.types[stage] == "Won":
        return {*open_stages, stage}
    furthest = last_open.get(deal)
    depth = open_stages.index(furthest) + 1 if furthest in open_stages else 1
    return {*open_stages[:depth], stage}


def reference_funnel(tables, log):
    """(Rep, Stage) -> (Deals, Amount, Reached, Avg Days In Stage), deal by deal."""
    stages = FunnelStages.from_table(tables.stages)
    open_stages = set(stages.open)
    last_open = {}
    for deal_id, to_stage in zip(log["Deal ID"], log["To Stage"], strict=True):
        deal, stage = clean_text(deal_id), clean_text(to_stage)
        if deal is not None and stage in open_stages:
            last_open[deal] = stage
    pipeline = tables.pipeline
    known = pipeline[pd.Series([clean_text(stage) in stages.types for stage in pipeline["stage"]],
                               index=pipeline.index, dtype=bool)]
    deals = [(clean_text(deal_id), clean_text(stage), clean_text(owner), amount)
             for deal_id, stage, owner, amount in known[
                 ["deal_id", "stage", "owner", "amount"]].itertuples(index=False)]
    owner_of = {deal: owner for deal, _, owner, _ in deals}
    stints = reference_stints(known, log, open_stages, tables.settings.as_of)
    figures = {}
    reps = sorted({owner for owner in owner_of.values() if owner is not None})
    for rep in [None, *reps]:
        count = dict.fromkeys(stages.names, 0)
        amounts = dict.fromkeys(stages.names, 0.0)
        reached = dict.fromkeys(stages.names, 0)
        for deal, stage, owner, amount in deals:
            if rep is not None and owner != rep:
                continue
            count[stage] += 1
            amounts[stage] += 0.0 if pd.isna(amount) else float(amount)
            for name in reference_reached(stage, deal, stages, last_open):
                reached[name] += 1
        per_deal = {}
        for stint in stints:
            if rep is None or owner_of.get(stint.deal_id) == rep:
                key = (stint.deal_id, stint.stage)
                per_deal[key] = per_deal.get(key, 0) + stint.days
        for name in stages.names:
            days = [total for (_, stage), total in per_deal.items() if stage == name]
            average = sum(days) / len(days) if days else math.nan
            figures[(rep or "All", name)] = (count[name], amounts[name], reached[name], average)
    return figures


def reference_health(tables, log):
    """Deal Health rows (Deal ID, Days In Stage, Typical Days, Status), deal by deal."""
    stages = FunnelStages.from_table(tables.stages)
    open_stages = set(stages.open)
    stints = reference_stints(tables.pipeline, log, open_stages, tables.settings.as_of)
    per_deal = {}
    for stint in stints:
        key = (stint.deal_id, stint.stage)
        per_deal[key] = per_deal.get(key, 0) + stint.days
    by_stage = {}
    for (_, stage), days in per_deal.items():
        by_stage.setdefault(stage, []).append(days)
    typical = {stage: float(statistics.median(days)) for stage, days in by_stage.items()}
    current = {(s.deal_id, s.stage): s.days for s in stints if s.current}
    rows = []
    for deal_id, stage, expected_close in tables.pipeline[
        ["deal_id", "stage", "expected_close"]
    ].itertuples(index=False):
        deal, stage = clean_text(deal_id), clean_text(stage)
        if stage not in open_stages:
            continue
        days = float(current.get((deal, stage), math.nan))
        typical_days = typical.get(stage, math.nan)
        status = health_status(days, typical_days, expected_close, tables.settings.as_of,
                               tables.settings.stuck_factor)
        rows.append((deal, days, typical_days, status))
    return rows


def same(left, right):
    """Equal, NaN equal to NaN, floats to the last bit."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == right
    return left == right


day_offsets = st.integers(min_value=-60, max_value=20)
deal_rows = st.lists(
    st.tuples(
        st.sampled_from(["D1", "D2", " D2 ", "D3", "D4", "D5"]),
        st.sampled_from(["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost", "Demo"]),
        st.sampled_from(["Ana", "Bo", " Bo", None]),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
        day_offsets,
        st.one_of(st.none(), day_offsets),
    ),
    max_size=10,
)


def tables_of(rows):
    pipeline = [
        dict(deal_id=deal, stage=stage, owner=owner, amount=amount,
             created=AS_OF + timedelta(days=created),
             expected_close=None if close is None else AS_OF + timedelta(days=close),
             closed=AS_OF - timedelta(days=1) if stage in ("Won", "Lost") else None)
        for deal, stage, owner, amount, created, close in rows
    ]
    return make_tables(SETTINGS, pipeline=pipeline)


@settings(max_examples=100, deadline=None)
@given(rows=deal_rows, log=logs)
def test_funnel_figures_follow_the_rules_deal_by_deal(rows, log):
    tables = tables_of(rows)
    expected = reference_funnel(tables, log)
    for shared in (None, SharedStints(tables.pipeline, log, AS_OF)):
        table = funnel(tables, log, shared)
        found = {
            (rep, stage): (deals, amount, reached, days)
            for rep, stage, deals, amount, reached, days in table[
                ["Rep", "Stage", "Deals", "Amount", "Reached", "Avg Days In Stage"]
            ].itertuples(index=False)
        }
        assert list(found) == list(expected)
        for key, figures in expected.items():
            assert all(same(a, b) for a, b in zip(found[key], figures, strict=True)), key


@settings(max_examples=100, deadline=None)
@given(rows=deal_rows, log=logs)
def test_deal_health_follows_the_rules_deal_by_deal(rows, log):
    tables = tables_of(rows)
    expected = reference_health(tables, log)
    for shared in (None, SharedStints(tables.pipeline, log, AS_OF)):
        table = deal_health(tables, log, shared)
        found = list(table[["Deal ID", "Days In Stage", "Typical Days", "Status"]].itertuples(
            index=False, name=None))
        assert len(found) == len(expected)
        for got, want in zip(found, expected, strict=True):
            assert all(same(a, b) for a, b in zip(got, want, strict=True)), (got, want)


def test_amounts_add_up_in_pipeline_order():
    # 0.1 + 0.2 + 0.3 in this order is 0.6000000000000001, as a running sum in the sheet's
    # order gives it; the tab shows the same bits as the deal-by-deal reference
    tables = tables_of([("D1", "Lead", "Ana", 0.1, -5, None), ("D2", "Lead", "Ana", 0.2, -5, None),
                        ("D3", "Lead", "Ana", 0.3, -5, None)])
    log = pd.DataFrame(columns=LOG_HEADERS)
    lead = funnel(tables, log).set_index(["Rep", "Stage"]).loc[("All", "Lead")]
    assert lead["Amount"] == 0.1 + 0.2 + 0.3 == reference_funnel(tables, log)[("All", "Lead")][1]
