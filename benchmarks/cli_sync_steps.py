"""`salesops sync PATH` exactly as the CLI runs it, also writing the sync's step seconds.

    .venv/bin/python benchmarks/cli_sync_steps.py PATH STEPS.json

A fresh process runs the program's own entry point (`sync.program:run`, what
`.venv/bin/salesops` calls) on PATH; the only addition is that the `SyncReport`'s
`step_seconds` and `tab_seconds` (timed by the engine itself) and the clock times the sync
began and ended are written to STEPS.json before the CLI prints its summary.
`bench_sizes.py` runs this once per measured sync.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    workbook, steps_file = sys.argv[1], Path(sys.argv[2])
    import sync.engine

    sync_workbook = sync.engine.sync_workbook

    def recorded(*args: Any, **kwargs: Any) -> sync.engine.SyncReport:
        began = time.time()
        report = sync_workbook(*args, **kwargs)
        ended = time.time()
        steps_file.write_text(
            json.dumps({"steps": report.step_seconds, "tabs": report.tab_seconds,
                        "began": began, "ended": ended}),
            encoding="utf-8",
        )
        return report

    # the CLI imports sync_workbook from the engine when the command runs
    sync.engine.sync_workbook = recorded  # type: ignore[assignment]
    from sync.program import run

    sys.argv = ["salesops", "sync", workbook]
    run()


if __name__ == "__main__":
    main()
