"""The `salesops` program (`sync.program:run`): the command's exit status, its output
complete, and everything Python does at exit still done, though the interpreter is not
torn down object by object.

Each case runs the program in a fresh process, as the installed `salesops` script does.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from sync import __version__
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.program import exit_status

ROOT = Path(__file__).resolve().parent.parent


def _program(*arguments: str, before: str = "", cwd: Path | None = None
             ) -> subprocess.CompletedProcess[str]:
    """`salesops ARGUMENTS`, with the Python code `before` run first in the same process."""
    code = f"{before}\nfrom sync.program import run\nrun()"
    return subprocess.run(
        [sys.executable, "-c", code, *arguments],
        capture_output=True, text=True, timeout=300, check=False, cwd=cwd,
    )


def test_the_installed_salesops_script_runs_the_program():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["salesops"] == "sync.program:run"


def test_a_command_s_output_and_status_are_kept():
    done = _program("--version")
    version = f"salesops, version {__version__}\n"
    assert (done.returncode, done.stdout, done.stderr) == (0, version, "")


def test_a_command_line_mistake_keeps_its_status_and_message():
    done = _program("sink")
    assert done.returncode == 1
    assert "No such command 'sink'" in done.stderr


def test_check_s_status_for_errors_in_the_workbook_is_kept(tmp_path):
    # A Pipeline row whose stage is not a stage is an Error issue: check exits 2.
    grids = demo_grids(1, 7, today=date(2026, 11, 26))
    pipeline = [list(row) for row in grids["Pipeline"][:6]]
    stage = pipeline[0].index("Stage")
    pipeline[1][stage] = "Nowhere"
    path = tmp_path / "errors.xlsx"
    write_input_workbook(path, {**grids, "Pipeline": pipeline})
    done = _program("check", str(path))
    assert done.returncode == 2, done.stderr
    assert "Nowhere" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("Time")  # the summary's last line


def test_a_full_sync_s_summary_reaches_a_pipe_whole(tmp_path):
    path = tmp_path / "demo.xlsx"
    made = _program("demo", str(path))
    assert made.returncode == 0, made.stderr
    done = _program("sync", str(path))
    assert done.returncode == 0, done.stderr
    firsts = [line.split()[0] for line in done.stdout.splitlines() if line[:1].strip()]
    assert firsts == ["Read", "Issues", "Wrote", "As", "Time"]  # the summary, to its last line


def test_exit_handlers_run_before_the_process_ends():
    done = _program("--version", before="import atexit\natexit.register(print, 'handler ran')")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"salesops, version {__version__}", "handler ran"]


def test_a_thread_still_running_is_waited_for():
    before = ("import threading, time\n"
              "def late(): time.sleep(0.5); print('thread finished')\n"
              "threading.Thread(target=late).start()")
    done = _program("--version", before=before)
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "thread finished"


@pytest.mark.parametrize(("code", "status", "printed"), [
    (None, 0, ""),
    (0, 0, ""),
    (2, 2, ""),
    ("Stopped: the workbook is open elsewhere", 1, "Stopped: the workbook is open elsewhere\n"),
])
def test_exit_status_is_python_s_for_each_kind_of_exit_code(code, status, printed, capsys):
    assert exit_status(code) == status
    assert capsys.readouterr().err == printed
