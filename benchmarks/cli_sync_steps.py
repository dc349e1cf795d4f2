"""`salesops sync PATH` exactly as the CLI runs it, also writing the sync's step seconds.

    .venv/bin/python benchmarks/cli_sync_steps.py PATH STEPS.json

A fresh process runs the program's own entry point (`sync.program:run`, what
`.venv/bin/salesops` calls) on PATH; the only addition is that the `SyncReport`'s
`step_seconds` and `tab_seconds` (timed by the engine itself) and the clock times the sync
began and ended (the end less the report's own `seconds`) are written to STEPS.json before
the CLI prints its summary.
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
    # Only the CLI module is loaded here: the command loads the engine itself, after it has
    # started reading the workbook (`sync.cli.read_early`), as it does when run as salesops.
    import sync.cli

    summary_table = sync.cli.summary_table

    def recorded(report: Any, **kwargs: Any) -> Any:
        ended = time.time()  # the sync has returned; the summary is printed next
        steps_file.write_text(
            json.dumps({"steps": report.step_seconds, "tabs": report.tab_seconds,
                        "began": ended - report.seconds, "ended": ended}),
            encoding="utf-8",
        )
        return summary_table(report, **kwargs)

    sync.cli.summary_table = recorded
    from sync.program import run

    sys.argv = ["salesops", "sync", workbook]
    run()


if __name__ == "__main__":
    main()
