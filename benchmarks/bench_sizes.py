"""One sync end to end at each size the product promises, against the naive scripts.

    .venv/bin/python benchmarks/bench_sizes.py [--sizes 1 4 40 200] [--no-uci]
                                               [--repeat 5] [--no-docs] [--quick]

Workbooks: `salesops demo --size N` for each size (about 25 thousand, 100 thousand,
1 million and 5 million input cells) and the full UCI Online Retail data (541,909 order
lines, `benchmarks/data/uci_online_retail/`) imported as Orders into a new workbook with
the import library. Each is built once and kept in `--cache` (default `benchmarks/.cache`).

For each workbook, on a fresh copy each time:
- **salesops sync**: a fresh `salesops sync COPY` process (`cli_sync_steps.py`: the CLI's
  own entry point, start-up included), wall seconds from launch to exit, its peak RSS, and
  the engine's own split into read, validate, compute (per computed tab) and write;
- **naive openpyxl**: a fresh process running `bench_xlsx.naive_sync` (`pandas.read_excel`
  of every tab, the same computation, `openpyxl` load + rewrite + save);
- **on Google Sheets** (the Sheets API emulator of the test suite on loopback, in a
  process of its own (`emulator_process.py`), so CPU, not Google's latency): the
  product's re-sync of a spreadsheet it synced once, against the naive gspread script of
  `bench_sheets.py` (every sync the same).
Medians of `--repeat` runs for workbooks up to 1.5 million input cells, one run above.
The tables replace the `## Sync end to end, by size` section of docs/performance.md, with
the machine and the command; `--quick` runs size 1 once and prints only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # bench_sheets' emulator lives in the test suite

from benchmarks.bench_import import MAP as UCI_MAP  # noqa: E402
from benchmarks.performance_page import PAGE, replace_section  # noqa: E402

PYTHON = sys.executable
SALESOPS = str(Path(PYTHON).with_name("salesops"))
UCI = HERE / "data" / "uci_online_retail" / "online_retail_2010-12-01_2011-12-09.csv.gz"
DEFAULT_SIZES = [1, 4, 40, 200]
REPEAT_UP_TO_CELLS = 1_500_000
SECTION = "## Sync end to end, by size"
COMMAND = ".venv/bin/python benchmarks/bench_sizes.py"


@dataclass
class Measured:
    """Every run of one workbook."""

    label: str
    input_cells: int
    runs: int = 0
    wall: list[float] = field(default_factory=list)
    first: float = float("nan")  # the sync with no scan remembered
    rss_mb: list[float] = field(default_factory=list)
    steps: list[dict[str, float]] = field(default_factory=list)  # with start-up, exit
    tabs: list[dict[str, float]] = field(default_factory=list)
    naive_xlsx: list[float] = field(default_factory=list)
    sheets: list[float] = field(default_factory=list)
    naive_sheets: list[float] = field(default_factory=list)


def timed_process(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and clock time at launch of one fresh process, which
    must succeed."""
    launched = time.time()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors}")
    return wall, usage.ru_maxrss / 1024, launched


def demo_workbook(cache: Path, size: int) -> Path:
    """`salesops demo --size N`, built once."""
    path = cache / f"demo-{size}.xlsx"
    if not path.exists():
        subprocess.run([SALESOPS, "demo", str(path), "--size", str(size)], check=True,
                       cwd=ROOT, capture_output=True)
    return path


def uci_workbook(cache: Path) -> Path:
    """A new workbook with the full UCI Online Retail data imported as Orders, built once."""
    import gzip

    from sync.backends.xlsx.backend import XlsxBackend
    from sync.backends.xlsx.template import create_template
    from sync.imports import import_file

    path = cache / "uci-online-retail.xlsx"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        source = folder / "online_retail.csv"
        with gzip.open(UCI, "rb") as packed, source.open("wb") as plain:
            shutil.copyfileobj(packed, plain)
        (folder / "map.yaml").write_text(UCI_MAP, encoding="utf-8")
        building = create_template(folder / "uci.xlsx")
        import_file(XlsxBackend(building), source, tab="Orders", map_file=folder / "map.yaml")
        shutil.move(building, path)
    return path


def input_grids(path: Path) -> dict[str, list[list[object]]]:
    """The input tabs and the Stage Log as the product reads them (rows as wide as the
    header): what a sync reads, and what the Sheets paths are seeded with."""
    from sync.backends.xlsx.backend import XlsxBackend
    from sync.schema import input_tabs

    grids = XlsxBackend(path).read([*(spec.tab for spec in input_tabs()), "Stage Log"])
    return {name: [list(row) for row in grid] for name, grid in grids.items()}


def measure(label: str, workbook: Path, repeat: int, folder: Path, sheets: bool) -> Measured:
    """Every path on one workbook."""
    grids = input_grids(workbook)
    measured = Measured(label, sum(len(row) for grid in grids.values() for row in grid))
    runs = repeat if measured.input_cells <= REPEAT_UP_TO_CELLS else 1
    measured.runs = runs
    copy, steps_file = folder / "copy.xlsx", folder / "steps.json"
    # The syncs remember tabs the scan passed in a folder of the benchmark's own, emptied
    # here: the first sync scans every tab, the runs after it none (the workbook is the same).
    memory = folder / "scan-memory"
    shutil.rmtree(memory, ignore_errors=True)
    os.environ["SALESOPS_CACHE_DIR"] = str(memory)
    shutil.copyfile(workbook, copy)
    measured.first, _, _ = timed_process(
        [PYTHON, str(HERE / "cli_sync_steps.py"), str(copy), str(steps_file)])
    for _ in range(runs):
        shutil.copyfile(workbook, copy)
        wall, rss, launched = timed_process(
            [PYTHON, str(HERE / "cli_sync_steps.py"), str(copy), str(steps_file)])
        recorded = json.loads(steps_file.read_text(encoding="utf-8"))
        measured.wall.append(wall)
        measured.rss_mb.append(rss)
        start_up = recorded["began"] - launched
        after = wall - start_up - (recorded["ended"] - recorded["began"])
        measured.steps.append({**recorded["steps"], "start-up": start_up, "after": after})
        measured.tabs.append(recorded["tabs"])
        shutil.copyfile(workbook, copy)
        naive, _, _ = timed_process(
            [PYTHON, "-c", "import sys; sys.path.insert(0, 'benchmarks'); "
             "from pathlib import Path; from bench_xlsx import naive_sync; "
             "naive_sync(Path(sys.argv[1]))", str(copy)])
        measured.naive_xlsx.append(naive)
    if sheets:
        measured.sheets, measured.naive_sheets = sheets_runs(grids, runs, folder)
    return measured


def sheets_runs(grids: dict[str, list[list[object]]], runs: int,
                folder: Path) -> tuple[list[float], list[float]]:
    """Seconds of the product's re-sync and of the naive gspread sync, on the emulator."""
    from bench_sheets import SHEET, naive_sync, product_sync
    from emulator_process import separate_emulator

    from tests.sheets_emulator.fixtures import CLIENT_EMAIL, make_private_key, write_key_file

    key = make_private_key()
    # The emulator answers from a process of its own, as Google's servers would: the
    # seconds below are the client's (gspread, HTTP, JSON and the engine), not its own.
    with separate_emulator(key.public_key()) as emulator:
        key_path = write_key_file(folder / "service-account.json", key, emulator.token_uri,
                                  CLIENT_EMAIL)

        def timed(run) -> float:  # noqa: ANN001 - a no-argument callable
            started = time.perf_counter()
            run()
            return time.perf_counter() - started

        emulator.create(SHEET, grids, editors=(CLIENT_EMAIL,))
        product_sync(key_path, emulator.url)  # the first sync adds the computed tabs
        product = [timed(lambda: product_sync(key_path, emulator.url)) for _ in range(runs)]
        emulator.create(SHEET, grids, editors=(CLIENT_EMAIL,))
        naive_sync(key_path, emulator.url)  # creates the computed tabs; later syncs the same
        naive = [timed(lambda: naive_sync(key_path, emulator.url)) for _ in range(runs)]
    return product, naive


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _step(measured: Measured, name: str) -> float:
    return _median([steps.get(name, 0.0) for steps in measured.steps])


def size_table(results: list[Measured]) -> str:
    """The end-to-end table: one row per workbook."""
    lines = [
        "| workbook | input cells | runs | salesops sync (s) | first sync (s) | start-up "
        "| read | validate "
        "| compute | write | summary and exit | peak RSS (MB) | s per million cells "
        "| naive openpyxl (s) | ratio | on Sheets: salesops (s) | naive gspread (s) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        wall = _median(m.wall)
        parts = [_step(m, name) for name in
                 ("start-up", "read", "validate", "compute", "write", "after")]
        naive = _median(m.naive_xlsx)
        sheets, naive_sheets = _median(m.sheets), _median(m.naive_sheets)
        on_sheets = (
            f"{sheets:.2f} | {naive_sheets:.2f} | {naive_sheets / sheets:.1f}x"
            if m.sheets else "- | - | -"
        )
        lines.append(
            f"| {m.label} | {m.input_cells:,} | {m.runs} | {wall:.2f} | {m.first:.2f} | "
            + " | ".join(f"{part:.2f}" for part in parts)
            + f" | {max(m.rss_mb):,.0f} | "
            f"{wall / m.input_cells * 1e6:.2f} | {naive:.2f} | {naive / wall:.1f}x | "
            f"{on_sheets} |"
        )
    return "\n".join(lines)


def compute_table(results: list[Measured]) -> str:
    """The compute step split by computed tab (medians, seconds)."""
    tabs: list[str] = []
    for m in results:
        for run in m.tabs:
            tabs.extend(tab for tab in run if tab not in tabs)
    lines = [
        "| workbook | " + " | ".join(tabs) + " |",
        "|---|" + "---:|" * len(tabs),
    ]
    for m in results:
        cells = [_median([run.get(tab, 0.0) for run in m.tabs]) for tab in tabs]
        lines.append(f"| {m.label} | " + " | ".join(f"{cell:.2f}" for cell in cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    """This machine in one line: CPU, cores, memory, Python, load average."""
    cpu = platform.processor() or platform.machine()
    info = Path("/proc/cpuinfo")
    if info.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", info.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, Python "
            f"{platform.python_version()}")


def section(results: list[Measured], command: str, load: tuple[str, str]) -> str:
    """The docs section: machine, command, both tables."""
    return f"""{SECTION}

    {command}

Measured on {machine()};
load average {load[0]} before the run and {load[1]} after (1-minute figures). "Input
cells" are the cells of the input tabs and the Stage Log as a sync reads them (each
tab's rows times its header's width). Each workbook is synced on a fresh copy of itself by a fresh
`salesops sync` process (the demo workbooks were synced once by `salesops demo`, so the
Stage Log is there and this is a re-sync); medians of the runs shown. "First sync" is
one sync before those with nothing remembered (`cache_dir` emptied): it scans every tab,
as the first sync of a workbook on a machine does; the runs after it find every tab's
scan remembered, as a sync after an edit does for every tab the edit left alone.
"read", "validate", "compute" and "write" are the engine's own timings; "start-up" is from
launching the process to the sync's start (Python, imports, configuration; the workbook
is read on a thread meanwhile, `sync.cli.read_early`, so "read" is only what is left of
the read once the engine has loaded), "summary and exit" from the sync's end to the
process's exit (the printed summary; the memory is left to the system, `sync/program.py`).
The naive openpyxl script runs in a fresh process too. "On Sheets" is the same
workbook's input tabs and Stage Log in the Sheets API emulator on loopback, run in a
process of its own as Google's servers would be: the product's re-sync of a spreadsheet
it synced once against the naive gspread script, each timed in the benchmark's process.

{size_table(results)}

Compute split by computed tab (seconds; the Stage Log's share includes the As Of cut and
the revenue lines; the stints Funnel and Deal Health share count in the Funnel's; Customer
Segments' includes its order history, worked out before the other tabs):

{compute_table(results)}
"""


def write_docs(text: str, path: Path = PAGE) -> None:
    """Replace (or add after the first section) this benchmark's section of the page."""
    replace_section(SECTION, text, path, first=True)


def main() -> None:
    """Build the workbooks, measure each, print and record the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=DEFAULT_SIZES)
    parser.add_argument("--no-uci", action="store_true", help="leave out the UCI workbook")
    parser.add_argument("--no-sheets", action="store_true", help="leave out the Sheets paths")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument("--quick", action="store_true",
                        help="size 1 once, print only (a check that it runs)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.no_uci, args.repeat, args.no_docs = [1], True, 1, True
    args.cache.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    load_before = f"{os.getloadavg()[0]:.1f}"
    results: list[Measured] = []
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        workbooks = [(f"demo --size {size}", demo_workbook(args.cache, size))
                     for size in args.sizes]
        if not args.no_uci:
            workbooks.append(("UCI Online Retail (Orders)", uci_workbook(args.cache)))
        for label, workbook in workbooks:
            results.append(measure(label, workbook, args.repeat, folder, not args.no_sheets))
            print(size_table(results), flush=True)
    print()
    print(compute_table(results))
    default = args.sizes == DEFAULT_SIZES and not args.no_uci and args.repeat == 5
    command = COMMAND if default else " ".join(
        [COMMAND, *sys.argv[1:]])
    if not args.no_docs:
        write_docs(section(results, command, (load_before, f"{os.getloadavg()[0]:.1f}")))


if __name__ == "__main__":
    main()
