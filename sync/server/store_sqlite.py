"""The shared state in the SQLite file that holds huey's queue (one server, no daemon).

Every thread gets its own connection; WAL lets readers go on while one writer commits, and
`BEGIN IMMEDIATE` makes each read-modify-write one atomic step across processes.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sync.server.store import EVENT_MEMORY_SECONDS, Pending, dump, load

PURGE_EVERY_SECONDS = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS salesops_events (
    event_id TEXT PRIMARY KEY, seen_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS salesops_events_seen ON salesops_events (seen_at);
CREATE TABLE IF NOT EXISTS salesops_pending (
    spreadsheet_id TEXT PRIMARY KEY, first_at REAL, last_at REAL NOT NULL,
    generation INTEGER NOT NULL, not_before REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS salesops_lease (
    spreadsheet_id TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS salesops_status (
    spreadsheet_id TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


class SqliteStore:
    """The queue's shared state in tables next to huey's, in the same SQLite file."""

    kind = "sqlite"

    def __init__(self, path: str | Path, timeout: float = 10.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._local = threading.local()
        self._purged = 0.0
        # Writers take turns on a lock file (threads of one process on a mutex first) rather
        # than in SQLite's busy handler, which sleeps up to 100 ms between tries: that
        # would be the server's p99. The kernel wakes the next writer at once.
        self._writing = threading.Lock()
        self._turns = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._closer = weakref.finalize(self, os.close, self._turns)
        self._connection().executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            # A process crash loses nothing in WAL mode; only a power cut may lose the last
            # commits, and the add-on's next edit queues the spreadsheet again.
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        with self._writing:
            fcntl.flock(self._turns, fcntl.LOCK_EX)
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            finally:
                fcntl.flock(self._turns, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close this thread's connection and the lock file."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
        self._closer()

    def remember_event(self, event_id: str, now: float, queue: str | None = None) -> bool:
        """Record an event id (and its edit on `queue`, when new); False when seen before."""
        forgotten = now - EVENT_MEMORY_SECONDS
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO salesops_events VALUES (?, ?) ON CONFLICT(event_id) DO UPDATE "
                "SET seen_at = excluded.seen_at WHERE seen_at < ?",
                (event_id, now, forgotten),
            )
            new = cursor.rowcount == 1
            if new and queue is not None:
                self._mark(db, queue, now)
            if now - self._purged > PURGE_EVERY_SECONDS:  # a small delete now and then
                db.execute("DELETE FROM salesops_events WHERE seen_at < ?", (forgotten,))
                self._purged = now
            return new

    def mark_edit(self, spreadsheet_id: str, now: float) -> None:
        """Note an edit waiting for a recompute."""
        with self._write() as db:
            self._mark(db, spreadsheet_id, now)

    @staticmethod
    def _mark(db: sqlite3.Connection, spreadsheet_id: str, now: float) -> None:
        db.execute(
                "INSERT INTO salesops_pending (spreadsheet_id, first_at, last_at, generation) "
                "VALUES (?, ?, ?, 1) ON CONFLICT(spreadsheet_id) DO UPDATE SET "
                "first_at = coalesce(first_at, excluded.first_at), "
                "last_at = excluded.last_at, generation = generation + 1",
                (spreadsheet_id, now, now),
            )

    def pending(self) -> list[Pending]:
        """Every spreadsheet with waiting edits."""
        rows = self._connection().execute(
            "SELECT spreadsheet_id, first_at, last_at, generation, not_before, attempts "
            "FROM salesops_pending"
        )
        return [Pending(*row) for row in rows]

    def begin(self, spreadsheet_id: str) -> int | None:
        """Start a recompute: the generation it will see (None when nothing waits)."""
        with self._write() as db:
            row = db.execute(
                "SELECT generation FROM salesops_pending WHERE spreadsheet_id = ?",
                (spreadsheet_id,),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE salesops_pending SET first_at = NULL WHERE spreadsheet_id = ?",
                (spreadsheet_id,),
            )
            return int(row[0])

    def finish(self, spreadsheet_id: str, generation: int) -> bool:
        """Drop the pending marker if no edit came since `begin`; True when dropped."""
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM salesops_pending WHERE spreadsheet_id = ? AND generation = ?",
                (spreadsheet_id, generation),
            )
            if cursor.rowcount == 0:  # edits came in: their backoff, if any, is over
                db.execute(
                    "UPDATE salesops_pending SET not_before = 0, attempts = 0 "
                    "WHERE spreadsheet_id = ?",
                    (spreadsheet_id,),
                )
            return cursor.rowcount == 1

    def postpone(self, spreadsheet_id: str, not_before: float) -> int:
        """Retry after a transient failure no sooner than `not_before`; the attempts so far."""
        with self._write() as db:
            row = db.execute(
                "UPDATE salesops_pending SET not_before = ?, attempts = attempts + 1 "
                "WHERE spreadsheet_id = ? RETURNING attempts",
                (not_before, spreadsheet_id),
            ).fetchone()
            return int(row[0]) if row else 0

    def acquire_lease(self, spreadsheet_id: str, token: str, seconds: float, now: float) -> bool:
        """Take the spreadsheet's lease unless another live one holds it."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO salesops_lease VALUES (?, ?, ?) ON CONFLICT(spreadsheet_id) "
                "DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at "
                "WHERE expires_at <= ?",
                (spreadsheet_id, token, now + seconds, now),
            )
            return cursor.rowcount == 1

    def renew_lease(self, spreadsheet_id: str, token: str, seconds: float, now: float) -> bool:
        """Extend a lease this token holds; False when it was lost."""
        with self._write() as db:
            cursor = db.execute(
                "UPDATE salesops_lease SET expires_at = ? "
                "WHERE spreadsheet_id = ? AND token = ? AND expires_at > ?",
                (now + seconds, spreadsheet_id, token, now),
            )
            return cursor.rowcount == 1

    def release_lease(self, spreadsheet_id: str, token: str) -> None:
        """Give a lease back (nothing happens if the token no longer holds it)."""
        with self._write() as db:
            db.execute(
                "DELETE FROM salesops_lease WHERE spreadsheet_id = ? AND token = ?",
                (spreadsheet_id, token),
            )

    def lease_holder(self, spreadsheet_id: str, now: float) -> str | None:
        """The token holding a live lease, or None."""
        row = (
            self._connection()
            .execute(
                "SELECT token FROM salesops_lease WHERE spreadsheet_id = ? AND expires_at > ?",
                (spreadsheet_id, now),
            )
            .fetchone()
        )
        return str(row[0]) if row else None

    def read_status(self, spreadsheet_id: str) -> dict[str, Any]:
        """The stored status record ({} when none)."""
        row = (
            self._connection()
            .execute("SELECT body FROM salesops_status WHERE spreadsheet_id = ?", (spreadsheet_id,))
            .fetchone()
        )
        return load(row[0] if row else None)

    def write_status(self, spreadsheet_id: str, record: dict[str, Any]) -> None:
        """Replace the stored status record."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO salesops_status VALUES (?, ?)",
                (spreadsheet_id, dump(record)),
            )

    def counts(self, now: float) -> dict[str, int]:
        """How many spreadsheets wait and how many leases are live (for /healthz)."""
        db = self._connection()
        waiting = db.execute("SELECT count(*) FROM salesops_pending").fetchone()[0]
        leased = db.execute(
            "SELECT count(*) FROM salesops_lease WHERE expires_at > ?", (now,)
        ).fetchone()[0]
        return {"pending": int(waiting), "leased": int(leased)}
