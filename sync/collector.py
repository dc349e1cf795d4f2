"""Python's cycle collector paused while a sync builds millions of objects.

A sync of half a million rows makes millions of new objects (cells, rows, keys), and the
collector would walk all of them again and again as they are made: 1.6 of the read's 2.6
CPU seconds on the 541,909 rows of the UCI orders, and a fifth of validation. Rows of
values and the tables computed from them hold next to no reference cycles for it to find;
what little there is waits for the collector's next pass after the sync.

The pause is counted: a workbook read ahead on a thread (`XlsxBackend.read_ahead`) and the
sync on the main thread may each hold it, and the collector is back as it was once the
last of them has let go.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector paused inside the block, or the call of a function decorated
    with `@collector_paused()` (and left as it was once no block holds it paused)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
