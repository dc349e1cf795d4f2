"""A workbook read started early, on a thread of its own, and taken when the sync reads.

python-calamine parses without holding the GIL, so a read started before the command
loads the engine goes on while Python imports pandas. The read runs in a copy of the
starting thread's context (the language its messages speak is a context variable), and
holds the collector pause (`sync/collector.py`) from its start, as the sync's own read
would.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sync.collector import collector_paused

Result = TypeVar("Result")


class EarlyRead(Generic[Result]):
    """`read()` running on a daemon thread from now on, for the tabs named."""

    def __init__(self, tabs: list[str], read: Callable[[], Result]) -> None:
        self.tabs = tabs
        self._read = read
        self._context = contextvars.copy_context()
        self._outcome: Result | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-early-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with collector_paused():
                self._outcome = self._context.run(self._read)
        except BaseException as error:  # noqa: BLE001 - raised where the read is taken
            self._error = error

    def result(self) -> Result:
        """What the read returned, once it has finished; what it raised is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._outcome  # type: ignore[return-value]
