"""Sync a local workbook: the product's path against the naive openpyxl round trip.

    .venv/bin/python benchmarks/bench_xlsx.py [--sizes 1 5 10] [--repeat 3]

For each demo size it writes the demo workbook (with an owner's chart added to an input
tab), then times, in one run:
- **salesops sync**: calamine read -> validate -> compute -> raw-copy package write;
- **naive**: what an owner's script would do: `pandas.read_excel` of every input tab, the
  same computation, then `openpyxl.load_workbook` + rewrite the computed tabs + `save`.
It reports the best of `--repeat` runs and how many of the owner's package parts each
path changed or dropped (the index parts only gain entries in the product's path).

    .venv/bin/python benchmarks/bench_xlsx.py --read-only [--sizes 10 25]

times reading alone: the product's reader (a byte scan of each tab, then calamine, or the
streaming reader for tabs calamine cannot read safely) against calamine alone reading the
whole rectangle of every input tab, as the reader did before the scan existed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.chart import BarChart, Reference

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.engine import compute_tabs, sync_workbook
from sync.read import validate_workbook
from sync.schema import input_tabs

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 0)


def owner_workbook(folder: Path, size: int) -> Path:
    """The demo workbook plus a chart the owner made on the Orders tab."""
    path = folder / f"owner-{size}.xlsx"
    write_input_workbook(path, demo_grids(size, 7, today=TODAY))
    book = openpyxl.load_workbook(path)  # a new file of ours, not an owner's: safe to re-save
    sheet = book["Orders"]
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=20), titles_from_data=True)
    sheet.add_chart(chart, "K2")
    book.save(path)
    # Saved once by a real spreadsheet program, as an owner's file would be.
    converted = folder / "converted"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
         "--convert-to", "xlsx", "--outdir", str(converted), str(path)],
        check=True, capture_output=True, timeout=300,
    )
    shutil.move(converted / path.name, path)
    return path


INDEX_PARTS = {
    "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
}


def changed_owner_parts(before: Path, after: Path) -> str:
    """How many of the owner's parts (besides the index parts, which may gain entries) a
    sync changed or dropped, out of how many."""
    with zipfile.ZipFile(before) as old, zipfile.ZipFile(after) as new:
        new_names = set(new.namelist())
        owned = [name for name in old.namelist() if name not in INDEX_PARTS]
        changed = sum(name not in new_names or old.read(name) != new.read(name) for name in owned)
        return f"{changed} of {len(owned)}"


def product_sync(path: Path) -> None:
    sync_workbook(XlsxBackend(path), now=NOW)


def naive_sync(path: Path) -> None:
    names = [spec.tab for spec in input_tabs()]
    frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    grids = {
        name: frames[name].astype(object).where(frames[name].notna(), None).values.tolist()
        for name in names if name in frames
    }
    tables, issues = validate_workbook(grids, today=TODAY)
    computed = compute_tabs(tables, issues, NOW)
    book = openpyxl.load_workbook(path)
    for output in computed.outputs:
        if output.name in book.sheetnames:
            del book[output.name]
        sheet = book.create_sheet(output.name)
        sheet.append(output.headers)
        for row in output.rows:
            sheet.append(row)
    book.save(path)


def calamine_alone(path: Path) -> None:
    """Every input tab read whole by calamine, with no scan first."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        for spec in input_tabs():
            if spec.tab in book.sheet_names:
                book.get_sheet_by_name(spec.tab).to_python(skip_empty_area=False)


def product_read(path: Path) -> None:
    XlsxBackend(path).read([spec.tab for spec in input_tabs()])


def read_only(sizes: list[int], repeat: int) -> None:
    print("| demo size | input cells | calamine alone (s) | product read (s) | ratio |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            source = owner_workbook(Path(folder), size)
            cells = sum(len(row) for grid in XlsxBackend(source).read(
                [spec.tab for spec in input_tabs()]).values() for row in grid)
            alone = min(_timed(calamine_alone, source) for _ in range(repeat))
            product = min(_timed(product_read, source) for _ in range(repeat))
            print(f"| {size} | {cells:,} | {alone:.2f} | {product:.2f} "
                  f"| {product / alone:.2f} |", flush=True)


def _timed(run, path: Path) -> float:
    started = time.perf_counter()
    run(path)
    return time.perf_counter() - started


def best_of(run, source: Path, repeat: int) -> tuple[float, Path]:
    times = []
    for attempt in range(repeat):
        target = source.with_name(f"{source.stem}-{run.__name__}-{attempt}.xlsx")
        shutil.copyfile(source, target)
        started = time.perf_counter()
        run(target)
        times.append(time.perf_counter() - started)
    return min(times), target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--read-only", action="store_true", help="time reading alone")
    args = parser.parse_args()
    if args.read_only:
        read_only(args.sizes, args.repeat)
        return
    print("| demo size | orders | deals | salesops sync (s) | naive openpyxl (s) | speed-up "
          "| owner's parts changed or lost: salesops / naive |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            source = owner_workbook(Path(folder), size)
            product_time, product_file = best_of(product_sync, source, args.repeat)
            naive_time, naive_file = best_of(naive_sync, source, args.repeat)
            kept = (changed_owner_parts(source, product_file),
                    changed_owner_parts(source, naive_file))
            print(f"| {size} | {2000 * size:,} | {300 * size:,} | {product_time:.2f} "
                  f"| {naive_time:.2f} | {naive_time / product_time:.1f}x "
                  f"| {kept[0]} / {kept[1]} |", flush=True)


if __name__ == "__main__":
    main()
