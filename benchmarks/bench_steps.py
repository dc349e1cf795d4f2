"""One sync of a workbook step by step, in CPU seconds of this process.

    PYTHONPATH=<checkout> .venv/bin/python benchmarks/bench_steps.py WORKBOOK COPY

copies WORKBOOK to COPY and syncs the copy (the Stage Log's clock at 2026-11-28 09:00),
printing the CPU seconds of importing the engine, read, validate, compute and write, and
the process's peak RSS. CPU seconds rather than wall seconds, so that two versions of the
code run one after the other on a busy shared machine are compared on the work they do,
not on the machine's load; `PYTHONPATH` picks the version.
"""

from __future__ import annotations

import resource
import shutil
import sys
import time
from datetime import datetime

clock = time.process_time


def main() -> None:
    source, copy = sys.argv[1], sys.argv[2]
    started = clock()
    from sync.backends.xlsx.backend import XlsxBackend
    from sync.engine import compute_tabs
    from sync.read import validate_workbook
    from sync.schema import input_tabs

    imported = clock()
    shutil.copy(source, copy)
    backend = XlsxBackend(copy)
    read_at = clock()
    grids = backend.read([*(spec.tab for spec in input_tabs()), "Stage Log"])
    validate_at = clock()
    tables, issues = validate_workbook(grids, today=backend.today())
    compute_at = clock()
    computed = compute_tabs(tables, issues, datetime(2026, 11, 28, 9))
    write_at = clock()
    backend.write(computed.outputs)
    done = clock()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"imports {imported - started:.2f} read {validate_at - read_at:.2f} "
        f"validate {compute_at - validate_at:.2f} compute {write_at - compute_at:.2f} "
        f"write {done - write_at:.2f} total {done - started:.2f} peak {peak} MB"
    )


if __name__ == "__main__":
    main()
