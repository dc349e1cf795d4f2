"""A background thread owned by a `with` block: the reader's helpers for the second core.

Leaving the block asks the thread to stop (under the shared condition its work waits on)
and waits until it has, whatever happened meanwhile, so no thread outlives a read.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self


class WorkerThread:
    """Runs `_run` on a daemon thread between `__enter__` and `__exit__`.

    `_run` waits on `_changed` and returns once `_stopping` is set; subclasses notify
    `_changed` whenever what it waits for changes.
    """

    def __init__(self, name: str) -> None:
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()
