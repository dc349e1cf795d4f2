"""Stage Log stints, changes and stages on As Of, column at a time, against the plain rules.

The reference functions below follow each deal's log rows one by one, as the rules read
(SPEC sections 4 and 5); the product works on whole columns. Hypothesis feeds both the same
random Pipelines and logs: repeated and padded Deal IDs, blank and unknown stages, logs out
of time order, blank times, stays before and after As Of.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.names import clean_text
from sync.compute.stage_log import (
    Stint,
    last_logged_stages,
    log_records,
    stage_changes,
    stage_stints,
    stages_on_as_of,
)
from sync.schema import tab_headers

LOG_HEADERS = tab_headers("Stage Log")
OPEN = {"Lead", "Qualified", "Proposal"}
STAGE_NAMES = ["Lead", "Qualified", "Proposal", "Won", "Lost", "Demo"]


def _day(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def reference_entries(log: pd.DataFrame) -> dict[str, list[tuple[str, bool, date | None]]]:
    """Each deal's log rows in order: (To Stage, blank From Stage, day of Changed At)."""
    records = log_records(log)
    by_deal: dict[str, list[tuple[str, bool, date | None]]] = {}
    for deal_id, from_stage, to_stage, changed_at in records[
        ["deal_id", "from_stage", "to_stage", "changed_at"]
    ].itertuples(index=False):
        deal, stage = clean_text(deal_id), clean_text(to_stage)
        if deal is not None and stage is not None:
            by_deal.setdefault(deal, []).append(
                (stage, clean_text(from_stage) is None, _day(changed_at)))
    return by_deal


def reference_stays(entries, created):
    """A deal's stays, oldest first: (stage, start day); the first sighted from Created."""
    stays = []
    for index, (stage, first_sight, changed_day) in enumerate(entries):
        start = changed_day
        if index == 0 and first_sight and created is not None:
            start = min(created, changed_day) if changed_day else created
        stays.append((stage, start))
    return stays


def began_by(start, as_of):
    return start is None or start <= as_of


def reference_stints(pipeline, log, open_stages, as_of):
    """Every stay of each Pipeline row in an Open stage, one deal and one stay at a time."""
    by_deal = reference_entries(log)
    stints = []
    for deal_id, stage, created in pipeline[["deal_id", "stage", "created"]].itertuples(
        index=False
    ):
        deal, current_stage = clean_text(deal_id), clean_text(stage)
        if deal is None or current_stage is None:
            continue
        stays = reference_stays(by_deal.get(deal) or [(current_stage, True, as_of)],
                                _day(created))
        begun = [index for index, (_, start) in enumerate(stays) if began_by(start, as_of)]
        for index in begun:
            logged_stage, start = stays[index]
            if logged_stage not in open_stages:
                continue
            current = index == begun[-1] and logged_stage == current_stage
            if current:
                end = as_of
            elif index == len(stays) - 1:
                continue  # the log lags behind the Pipeline
            else:
                end = stays[index + 1][1]
            if start is None or end is None:
                continue
            stints.append(Stint(deal, logged_stage, max(0, (min(end, as_of) - start).days),
                                current))
    return stints


def reference_stages_on_as_of(pipeline, log, open_stages, as_of):
    by_deal = reference_entries(log)
    found = {}
    for deal_id, created in pipeline[["deal_id", "created"]].itertuples(index=False):
        deal = clean_text(deal_id)
        if deal is None:
            continue
        stays = reference_stays(by_deal.get(deal, []), _day(created))
        opened = [s for s, start in stays if s in open_stages and began_by(start, as_of)]
        if opened:
            found[deal] = opened[-1]
    return found


def reference_changes(pipeline, log, changed_at):
    latest = {deal: entries[-1][0] for deal, entries in reference_entries(log).items()}
    rows = []
    for deal_id, stage in pipeline[["deal_id", "stage"]].itertuples(index=False):
        deal, current = clean_text(deal_id), clean_text(stage)
        if deal is None or current is None or latest.get(deal) == current:
            continue
        rows.append([deal, latest.get(deal), current, pd.Timestamp(changed_at)])
        latest[deal] = current
    return rows


AS_OF = date(2026, 6, 15)
deal_ids = st.sampled_from(["D1", "D2", " D2 ", "D3", "D4", "", None])
stage_names = st.sampled_from([*STAGE_NAMES, " Lead ", None])
days = st.one_of(st.none(), st.integers(min_value=-40, max_value=40).map(
    lambda offset: AS_OF + timedelta(days=offset)))
times = st.one_of(st.none(), st.integers(min_value=-40 * 24, max_value=40 * 24).map(
    lambda hours: datetime(2026, 6, 15, 9) + timedelta(hours=hours)))

pipelines = st.lists(st.tuples(deal_ids, stage_names, days), max_size=8).map(
    lambda rows: pd.DataFrame(rows, columns=["deal_id", "stage", "created"]).astype(
        {"deal_id": object, "stage": object}).assign(
        created=lambda frame: pd.to_datetime(frame["created"])))
logs = st.lists(st.tuples(deal_ids, stage_names, stage_names, times), max_size=12).map(
    lambda rows: pd.DataFrame(rows, columns=LOG_HEADERS).astype(
        {"Deal ID": object, "From Stage": object, "To Stage": object}).assign(
        **{"Changed At": lambda frame: pd.to_datetime(frame["Changed At"])}))
as_of_days = st.integers(min_value=-30, max_value=30).map(
    lambda offset: AS_OF + timedelta(days=offset))


@settings(max_examples=150, deadline=None)
@given(pipeline=pipelines, log=logs, as_of=as_of_days)
def test_stints_follow_the_rules_deal_by_deal(pipeline, log, as_of):
    assert stage_stints(pipeline, log, OPEN, as_of) == reference_stints(
        pipeline, log, OPEN, as_of)


@settings(max_examples=100, deadline=None)
@given(pipeline=pipelines, log=logs, as_of=as_of_days)
def test_stages_on_as_of_follow_the_rules_deal_by_deal(pipeline, log, as_of):
    assert stages_on_as_of(pipeline, log, OPEN, as_of) == reference_stages_on_as_of(
        pipeline, log, OPEN, as_of)


@settings(max_examples=100, deadline=None)
@given(pipeline=pipelines, log=logs)
def test_stage_changes_follow_the_rules_deal_by_deal(pipeline, log):
    when = datetime(2026, 6, 20, 9, 30)
    new_rows = stage_changes(pipeline, log, when)
    assert new_rows.values.tolist() == reference_changes(pipeline, log, when)
    assert list(new_rows.columns) == LOG_HEADERS
    assert new_rows["Changed At"].dtype.kind == "M"
    latest = {deal: entries[-1][0] for deal, entries in reference_entries(log).items()}
    assert last_logged_stages(log) == latest


def test_reference_table_of_one_deal():
    # The reference itself, by hand: D1 created 06-01, first seen in Lead on 06-05 (stay
    # from Created: 06-01 -> 06-10 = 9 days), Qualified from 06-10 to As Of 06-15 = 5.
    pipeline = pd.DataFrame({"deal_id": ["D1"], "stage": ["Qualified"],
                             "created": pd.to_datetime(["2026-06-01"])})
    log = pd.DataFrame([["D1", None, "Lead", pd.Timestamp("2026-06-05 10:00")],
                        ["D1", "Lead", "Qualified", pd.Timestamp("2026-06-10 10:00")]],
                       columns=LOG_HEADERS)
    expected = [Stint("D1", "Lead", 9, False), Stint("D1", "Qualified", 5, True)]
    assert reference_stints(pipeline, log, OPEN, AS_OF) == expected
    assert stage_stints(pipeline, log, OPEN, AS_OF) == expected
