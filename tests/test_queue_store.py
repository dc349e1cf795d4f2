"""The queue's shared state on SQLite and on a real Redis: coalescing, lease, status."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.server.store import Pending, Store
from sync.server.store_redis import RedisStore
from sync.server.store_sqlite import SqliteStore
from tests.server_fixtures import redis_url  # noqa: F401 - pytest fixture

T0 = 1_800_000_000.0


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        return SqliteStore(tmp_path / "queue.sqlite3")
    import redis

    url = request.getfixturevalue("redis_url")
    connection = redis.Redis.from_url(url)
    request.addfinalizer(connection.close)
    return RedisStore(connection)


@pytest.mark.parametrize(
    ("pending", "due"),
    [
        # one edit at T0: due debounce (3 s) later
        (Pending("s", T0, T0, 1), T0 + 3),
        # edits from T0 to T0+20: 3 s after the last
        (Pending("s", T0, T0 + 20, 9), T0 + 23),
        # edits from T0 to T0+29: 29 + 3 = 32 > 30, so capped at the first + 30 s
        (Pending("s", T0, T0 + 29, 50), T0 + 30),
        # a recompute began (first edit forgotten): 3 s after the last edit seen
        (Pending("s", None, T0 + 5, 4), T0 + 8),
        # after a transient failure: not before its backoff
        (Pending("s", T0, T0, 1, not_before=T0 + 40, attempts=2), T0 + 40),
    ],
)
def test_when_a_spreadsheet_is_due(pending, due):
    assert pending.due_at(debounce=3, max_delay=30) == due


def test_edits_coalesce_into_one_pending_marker(store):
    store.mark_edit("s1", T0)
    store.mark_edit("s1", T0 + 1)
    store.mark_edit("s1", T0 + 2.5)
    store.mark_edit("s2", T0 + 2)
    assert sorted(store.pending(), key=lambda p: p.spreadsheet_id) == [
        Pending("s1", T0, T0 + 2.5, 3),
        Pending("s2", T0 + 2, T0 + 2, 1),
    ]


def test_a_finished_recompute_drops_the_marker(store):
    store.mark_edit("s1", T0)
    generation = store.begin("s1")
    assert generation == 1
    assert store.finish("s1", generation)
    assert store.pending() == []
    assert store.begin("s1") is None


def test_an_edit_during_a_recompute_keeps_the_marker_for_exactly_one_more(store):
    store.mark_edit("s1", T0)
    store.mark_edit("s1", T0 + 1)
    generation = store.begin("s1")
    store.mark_edit("s1", T0 + 10)  # arrives while the recompute runs
    assert not store.finish("s1", generation)
    assert store.pending() == [Pending("s1", T0 + 10, T0 + 10, 3)]
    assert store.finish("s1", store.begin("s1"))
    assert store.pending() == []


def test_a_crashed_recompute_leaves_its_marker(store):
    store.mark_edit("s1", T0)
    store.begin("s1")  # the worker dies here: finish never runs
    assert store.pending() == [Pending("s1", None, T0, 1)]


def test_a_transient_failure_postpones_and_counts(store):
    store.mark_edit("s1", T0)
    generation = store.begin("s1")
    assert store.postpone("s1", T0 + 5) == 1
    assert store.postpone("s1", T0 + 10) == 2
    assert store.pending() == [Pending("s1", None, T0, 1, not_before=T0 + 10, attempts=2)]
    store.mark_edit("s1", T0 + 11)
    assert not store.finish("s1", generation)  # a new edit: its backoff is over
    assert store.pending() == [Pending("s1", T0 + 11, T0 + 11, 2)]


def test_one_lease_holder_at_a_time(store):
    assert store.acquire_lease("s1", "a", 30, T0)
    assert not store.acquire_lease("s1", "b", 30, T0 + 1)
    assert store.acquire_lease("s2", "b", 30, T0 + 1)  # another spreadsheet is free
    assert store.lease_holder("s1", T0 + 1) == "a"
    assert not store.renew_lease("s1", "b", 30, T0 + 2)
    assert store.renew_lease("s1", "a", 30, T0 + 2)
    store.release_lease("s1", "b")  # not the holder: nothing happens
    assert store.lease_holder("s1", T0 + 2) == "a"
    store.release_lease("s1", "a")
    assert store.lease_holder("s1", T0 + 2) is None
    assert store.acquire_lease("s1", "b", 30, T0 + 3)


def test_an_unrenewed_lease_runs_out(store):
    import time

    now = time.time()  # Redis counts a lease's time itself
    assert store.acquire_lease("s1", "dead-worker", 1, now)
    assert not store.acquire_lease("s1", "next", 1, now + 0.1)
    time.sleep(1.2)
    later = now + 1.2
    assert store.lease_holder("s1", later) is None
    assert not store.renew_lease("s1", "dead-worker", 1, later)
    assert store.acquire_lease("s1", "next", 1, later)


def test_status_records_round_trip(store):
    assert store.read_status("s1") == {}
    store.write_status("s1", {"last_error": None, "last_sync": {"seconds": 1.5}})
    assert store.read_status("s1") == {"last_error": None, "last_sync": {"seconds": 1.5}}


def test_counts_for_healthz(store):
    import time

    now = time.time()
    store.mark_edit("s1", now)
    store.mark_edit("s2", now)
    store.acquire_lease("s1", "a", 30, now)
    assert store.counts(now) == {"pending": 2, "leased": 1}


def test_a_new_event_marks_its_edit_in_the_same_write_and_a_repeat_does_not(store):
    assert store.remember_event("e-1", T0, queue="s1")
    assert not store.remember_event("e-1", T0 + 1, queue="s1")
    assert store.remember_event("e-2", T0 + 2)  # an ignored edit: remembered, not queued
    assert store.pending() == [Pending("s1", T0, T0, 1)]
