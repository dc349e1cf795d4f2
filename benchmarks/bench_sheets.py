"""Sync a Google spreadsheet: the product's path against the naive gspread pattern.

    .venv/bin/python benchmarks/bench_sheets.py [--sizes 1 10 50] [--no-docs]

Everything runs on loopback against the Sheets API emulator of the test suite (real
gspread, google-auth and HTTP; no Google account). For each demo size the demo business's
input tabs are seeded in a fresh spreadsheet, then:
- **product, first sync**: `salesops sync --sheet`'s path (`SheetsBackend` +
  `sync_workbook`) into a spreadsheet without computed tabs;
- **product, re-sync unchanged**: the same again, nothing changed;
- **product, re-sync after an edit**: after the owner moves one open deal to the next
  stage;
- **naive, every sync**: what an owner's script would do with gspread: `get_all_records`
  per input tab, the same computation, then per computed tab `clear()` + `update()`
  (values only: no formats, no charts).
It reports API calls (token requests excluded), bytes sent, the largest request body,
cells written and seconds, and writes the table into docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

# The emulator lives in the test suite; make the project root importable when this file is
# run as a script.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gspread  # noqa: E402

from benchmarks.performance_page import PAGE, replace_section  # noqa: E402
from sync.backends.sheets.auth import load_key, open_client  # noqa: E402
from sync.backends.sheets.backend import SheetsBackend  # noqa: E402
from sync.demo.workbook import demo_grids  # noqa: E402
from sync.engine import compute_tabs, sync_workbook  # noqa: E402
from sync.read import validate_workbook  # noqa: E402
from sync.schema import input_tabs  # noqa: E402
from tests.sheets_emulator.fixtures import (  # noqa: E402
    CLIENT_EMAIL,
    make_private_key,
    write_key_file,
)
from tests.sheets_emulator.server import SheetsEmulator  # noqa: E402

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 0)
SHEET = "bench"
COMMAND = ".venv/bin/python benchmarks/bench_sheets.py"
DEFAULT_SIZES = [1, 10, 50]  # about 21 thousand, 210 thousand and 1 million input cells


@dataclass
class Run:
    """One measured sync."""

    size: int
    input_cells: int
    path: str
    calls: int
    bytes_sent: int
    largest_body: int
    cells_written: int
    seconds: float


def measure(emulator: SheetsEmulator, size: int, input_cells: int, path: str, sync) -> Run:
    """Run `sync` (which returns the cells it wrote) and read the emulator's counters."""
    emulator.reset_counters()
    started = time.perf_counter()
    cells = sync()
    seconds = time.perf_counter() - started
    records = emulator.api_records()
    return Run(
        size,
        input_cells,
        path,
        len(records),
        sum(r.request_bytes for r in records),
        max((r.request_bytes for r in records), default=0),
        cells,
        seconds,
    )


def product_sync(key_path: Path, api_url: str) -> int:
    """The product's sync: a fresh backend, as each `salesops sync --sheet` makes one."""
    report = sync_workbook(SheetsBackend(SHEET, key_path, api_url), now=NOW)
    return report.cells_written


def naive_sync(key_path: Path, api_url: str) -> int:
    """The common gspread script: records per tab in, clear + update per tab out."""
    client = open_client(load_key(key_path), api_url)
    spreadsheet = client.open_by_key(SHEET)
    grids = {}
    for spec in input_tabs():
        try:
            records = spreadsheet.worksheet(spec.tab).get_all_records()
        except gspread.WorksheetNotFound:
            continue
        headers = list(records[0]) if records else []
        grids[spec.tab] = [headers, *([record[h] for h in headers] for record in records)]
    tables, issues = validate_workbook(grids, today=TODAY)
    computed = compute_tabs(tables, issues, NOW)
    written = 0
    for output in computed.outputs:
        values = [output.headers, *([_plain(v) for v in row] for row in output.rows)]
        try:
            worksheet = spreadsheet.worksheet(output.name)
            worksheet.clear()
        except gspread.WorksheetNotFound:
            worksheet = spreadsheet.add_worksheet(
                output.name, rows=len(values) + 100, cols=len(output.columns)
            )
        if worksheet.row_count < len(values):
            worksheet.resize(rows=len(values) + 100)
        worksheet.update(values, "A1")
        written += sum(len(row) for row in values)
    return written


def _plain(value):
    """A cell value as JSON can carry it (gspread sends what json.dumps accepts)."""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return value


def edit_one_deal(emulator: SheetsEmulator) -> None:
    """The owner moves the first open deal in Pipeline to the next stage."""
    sheet = emulator.book(SHEET).sheet("Pipeline")
    stage = sheet.rows[0].index("Stage")
    steps = {"Lead": "Qualified", "Qualified": "Proposal", "Proposal": "Negotiation"}
    for row in range(1, len(sheet.rows)):
        current = sheet.value(row, stage)
        if current in steps:
            sheet.set_value(row, stage, steps[current])
            return


def bench_size(size: int, key_path: Path, emulator: SheetsEmulator) -> list[Run]:
    """Every path at one demo size, each on a freshly seeded spreadsheet."""
    grids = demo_grids(size, 7, today=TODAY)
    input_cells = sum(len(row) for grid in grids.values() for row in grid)
    runs: list[Run] = []

    def record(path: str, sync) -> None:
        runs.append(measure(emulator, size, input_cells, path, sync))

    def product() -> int:
        return product_sync(key_path, emulator.url)

    def naive() -> int:
        return naive_sync(key_path, emulator.url)

    emulator.create(SHEET, grids, editors=(CLIENT_EMAIL,))
    record("product, first sync", product)
    record("product, re-sync unchanged", product)
    edit_one_deal(emulator)
    record("product, re-sync after an edit", product)
    emulator.create(SHEET, grids, editors=(CLIENT_EMAIL,))
    naive()  # creates the computed tabs; every later sync costs the same
    record("naive gspread, every sync", naive)
    return runs


def table(runs: list[Run]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| demo size | input cells | path | API calls | bytes sent | largest body "
        "| cells written | seconds |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.size} | {run.input_cells:,} | {run.path} | {run.calls} | "
            f"{run.bytes_sent:,} | {run.largest_body:,} | {run.cells_written:,} | "
            f"{run.seconds:.1f} |"
        )
    return "\n".join(lines)


SECTION_INTRO = """## Google Sheets

Measured through the Sheets API emulator of the test suite on loopback (real gspread,
google-auth and HTTP), so the seconds are this machine's CPU (2 cores; they vary with its
load by a factor of two or more), not Google's latency: on the real API each call adds
roughly 0.2-1 s of round trip, and the per-minute quotas count calls. The calls, bytes
and cells are what Google would receive. Command:

    COMMAND

TABLE

- The product's sync is 3 calls: one `spreadsheets.get`, one `values:batchGet` (every
  input and computed tab), one `batchUpdate`; an unchanged re-sync sends no `batchUpdate`
  at all, and an edit sends only the cells it changes (each `updateCells` covers a block
  of changed rows). The first sync also writes formats, widths, the warning-only
  protections and the Dashboard's charts; a change above 2 MB is split into as few
  `batchUpdate` calls as needed (here only the first sync of the largest size: 5.4 MB
  in 3 bodies, the fewest under 2 MB each, so 5 calls in all).
- Cells written count the cells inside the ranges sent. The product leaves out the blank
  cells at the end of new rows; the naive `update` sends whole rectangles.
- The first sync sends more bytes than the naive `update`: `updateCells` names each
  cell's type (`{"userEnteredValue":{"stringValue":…}}`, so text such as `=IMPORTXML(…)`
  stays text) where `values.update` sends bare values, and it carries the formats and
  charts. Every later sync sends only what changed: nothing, or a few kilobytes after an
  edit, against the naive script's full rewrite each time.
- The naive script makes a `spreadsheets.get` per worksheet it opens, a `values.get` per
  input tab, and a `clear` + `update` per computed tab on every sync, rewriting every
  cell even when nothing changed, and it leaves numbers unformatted and no charts.
"""


def write_docs(section: str, path: Path = PAGE) -> None:
    """Replace (or add) the `## Google Sheets` section of docs/performance.md."""
    replace_section("## Google Sheets", section, path)


def main() -> None:
    """Parse arguments, run every size, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args()
    key = make_private_key()
    emulator = SheetsEmulator(key.public_key(), keep_bodies=False).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            key_path = write_key_file(
                Path(folder) / "service-account.json", key, emulator.token_uri, CLIENT_EMAIL
            )
            runs = []
            for size in args.sizes:
                runs.extend(bench_size(size, key_path, emulator))
                print(table(runs), flush=True)
    finally:
        emulator.stop()
    sizes = " ".join(map(str, args.sizes))
    command = COMMAND if args.sizes == DEFAULT_SIZES else f"{COMMAND} --sizes {sizes}"
    if not args.no_docs:
        write_docs(SECTION_INTRO.replace("COMMAND", command).replace("TABLE", table(runs)))


if __name__ == "__main__":
    main()
