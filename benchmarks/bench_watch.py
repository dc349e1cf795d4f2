"""Save-to-synced time of `salesops watch`, for a local workbook and a Google spreadsheet.

Local file: the demo workbook under a real `salesops watch` process; each round replaces
the file with a copy whose D-0001 Amount differs (prepared beforehand, renamed over it the
way editors save) and times from the rename to the watch's `synced` line.

Google sheet: the demo business in the Sheets API emulator, a `watch --sheet` in a thread;
each round types a new Amount through the API and times until the watch's `synced` line.
The expected time is about half the interval (the wait for the next poll) plus the
debounce plus the sync.

    .venv/bin/python benchmarks/bench_watch.py --rounds 5 --debounce 1 --interval 2
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from watch_support import OWNER_SAVE, WatchProcess  # noqa: E402

from sync.demo.workbook import demo_grids, write_demo_workbook  # noqa: E402

Round = tuple[float, float]  # save to synced line, and the sync's own seconds in it


def sync_seconds(line: str) -> float:
    """The seconds the sync itself took, as its line says."""
    found = re.search(r": synced in ([0-9.]+) s", line)
    assert found, line
    return float(found.group(1))


def file_rounds(rounds: int, debounce: float) -> list[Round]:
    """Seconds from each save (a rename over the workbook) to the watch's sync line."""
    folder = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    try:
        path = folder / "sales.xlsx"
        write_demo_workbook(path)
        drafts = folder / "drafts"
        drafts.mkdir()
        prepared = []
        for number in range(rounds):
            draft = Path(shutil.copy(path, drafts / f"save{number}.xlsx"))
            subprocess.run([sys.executable, "-c", OWNER_SAVE, str(draft), str(10_000 + number),
                            "inplace"], check=True)
            prepared.append(draft)
        watch = WatchProcess(str(path), cwd=folder,
                             env={"SALESOPS_DEBOUNCE_SECONDS": f"{debounce:g}"})
        try:
            watch.wait_for("at start: synced")
            seconds = []
            for draft in prepared:
                time.sleep(debounce + 0.5)  # let the previous round's own write settle
                started = time.perf_counter()
                os.replace(draft, path)
                line = watch.wait_for(": synced in ")
                seconds.append((time.perf_counter() - started, sync_seconds(line)))
            watch.interrupt()
        finally:
            watch.kill()
        return seconds
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sheet_rounds(rounds: int, debounce: float, interval: float) -> list[Round]:
    """Seconds from each edit through the API to the watch's sync line."""
    from tests.sheets_emulator.fixtures import CLIENT_EMAIL, make_private_key, write_key_file
    from tests.sheets_emulator.server import SheetsEmulator

    key = make_private_key()
    emulator = SheetsEmulator(key.public_key(), keep_bodies=False).start()
    folder = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    try:
        key_path = write_key_file(folder / "key.json", key, emulator.token_uri, CLIENT_EMAIL)
        os.environ.update(
            SALESOPS_GOOGLE_CREDENTIALS=str(key_path), SALESOPS_SHEETS_API_URL=emulator.url,
            SALESOPS_DRIVE_API_URL=emulator.url, SALESOPS_DEBOUNCE_SECONDS=f"{debounce:g}",
        )
        sheet = "bench-watch"
        emulator.create(sheet, tabs=demo_grids(), editors=(CLIENT_EMAIL,))
        from sync.backends.sheets.auth import load_key, open_client
        from sync.config import load_config
        from sync.watch import watch_spreadsheet

        lines: queue.Queue[str] = queue.Queue()
        stop = threading.Event()
        thread = threading.Thread(
            target=watch_spreadsheet, args=(sheet, load_config()),
            kwargs={"say": lines.put, "interval": interval, "stop": stop}, daemon=True,
        )
        thread.start()
        while ": synced in " not in lines.get(timeout=300):
            pass
        pipeline = open_client(load_key(key_path), emulator.url).open_by_key(sheet).worksheet(
            "Pipeline"
        )
        seconds = []
        for number in range(rounds):
            started = time.perf_counter()
            pipeline.update_acell("F2", 20_000 + number)
            while ": synced in " not in (line := lines.get(timeout=300)):
                pass
            seconds.append((time.perf_counter() - started, sync_seconds(line)))
        stop.set()
        thread.join(timeout=300)
        return seconds
    finally:
        emulator.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--debounce", type=float, default=1.0)
    parser.add_argument("--interval", type=float, default=2.0)
    options = parser.parse_args()
    rows = [
        ("local file", file_rounds(options.rounds, options.debounce)),
        (f"Google sheet, --interval {options.interval:g}",
         sheet_rounds(options.rounds, options.debounce, options.interval)),
    ]
    print("| watched | debounce (s) | rounds | save to synced, p50 (s) | min (s) | max (s) "
          "| the sync itself, p50 (s) | waiting (debounce, poll, notice), p50 (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, measured in rows:
        total = [whole for whole, _ in measured]
        syncing = [own for _, own in measured]
        waiting = [whole - own for whole, own in measured]
        print(f"| {name} | {options.debounce:g} | {len(measured)} | "
              f"{statistics.median(total):.2f} | {min(total):.2f} | {max(total):.2f} | "
              f"{statistics.median(syncing):.2f} | {statistics.median(waiting):.2f} |")

if __name__ == "__main__":
    main()
