"""Time the statements and the digest on demo workbooks of a few sizes.

    .venv/bin/python benchmarks/bench_reports.py [--sizes 1 10] [--repeat 2]

For each demo size (size 1: 5 reps, 2,000 orders; size n: n times the business) it times,
best of `--repeat`: the computation alone (`compute_workbook`), `make_statements` (the
computation plus one PDF per rep) and `make_digest` (the computation plus the comparison
with the previous digest's snapshot), and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.digest import DigestStore, make_digest
from sync.engine import compute_workbook
from sync.statements import make_statements

TODAY = date(2026, 11, 28)


def best(repeat: int, run: object) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def row(size: int, repeat: int) -> str:
    """One table row: the three timings on a demo workbook of this size."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.xlsx"
        grids = demo_grids(size=size, seed=7, today=TODAY)
        write_input_workbook(path, {t: g for t, g in grids.items() if t != "Stage Log"})
        store = DigestStore(Path(folder) / "state")
        compute = best(repeat, lambda: compute_workbook(XlsxBackend(path)))
        written = make_statements(XlsxBackend(path), Path(folder) / "out")
        statements = best(repeat, lambda: make_statements(XlsxBackend(path), Path(folder) / "o"))
        digest = best(repeat, lambda: make_digest(XlsxBackend(path), store))
    return (f"| {size} | {len(grids['Team']) - 1} | {len(grids['Orders']) - 1:,} | "
            f"{compute:.2f} s | {statements:.2f} s ({len(written)}) | {digest:.2f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print("| demo size | reps | orders | compute | statements (PDFs) | digest |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        print(row(size, args.repeat))


if __name__ == "__main__":
    main()
