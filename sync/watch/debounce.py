"""Coalescing edits into one sync: wait for a quiet moment, but never too long.

A sync is due `debounce_seconds` after the last waiting edit, and never later than
`max_delay_seconds` after the first one, however long a burst of edits goes on. Pure:
times are passed in (seconds on a monotonic clock), so tests need no waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.coalesce import due_time


@dataclass
class Debounce:
    """The edits waiting for a sync, and when that sync is due."""

    debounce_seconds: float
    max_delay_seconds: float
    first_edit: float | None = None
    last_edit: float | None = None
    edits: int = 0

    @property
    def waiting(self) -> bool:
        """Whether an edit waits for a sync."""
        return self.first_edit is not None

    def edit(self, at: float) -> None:
        """Note an edit seen at time `at`."""
        if self.first_edit is None:
            self.first_edit = at
        self.last_edit = max(at, self.last_edit or at)
        self.edits += 1

    def due_at(self) -> float | None:
        """When the waiting edits should be synced (None when none waits)."""
        if self.first_edit is None or self.last_edit is None:
            return None
        return due_time(
            self.first_edit, self.last_edit, self.debounce_seconds, self.max_delay_seconds
        )

    def seconds_left(self, now: float) -> float | None:
        """Seconds until the sync is due (0 when it is), None when no edit waits."""
        due = self.due_at()
        return None if due is None else max(0.0, due - now)

    def is_due(self, now: float) -> bool:
        """Whether the waiting edits should be synced now."""
        due = self.due_at()
        return due is not None and now >= due

    def take(self) -> int:
        """Start the sync: forget the waiting edits; how many there were."""
        edits = self.edits
        self.first_edit = self.last_edit = None
        self.edits = 0
        return edits
