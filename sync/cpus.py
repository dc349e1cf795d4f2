"""How many CPUs this process may use: the fitting process and the reader's second parsing
thread are only worth starting with one to spare."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """How many CPUs this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS, Windows)
        return os.cpu_count() or 1
