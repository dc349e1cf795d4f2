"""Import the UCI Online Retail invoice lines (December 2010) into a new workbook.

    .venv/bin/python benchmarks/bench_import.py [--repeat 3]

Times, best of `--repeat`, from the CSV on disk to the appended workbook on disk:
- **plan** (what `--dry-run` does): read and decode the CSV, read every value by the
  reader's rules, check each line against the tab;
- **import**: the plan plus the lossless append into the Orders tab;
- **re-import**: the same file again, every line skipped as already there.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import tempfile
import time
from pathlib import Path

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import create_template
from sync.imports import import_file

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "uci_online_retail"
MAP = """columns:
  InvoiceNo: Order ID
  InvoiceDate: Date
  CustomerID: Customer
  StockCode: Product
  Quantity: Quantity
  UnitPrice: Unit Price
"""


def best(repeat: int, run) -> float:  # noqa: ANN001 - a no-argument callable
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        source = folder / "online_retail_2010-12.csv"
        with gzip.open(DATA / "online_retail_2010-12.csv.gz", "rb") as packed, \
                source.open("wb") as plain:
            shutil.copyfileobj(packed, plain)
        (folder / "map.yaml").write_text(MAP, encoding="utf-8")
        empty = create_template(folder / "empty.xlsx")
        workbook = folder / "sales.xlsx"

        def fresh_import(dry_run: bool) -> None:
            shutil.copyfile(empty, workbook)
            import_file(XlsxBackend(workbook), source, tab="Orders",
                        map_file=folder / "map.yaml", dry_run=dry_run)

        plan = best(args.repeat, lambda: fresh_import(True))
        full = best(args.repeat, lambda: fresh_import(False))
        again = best(args.repeat, lambda: import_file(
            XlsxBackend(workbook), source, tab="Orders", map_file=folder / "map.yaml"))
        lines = sum(1 for _ in source.open(encoding="utf-8")) - 1
        print(f"| {lines:,} lines | plan {plan:.1f} s | import {full:.1f} s | "
              f"re-import {again:.1f} s |")


if __name__ == "__main__":
    main()
