"""The workers: a dispatcher that turns due spreadsheets into huey tasks, and the recompute.

Per spreadsheet: edits inside the debounce coalesce into one recompute that sees the last
one (never more than `max_delay_seconds` after the first); the lease makes sure two
recomputes never run at once on any machine (one whose process stalled until its lease
ran out stops before its next step, the write included: `LeaseLost`); the pending marker
is dropped only once a recompute that saw it has finished, so a worker killed
mid-recompute loses nothing: its lease runs out and a dispatcher queues the spreadsheet
again.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sync.server.logs import server_log
from sync.server.queue import RECOMPUTE_TASK, RecomputeQueue
from sync.server.status import explain_failure, iso_utc

DISPATCH_INTERVAL = 0.2
MAX_ATTEMPTS = 6  # transient failures retried after 5, 10, 20, 40, 80 s, then given up
BACKOFF_BASE = 5.0

log = server_log()


def register(queue: RecomputeQueue) -> None:
    """Put the recompute task on the queue's huey, under a name every process shares."""

    def recompute_task(spreadsheet_id: str, token: str) -> None:
        recompute(queue, spreadsheet_id, token)

    queue.recompute = queue.huey.task(name=RECOMPUTE_TASK)(recompute_task)


def dispatch_due(queue: RecomputeQueue, now: float | None = None) -> list[str]:
    """Queue a recompute for every spreadsheet whose edits are due and whose lease is free."""
    config, store = queue.config, queue.store
    now = time.time() if now is None else now
    dispatched = []
    for pending in store.pending():
        if pending.due_at(config.debounce_seconds, config.max_delay_seconds) > now:
            continue
        token = uuid.uuid4().hex
        # The lease is taken here, before huey holds the task: if the task is lost with its
        # worker, the lease runs out and the next pass queues the spreadsheet again.
        if store.acquire_lease(pending.spreadsheet_id, token, config.lease_seconds, now):
            queue.recompute(pending.spreadsheet_id, token)
            dispatched.append(pending.spreadsheet_id)
    return dispatched


class LeaseKeeper:
    """Renews a lease every third of its length while a recompute runs."""

    def __init__(self, queue: RecomputeQueue, spreadsheet_id: str, token: str) -> None:
        self.queue, self.spreadsheet_id, self.token = queue, spreadsheet_id, token
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="lease-keeper")

    def _run(self) -> None:
        seconds = self.queue.config.lease_seconds
        while not self.stop.wait(seconds / 3):
            try:
                kept = self.queue.store.renew_lease(
                    self.spreadsheet_id, self.token, seconds, time.time()
                )
            except Exception as error:  # noqa: BLE001 - try again at the next beat
                kept = True
                fields = {"spreadsheet_id": self.spreadsheet_id, "error": type(error).__name__}
                log.warning("lease renewal failed", extra={"fields": fields})
            if not kept:
                log.warning("lease lost", extra={"fields": {"spreadsheet_id": self.spreadsheet_id}})
                return

    def __enter__(self) -> LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


@contextmanager
def spreadsheet_lease(queue: RecomputeQueue, spreadsheet_id: str, now: float) -> Iterator[bool]:
    """The spreadsheet's recompute lease for other work that reads it (the daily digest).

    Yields False, holding nothing, when a recompute has it; while held, no recompute starts.
    """
    config, store = queue.config, queue.store
    token = uuid.uuid4().hex
    if not store.acquire_lease(spreadsheet_id, token, config.lease_seconds, now):
        yield False
        return
    try:
        with LeaseKeeper(queue, spreadsheet_id, token):
            yield True
    finally:
        store.release_lease(spreadsheet_id, token)


class LeaseLost(Exception):
    """The recompute's lease ran out while it ran (its process stalled past the renewals):
    another recompute may hold the spreadsheet now, so this one must not write."""


# The lease of the recompute running on this thread: (spreadsheet id, token).
_running_lease: ContextVar[tuple[str, str] | None] = ContextVar("running_lease", default=None)


def run_sync(queue: RecomputeQueue, spreadsheet_id: str) -> Any:
    """Read, compute and write one spreadsheet; the report.

    Under a recompute, each step (read, validate, compute, write) starts only while its
    lease is still held, so a recompute that lost its lease never writes.
    """
    from sync import open_backend, sync_workbook

    held = _running_lease.get()

    def step(_message: str) -> None:
        if held is not None and queue.store.lease_holder(held[0], time.time()) != held[1]:
            raise LeaseLost(held[0])

    return sync_workbook(open_backend(queue.config, sheet=spreadsheet_id), progress=step)


def recompute(
    queue: RecomputeQueue,
    spreadsheet_id: str,
    token: str,
    sync: Callable[[RecomputeQueue, str], Any] = run_sync,
) -> str:
    """One recompute under the lease `token`; its outcome, also logged and in the status."""
    config, store = queue.config, queue.store
    started = time.time()
    if not store.renew_lease(spreadsheet_id, token, config.lease_seconds, started):
        return "lease lost"  # dispatched too long ago: a newer dispatch holds the spreadsheet
    try:
        with LeaseKeeper(queue, spreadsheet_id, token):
            generation = store.begin(spreadsheet_id)
            if generation is None:
                return "nothing waiting"
            record = store.read_status(spreadsheet_id)
            store.write_status(spreadsheet_id, {**record, "running": token})
            begun = {"spreadsheet_id": spreadsheet_id, "lease": token[:8]}
            log.info("recompute started", extra={"fields": begun})
            running = _running_lease.set((spreadsheet_id, token))
            try:
                outcome, fields = _run(queue, spreadsheet_id, generation, record, sync, started)
            finally:
                _running_lease.reset(running)
    finally:
        store.release_lease(spreadsheet_id, token)
    log.info(
        "recompute",
        extra={
            "fields": {
                "spreadsheet_id": spreadsheet_id,
                "lease": token[:8],
                "outcome": outcome,
                "seconds": round(time.time() - started, 3),
                **fields,
            }
        },
    )
    return outcome


def _run(
    queue: RecomputeQueue,
    spreadsheet_id: str,
    generation: int,
    record: dict[str, Any],
    sync: Callable[[RecomputeQueue, str], Any],
    started: float,
) -> tuple[str, dict[str, Any]]:
    store = queue.store
    try:
        report = sync(queue, spreadsheet_id)
    except LeaseLost:
        # The recompute that holds the lease now sees the same edits and reports on them.
        log.warning("lease lost", extra={"fields": {"spreadsheet_id": spreadsheet_id}})
        return "lease lost", {}
    except Exception as error:  # noqa: BLE001 - every failure becomes the owner's status
        failure = explain_failure(error)
        log.debug("recompute failed", exc_info=True)
        fields: dict[str, Any] = {"error": type(error).__name__}
        if failure.transient:
            retry_at = time.time() + _backoff(failures_so_far(record))
            attempts = store.postpone(spreadsheet_id, retry_at)
            if attempts < MAX_ATTEMPTS:
                retrying = {"running": None, "last_error": failure.sentence, "failures": attempts}
                store.write_status(spreadsheet_id, {**record, **retrying})
                return "retry", {**fields, "attempt": attempts}
            sentence = f"{failure.sentence} (gave up after {attempts} attempts; the next edit "
            sentence += "tries again)"
        else:
            sentence = failure.sentence
        store.finish(spreadsheet_id, generation)
        store.write_status(
            spreadsheet_id, {**record, "running": None, "last_error": sentence, "failures": 0}
        )
        return "failed", fields
    store.finish(spreadsheet_id, generation)
    seconds = round(time.time() - started, 3)
    last_sync = {
        "finished_at": iso_utc(time.time()),
        "seconds": seconds,
        "errors": report.error_count,
        "warnings": report.warning_count,
        "cells_written": report.cells_written,
    }
    store.write_status(
        spreadsheet_id, {"running": None, "last_sync": last_sync, "last_error": None}
    )
    return "synced", {k: last_sync[k] for k in ("errors", "warnings", "cells_written")}


def failures_so_far(record: dict[str, Any]) -> int:
    """Transient failures in a row so far."""
    value = record.get("failures", 0)
    return value if isinstance(value, int) else 0


def _backoff(failures: int) -> float:
    """5 s, 10 s, 20 s ... with a tenth of jitter, so workers do not retry in step."""
    delay = BACKOFF_BASE * 2 ** min(failures, 6)
    return delay * (0.9 + 0.2 * random.random())


class Dispatcher:
    """Runs `dispatch_due` every 0.2 s in a thread until stopped."""

    def __init__(self, queue: RecomputeQueue, interval: float = DISPATCH_INTERVAL) -> None:
        self.queue, self.interval = queue, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="dispatcher")

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                dispatch_due(self.queue)
            except Exception as error:  # noqa: BLE001 - the queue may be back at the next pass
                log.warning("dispatch failed", extra={"fields": {"error": type(error).__name__}})

    def start(self) -> Dispatcher:
        """Start the thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self.stopped.set()
        self.thread.join()
