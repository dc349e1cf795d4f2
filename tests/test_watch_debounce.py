"""Coalescing edits: a sync is due `debounce` after the last edit, at most `max delay`
after the first waiting one (times in seconds, passed in: nothing waits)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.watch.debounce import Debounce


@pytest.mark.parametrize(
    ("edits", "due"),
    [
        ([], None),
        ([10.0], 13.0),  # one edit: 10 + 3
        ([10.0, 11.0, 12.5], 15.5),  # a burst: 3 s after the last, 12.5 + 3
        ([10.0, 12.0, 14.0, 16.0, 18.0, 20.0], 23.0),  # 20 + 3 = 23, under 10 + 30 = 40
        ([10.0 + 2 * n for n in range(20)], 40.0),  # never later than the first + 30
        ([10.0, 9.0], 13.0),  # an edit reported late never moves the sync earlier
    ],
)
def test_when_the_sync_is_due(edits, due):
    debounce = Debounce(debounce_seconds=3, max_delay_seconds=30)
    for at in edits:
        debounce.edit(at)
    assert debounce.due_at() == due
    assert debounce.waiting is bool(edits)


def test_seconds_left_and_due():
    debounce = Debounce(debounce_seconds=3, max_delay_seconds=30)
    assert debounce.seconds_left(100.0) is None and not debounce.is_due(100.0)
    debounce.edit(100.0)
    assert debounce.seconds_left(101.0) == 2.0  # 100 + 3 - 101
    assert not debounce.is_due(102.9)
    assert debounce.is_due(103.0)
    assert debounce.seconds_left(105.0) == 0.0  # overdue: at once, never negative


def test_taking_the_edits_starts_afresh():
    debounce = Debounce(debounce_seconds=3, max_delay_seconds=30)
    for at in (1.0, 2.0, 3.0):
        debounce.edit(at)
    assert debounce.take() == 3
    assert not debounce.waiting and debounce.due_at() is None
    # An edit during the sync starts a new wait of its own: 50 + 3.
    debounce.edit(50.0)
    assert debounce.due_at() == 53.0
    assert debounce.take() == 1


def test_no_debounce_syncs_at_once():
    debounce = Debounce(debounce_seconds=0, max_delay_seconds=30)
    debounce.edit(7.0)
    assert debounce.is_due(7.0)


@given(
    debounce_seconds=st.floats(0, 60),
    extra_delay=st.floats(0, 600),
    edits=st.lists(st.floats(0, 10_000), min_size=1, max_size=50),
)
def test_the_sync_waits_for_quiet_but_never_past_the_max_delay(debounce_seconds, extra_delay,
                                                               edits):
    debounce = Debounce(debounce_seconds, debounce_seconds + extra_delay)
    for at in sorted(edits):
        debounce.edit(at)
    first, last = min(edits), max(edits)
    due = debounce.due_at()
    assert due is not None
    assert due <= first + debounce.max_delay_seconds
    assert due <= last + debounce_seconds
    assert due in (first + debounce.max_delay_seconds, last + debounce_seconds)
