"""The Stage Log: one row per stage change a sync sees, append-only (SPEC section 5)."""

from datetime import date, datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.compute.stage_log import (
    SharedStints,
    Stint,
    as_stints,
    full_log,
    stage_changes,
    stage_stints,
)
from sync.contract.tables import WorkbookSettings, build_frame, make_tables
from sync.schema import tab_headers

LOG_HEADERS = tab_headers("Stage Log")

SETTINGS = WorkbookSettings(as_of=date(2026, 11, 15))
OPEN = {"Lead", "Qualified", "Proposal", "Negotiation"}
FIRST_SYNC = datetime(2026, 11, 1, 9, 30)
SECOND_SYNC = datetime(2026, 11, 5, 14, 0)


def pipeline(*deals: tuple[str, str]) -> pd.DataFrame:
    """A Pipeline table of (Deal ID, Stage), all created on 2026-10-01."""
    return build_frame(
        "Pipeline",
        [dict(deal_id=deal, stage=stage, created="2026-10-01") for deal, stage in deals],
    )


def test_first_sync_logs_every_deal_with_a_blank_from_stage():
    empty_log = make_tables(SETTINGS).stage_log
    rows = stage_changes(pipeline(("D1", "Lead"), ("D2", "Won")), empty_log, FIRST_SYNC)
    assert list(rows.columns) == ["Deal ID", "From Stage", "To Stage", "Changed At"]
    assert rows.values.tolist() == [
        ["D1", None, "Lead", pd.Timestamp(FIRST_SYNC)],
        ["D2", None, "Won", pd.Timestamp(FIRST_SYNC)],
    ]


def test_a_moved_deal_logs_its_previous_and_new_stage():
    first = stage_changes(pipeline(("D1", "Lead"), ("D2", "Lead")), pd.DataFrame(), FIRST_SYNC)
    log = full_log(make_tables(SETTINGS).stage_log, first)
    moved = stage_changes(pipeline(("D1", "Proposal"), ("D2", "Lead")), log, SECOND_SYNC)
    # D2 did not move: nothing for it
    assert moved.values.tolist() == [["D1", "Lead", "Proposal", pd.Timestamp(SECOND_SYNC)]]


def test_the_log_as_read_or_as_written_means_the_same():
    # the engine may hand the log with field names (as read) or with the tab's headers
    as_read = make_tables(
        SETTINGS, stage_log=[dict(deal_id="D1", from_stage=None, to_stage="Lead",
                                  changed_at="2026-11-01 09:30")]
    ).stage_log
    as_written = full_log(pd.DataFrame(columns=LOG_HEADERS), as_read)
    assert list(as_written.columns) == LOG_HEADERS
    for log in (as_read, as_written):
        assert stage_changes(pipeline(("D1", "Lead")), log, SECOND_SYNC).empty


def test_full_log_keeps_previous_rows_and_appends():
    previous = pd.DataFrame(
        [["D1", None, "Lead", pd.Timestamp(FIRST_SYNC)]], columns=LOG_HEADERS
    )
    new = stage_changes(pipeline(("D1", "Won")), previous, SECOND_SYNC)
    log = full_log(previous, new)
    assert log.values.tolist() == [
        ["D1", None, "Lead", pd.Timestamp(FIRST_SYNC)],
        ["D1", "Lead", "Won", pd.Timestamp(SECOND_SYNC)],
    ]


def test_stints_count_the_first_sighted_stage_from_created():
    # D1 created 2026-10-01, first seen in Lead on 11-01, moved to Qualified on 11-05.
    # Lead: from Created 10-01 to 11-05 = 35 days (the log cannot know when it entered);
    # Qualified: from 11-05 to As Of 11-15 = 10 days, still going on.
    # D2 is not in the log yet: in Lead since Created 10-01, to 11-15 = 45 days.
    log = pd.DataFrame([
        ["D1", None, "Lead", pd.Timestamp(FIRST_SYNC)],
        ["D1", "Lead", "Qualified", pd.Timestamp(SECOND_SYNC)],
    ], columns=LOG_HEADERS)
    stints = stage_stints(pipeline(("D1", "Qualified"), ("D2", "Lead")), log, OPEN, SETTINGS.as_of)
    assert stints == [
        Stint("D1", "Lead", 35, current=False),
        Stint("D1", "Qualified", 10, current=True),
        Stint("D2", "Lead", 45, current=True),
    ]


def test_stints_skip_won_and_lost_and_stop_at_as_of():
    # As Of 11-15 lies before the sync that saw D1 move (11-20): the Lead stay is cut at
    # As Of, and the Proposal stay, which began after As Of, is not counted at all.
    log = pd.DataFrame([
        ["D1", None, "Lead", pd.Timestamp("2026-11-10")],
        ["D1", "Lead", "Proposal", pd.Timestamp("2026-11-20")],
        ["D2", None, "Won", pd.Timestamp("2026-11-10")],
    ], columns=LOG_HEADERS)
    stints = stage_stints(pipeline(("D1", "Proposal"), ("D2", "Won")), log, OPEN, SETTINGS.as_of)
    # Lead: Created 10-01 to As Of 11-15 (not to 11-20) = 30 + 15 = 45 days
    assert stints == [Stint("D1", "Lead", 45, current=False)]


def test_shared_stints_give_each_tab_the_stints_of_its_own_rows():
    # Worked out once for the whole Pipeline, handed out by row: the Funnel's rows (D2
    # dropped, D3 cleaned) get exactly what stage_stints gives those rows alone.
    # D1 Lead 10-01 -> 11-05 = 35 days, Qualified 11-05 -> As Of 11-15 = 10 days;
    # D3 not in the log: Proposal since Created 10-01 = 45 days.
    log = pd.DataFrame([
        ["D1", None, "Lead", pd.Timestamp(FIRST_SYNC)],
        ["D1", "Lead", "Qualified", pd.Timestamp(SECOND_SYNC)],
    ], columns=LOG_HEADERS)
    deals = pipeline(("D1", "Qualified"), ("D2", "Lead"), (" D3 ", "Proposal"))
    shared = SharedStints(deals, log, SETTINGS.as_of)
    funnel_rows = deals.iloc[[0, 2]].assign(deal_id=["D1", "D3"])
    assert as_stints(shared.of_rows(funnel_rows, OPEN, SETTINGS.as_of)) == [
        Stint("D1", "Lead", 35, current=False),
        Stint("D1", "Qualified", 10, current=True),
        Stint("D3", "Proposal", 45, current=True),
    ]
    assert as_stints(shared.of_rows(deals, OPEN, SETTINGS.as_of)) == stage_stints(
        deals, log, OPEN, SETTINGS.as_of
    )
    # other rows than the Pipeline's, or another As Of: worked out for those on the spot
    other = pipeline(("D9", "Lead")).set_axis([7])
    assert as_stints(shared.of_rows(other, OPEN, date(2026, 10, 11))) == [
        Stint("D9", "Lead", 10, True)]


STAGES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


@settings(max_examples=60, deadline=None)
@given(
    syncs=st.lists(
        st.lists(st.sampled_from(STAGES), min_size=0, max_size=6), min_size=1, max_size=4
    )
)
def test_log_is_append_only_and_a_repeat_sync_adds_nothing(syncs):
    log = pd.DataFrame(columns=LOG_HEADERS)
    for number, stages in enumerate(syncs):
        deals = pipeline(*[(f"D{index}", stage) for index, stage in enumerate(stages)])
        when = datetime(2026, 11, 1 + number)
        before = log.copy()
        log = full_log(log, stage_changes(deals, log, when))
        # append-only: every earlier row is still there, unchanged, in place
        assert log.iloc[: len(before)].astype(object).equals(before.astype(object))
        # idempotent: the same Pipeline seen again adds no row
        assert stage_changes(deals, log, when).empty
        # the log's last stage of every deal is its Pipeline stage
        last = log.groupby("Deal ID")["To Stage"].last().to_dict()
        assert all(last[deal] == stage for deal, stage in zip(
            deals["deal_id"], deals["stage"], strict=True))
