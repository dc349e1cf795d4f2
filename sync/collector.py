"""Python's cycle collector paused while a sync builds millions of objects.

A sync of half a million rows makes millions of new objects (cells, rows, keys), and the
collector would walk all of them again and again as they are made: 1.6 of the read's 2.6
CPU seconds on the 541,909 rows of the UCI orders, and a fifth of validation. Rows of
values and the tables computed from them hold next to no reference cycles for it to find;
what little there is waits for the collector's next pass after the sync.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector paused inside the block, or the call of a function decorated
    with `@collector_paused()` (and left as it was after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
