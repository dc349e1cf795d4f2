"""What every server and worker shares, kept in the queue's own storage.

- seen `event_id`s (10 minutes), so a repeated post is answered `duplicate`;
- one pending marker per spreadsheet (first and last waiting edit, a generation counted
  up by every edit, a not-before time after a transient failure): it is deleted only when
  a recompute that saw its generation has finished, so a crash never loses an edit;
- one lease per spreadsheet (a token and an expiry, renewed while a recompute runs): two
  recomputes of one spreadsheet never run at once, and a killed worker's lease runs out;
- the status a signed `GET /status/<id>` shows.

`SqliteStore` and `RedisStore` implement it on the SQLite file or the Redis server that
holds huey's queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from sync.coalesce import due_time

EVENT_MEMORY_SECONDS = 600


@dataclass(frozen=True)
class Pending:
    """A spreadsheet with edits no finished recompute has seen yet."""

    spreadsheet_id: str
    first_at: float | None  # first edit since the last recompute began (None: none since)
    last_at: float
    generation: int
    not_before: float = 0.0
    attempts: int = 0

    def due_at(self, debounce: float, max_delay: float) -> float:
        """When to recompute: `debounce` after the last edit, at most `max_delay` after the
        first waiting one, never before a transient failure's backoff is over."""
        first = self.first_at if self.first_at is not None else self.last_at
        return max(self.not_before, due_time(first, self.last_at, debounce, max_delay))


class Store(Protocol):
    """The shared state of the queue (see the module docstring)."""

    kind: str

    def remember_event(self, event_id: str, now: float, queue: str | None = None) -> bool:
        """Record an event id; False when it was already seen in the last 10 minutes.

        With `queue`, a new event also marks that spreadsheet's edit (`mark_edit`), in the
        same write.
        """
        ...

    def mark_edit(self, spreadsheet_id: str, now: float) -> None:
        """Note an edit waiting for a recompute."""
        ...

    def pending(self) -> list[Pending]:
        """Every spreadsheet with waiting edits."""
        ...

    def begin(self, spreadsheet_id: str) -> int | None:
        """Start a recompute: the generation it will see (None when nothing waits)."""
        ...

    def finish(self, spreadsheet_id: str, generation: int) -> bool:
        """Drop the pending marker if no edit came since `begin`; True when dropped."""
        ...

    def postpone(self, spreadsheet_id: str, not_before: float) -> int:
        """Retry after a transient failure no sooner than `not_before`; the attempts so far."""
        ...

    def acquire_lease(self, spreadsheet_id: str, token: str, seconds: float, now: float) -> bool:
        """Take the spreadsheet's lease unless another live one holds it."""
        ...

    def renew_lease(self, spreadsheet_id: str, token: str, seconds: float, now: float) -> bool:
        """Extend a lease this token holds; False when it was lost."""
        ...

    def release_lease(self, spreadsheet_id: str, token: str) -> None:
        """Give a lease back (nothing happens if the token no longer holds it)."""
        ...

    def lease_holder(self, spreadsheet_id: str, now: float) -> str | None:
        """The token holding a live lease, or None."""
        ...

    def read_status(self, spreadsheet_id: str) -> dict[str, Any]:
        """The stored status record ({} when none)."""
        ...

    def write_status(self, spreadsheet_id: str, record: dict[str, Any]) -> None:
        """Replace the stored status record."""
        ...

    def counts(self, now: float) -> dict[str, int]:
        """How many spreadsheets wait and how many leases are live (for /healthz)."""
        ...


def dump(record: dict[str, Any]) -> str:
    """A status record as stored."""
    return json.dumps(record, separators=(",", ":"), sort_keys=True)


def load(text: str | bytes | None) -> dict[str, Any]:
    """A stored status record ({} for none or an unreadable one)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
