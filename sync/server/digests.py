"""The server's daily digest: sent at each spreadsheet's `Digest Time`, served at /digest/<id>.

A huey periodic task runs every minute on each worker (`check_digests`). For each allowed
spreadsheet it knows the schedule (`Digest Time`, `Digest To`, the spreadsheet's time zone),
read from the Settings tab at most once an hour; once the local time reaches Digest Time
and today's digest is not made yet, one worker (the one that takes the short digest lease)
makes it, keeps it in the shared store beside the queue's state, and mails it to Digest To.
Both the schedule's read and the digest hold the spreadsheet's recompute lease, so they never
run beside a recompute of the same spreadsheet.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.digest.snapshot import StoredDigest, stored_from_dict
from sync.server.logs import server_log
from sync.server.queue import RecomputeQueue
from sync.server.store import Store
from sync.server.worker import spreadsheet_lease

DIGEST_TASK = "salesops.daily-digest"
SCHEDULE_SECONDS = 3600  # the Settings tab is read again for the schedule after an hour
DUE_WINDOW_MINUTES = 60  # a digest is made in the hour from Digest Time, never later
LEASE_SECONDS = 600  # one worker makes a spreadsheet's digest; a crashed one frees it after this

log = server_log()


def digest_key(spreadsheet_id: str) -> str:
    """The shared store's key of a spreadsheet's digest record."""
    return f"digest:{spreadsheet_id}"


class SharedDigestStore:
    """Digests kept in the queue's shared store (SQLite file or Redis), one record each."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, spreadsheet_id: str) -> dict[str, Any]:
        """The whole record: the digest, its schedule and the day it was last made."""
        return self.store.read_status(digest_key(spreadsheet_id))

    def update(self, spreadsheet_id: str, **fields: Any) -> None:
        """Change some fields of the record, keeping the others."""
        key = digest_key(spreadsheet_id)
        self.store.write_status(key, {**self.store.read_status(key), **fields})

    def load(self, workbook: str) -> StoredDigest | None:
        """The latest digest of a spreadsheet, or None when none was made yet."""
        record = self.record(workbook)
        try:
            return stored_from_dict(record)
        except (KeyError, TypeError):
            return None

    def save(self, workbook: str, stored: StoredDigest) -> None:
        """Keep the latest digest (the schedule and the day made stay)."""
        self.update(workbook, **asdict(stored))


def digest_view(store: Store, spreadsheet_id: str) -> dict[str, Any] | None:
    """The body of `GET /digest/<spreadsheet_id>`, or None when no digest was made yet."""
    stored = SharedDigestStore(store).load(spreadsheet_id)
    if stored is None:
        return None
    return {"spreadsheet_id": spreadsheet_id, "made_at": stored.made_at,
            "subject": stored.subject, "text": stored.text, "html": stored.html}


def read_schedule(queue: RecomputeQueue, spreadsheet_id: str, now: float) -> dict[str, Any]:
    """Digest Time, Digest To and the time zone, from the spreadsheet's Settings tab."""
    from sync import open_backend
    from sync.read.settings import read_settings

    backend = open_backend(queue.config, sheet=spreadsheet_id)
    grids = backend.read(["Settings"])
    settings, _issues = read_settings(grids.get("Settings"), today=backend.today())
    metadata = getattr(backend, "metadata", None)
    zone = (metadata().get("properties", {}).get("timeZone") if metadata else None) or "UTC"
    return {"time": settings.digest_time, "to": list(settings.digest_to), "zone": zone,
            "checked_at": now}


def local_now(zone: str, now: float) -> datetime:
    """`now` on the spreadsheet's clock (UTC when its zone is unknown)."""
    try:
        return datetime.fromtimestamp(now, ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.fromtimestamp(now, ZoneInfo("UTC"))


def is_due(schedule: dict[str, Any], made_on: str | None, now: float) -> bool:
    """Whether the spreadsheet's local time is within the hour from Digest Time, on a day
    with no digest yet (a server down all that hour skips the day rather than mail late)."""
    local = local_now(str(schedule.get("zone", "UTC")), now)
    hours, minutes = (int(part) for part in str(schedule.get("time", "08:00")).split(":"))
    since = local.hour * 60 + local.minute - (hours * 60 + minutes)
    return 0 <= since < DUE_WINDOW_MINUTES and made_on != local.date().isoformat()


def send_daily_digest(queue: RecomputeQueue, spreadsheet_id: str, now: float) -> str:
    """Make today's digest of one spreadsheet and mail it to Digest To: what happened."""
    from sync import open_backend
    from sync.digest import make_digest, send_digest
    from sync.errors import SalesOpsError

    shared = SharedDigestStore(queue.store)
    made = make_digest(open_backend(queue.config, sheet=spreadsheet_id), shared,
                       locale=queue.config.locale)
    if not made.digest_to:
        return "made (no Digest To)"
    try:
        send_digest(made, queue.config.smtp_server(), queue.config.mail_from, made.digest_to)
    except SalesOpsError as error:
        log.error("digest not sent", extra={"fields": {"spreadsheet_id": spreadsheet_id,
                                                       "reason": str(error)}})
        return "made, not sent"
    return f"sent to {len(made.digest_to)}"


def check_digests(queue: RecomputeQueue, now: float | None = None) -> dict[str, str]:
    """Make and send every digest that is due now: spreadsheet id -> what happened."""
    now = time.time() if now is None else now
    store, shared = queue.store, SharedDigestStore(queue.store)
    done: dict[str, str] = {}
    for spreadsheet_id in queue.config.allowed_spreadsheets:
        token = uuid.uuid4().hex
        lease = digest_key(spreadsheet_id)
        if not store.acquire_lease(lease, token, LEASE_SECONDS, now):
            continue  # another worker is on it
        try:
            done[spreadsheet_id] = _check_one(queue, shared, spreadsheet_id, now)
        except Exception as error:  # noqa: BLE001 - one spreadsheet must not stop the others
            log.warning("digest failed", extra={"fields": {"spreadsheet_id": spreadsheet_id,
                                                           "error": type(error).__name__}})
            done[spreadsheet_id] = f"failed ({type(error).__name__})"
        finally:
            store.release_lease(lease, token)
    return done


def _check_one(queue: RecomputeQueue, shared: SharedDigestStore, spreadsheet_id: str,
               now: float) -> str:
    record = shared.record(spreadsheet_id)
    known = record.get("schedule")
    schedule: dict[str, Any] = known if isinstance(known, dict) else {}
    stale = not schedule or now - schedule.get("checked_at", 0) > SCHEDULE_SECONDS
    if not stale and not is_due(schedule, record.get("made_on"), now):
        return "not due"
    # The spreadsheet is read under its recompute lease, so it never interleaves with a
    # recompute's calls; a spreadsheet being recomputed is tried again the next minute.
    with spreadsheet_lease(queue, spreadsheet_id, now) as held:
        if not held:
            return "recompute running (next minute)"
        if stale:
            schedule = read_schedule(queue, spreadsheet_id, now)
            shared.update(spreadsheet_id, schedule=schedule)
        if not is_due(schedule, record.get("made_on"), now):
            return "not due"
        outcome = send_daily_digest(queue, spreadsheet_id, now)
    local = local_now(str(schedule.get("zone", "UTC")), now)
    shared.update(spreadsheet_id, made_on=local.date().isoformat())
    log.info("digest", extra={"fields": {"spreadsheet_id": spreadsheet_id, "outcome": outcome}})
    return outcome


def register_digests(queue: RecomputeQueue) -> None:
    """Put the every-minute digest check on the queue's huey (run by workers' schedulers)."""
    from huey import crontab

    def daily_digest_task() -> None:
        check_digests(queue)

    queue.huey.periodic_task(crontab(minute="*"), name=DIGEST_TASK)(daily_digest_task)
