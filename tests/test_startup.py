"""Start-up: `salesops --help` and a small sync import only what they use.

Each command runs in a fresh Python process; the test lists which heavy packages ended up
in `sys.modules`. scipy loads only when a purchase model is fitted (enough repeat
customers), and then in the fitting process on another core when there is one
(`sync/fitting.py`); the Google Sheets stack only for `--sheet`, Flask and the queue only
for the server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.fitting import usable_cpus

HEAVY = (
    "scipy", "gspread", "googleapiclient", "google.auth", "google.oauth2", "flask",
    "werkzeug", "waitress", "huey", "redis", "openpyxl",
)
# What `salesops --help` has no use for either: the engine's data stack, the settings'
# validation, the printing of results.
NOT_FOR_HELP = ("pandas", "numpy", "pydantic", "yaml", "rich", "multiprocessing")
# The configuration's layers (pydantic-settings, which brings asyncio and dotenv): read by
# every command, but not by `salesops --help`.
NOT_FOR_SETTINGS = ("pydantic_settings", "asyncio", "dotenv")

PROBE = """
import json, os, sys
if {one_cpu!r}:
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:1])
from sync.cli import main
sys.argv = ["salesops", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
heavy = {heavy!r}
print(json.dumps({{"code": code, "loaded": [m for m in heavy if m in sys.modules]}}))
"""


def _loaded(*arguments: str, one_cpu: bool = False, heavy: tuple[str, ...] = HEAVY) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=heavy, one_cpu=one_cpu), *arguments],
        capture_output=True, text=True, timeout=300, check=False,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def _small_workbook(path: Path) -> None:
    """The demo's input tabs cut to their first 25 data rows: too few repeat customers to
    fit a purchase model."""
    grids = demo_grids(1, 7, today=date(2026, 11, 26))
    write_input_workbook(path, {tab: grid[:26] for tab, grid in grids.items()})


def test_help_loads_nothing_heavy() -> None:
    found = _loaded("--help", heavy=HEAVY + NOT_FOR_HELP + NOT_FOR_SETTINGS)
    assert found == {"code": 0, "loaded": []}


def test_a_command_s_help_loads_nothing_heavy() -> None:
    # A command's help reads the configuration (its locale), and nothing more.
    found = _loaded("sync", "--help", heavy=HEAVY + ("pandas", "numpy"))
    assert found == {"code": 0, "loaded": []}


def test_a_small_sync_loads_no_scipy_no_sheets_stack_no_server(tmp_path: Path) -> None:
    path = tmp_path / "small.xlsx"
    _small_workbook(path)
    # http and urllib: nothing on the way to a local file goes on the network
    found = _loaded("sync", str(path), heavy=HEAVY + ("http", "urllib.request"))
    assert found == {"code": 0, "loaded": []}


@pytest.mark.skipif(usable_cpus() < 2, reason="needs a second CPU for the fitting process")
def test_a_sync_that_fits_the_purchase_model_leaves_scipy_to_the_fitting_process(
    tmp_path: Path,
) -> None:
    path = tmp_path / "demo.xlsx"
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    found = _loaded("sync", str(path))
    assert found == {"code": 0, "loaded": []}


def test_a_sync_that_fits_the_purchase_model_on_one_cpu_loads_scipy(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    found = _loaded("sync", str(path), one_cpu=True)
    assert found == {"code": 0, "loaded": ["scipy"]}
