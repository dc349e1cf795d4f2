"""The purchase models fitted in a process of their own: the same figures, and no process left.

A command that computes Customer Segments starts a fitting process (`sync/fitting.py`);
the fits and the predictions that need scipy run there. These tests run the real process
(spawned, over a real pipe) and compare its answers with in-process ones bit for bit.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sync.fitting
from sync.backends.xlsx.template import write_input_workbook
from sync.cli import main
from sync.compute.predictions import (
    FitFailed,
    expected_orders,
    fit_bgnbd,
    fit_gamma_gamma,
    scipy_runner,
    started_on_scipy_runner,
)
from sync.compute.revenue import revenue_lines
from sync.compute.segments import customer_segments, purchase_history
from sync.demo.workbook import demo_grids
from sync.fitting import FittingProcess, fitting_on_another_core, usable_cpus
from sync.read import validate_workbook
from tests.real_datasets import cdnow_history

TODAY = date(2026, 11, 26)
needs_two_cpus = pytest.mark.skipif(
    usable_cpus() < 2, reason="a fitting process is started only with a second CPU to run on")


def demo_tables():
    tables, _issues = validate_workbook(demo_grids(1, 7, today=TODAY), today=TODAY)
    return tables


def demo_history() -> pd.DataFrame:
    """The demo business's customers who bought, summarised at its As Of."""
    tables = demo_tables()
    revenue = revenue_lines(tables)
    as_of = pd.Timestamp(tables.settings.as_of)
    named = revenue[revenue["customer_key"].notna() & revenue["date"].notna()]
    history = purchase_history(named[named["date"].dt.normalize() <= as_of], as_of)
    return history.dropna(subset=["first_order"])


def fits(history: pd.DataFrame) -> tuple:
    """Both models' parameters and the expected orders over 90 days, wherever they run."""
    x, t_x, T = (history[column].to_numpy() for column in ("x", "t_x", "T"))
    orders_model = fit_bgnbd(x, t_x, T)
    value_model = fit_gamma_gamma(x, history["repeat_spend"].to_numpy())
    return orders_model, value_model, expected_orders(orders_model, x, t_x, T, 90)


@needs_two_cpus
@pytest.mark.parametrize("history_of", [demo_history, cdnow_history])
def test_fits_are_bit_for_bit_the_same_in_the_fitting_process(history_of):
    history = history_of()
    here = fits(history)
    with fitting_on_another_core() as process:
        assert process is not None
        there = fits(history)
    # == on the frozen dataclasses compares every float exactly, not approximately
    assert there[0] == here[0]
    assert there[1] == here[1]
    assert np.array_equal(there[2], here[2])
    assert here[0].r != 1.0  # a real fit, not the starting point


@needs_two_cpus
def test_demo_customer_segments_are_the_same_with_the_fitting_process():
    tables = demo_tables()
    revenue = revenue_lines(tables)
    here, here_issues = customer_segments(tables, revenue)
    with fitting_on_another_core() as process:
        assert process is not None
        there, there_issues = customer_segments(tables, revenue)
    assert here["Predicted Value"].notna().sum() == 100  # the 100 of 120 customers who bought
    pd.testing.assert_frame_equal(there, here, check_exact=True)
    assert there_issues == here_issues


@needs_two_cpus
def test_the_fits_run_in_the_fitting_process():
    with fitting_on_another_core() as process:
        assert process is not None
        assert scipy_runner.get() == process.run
        pid = process.run(os.getpid)
    assert pid == process.pid != os.getpid()
    assert scipy_runner.get() is None


@needs_two_cpus
@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities on this platform")
def test_the_fitting_process_runs_at_the_lowest_priority():
    # 19 above this process's niceness (at most 19): it takes only CPU the command leaves idle
    with fitting_on_another_core() as process:
        assert process is not None
        niceness_there = process.run(os.nice, 0)
    assert niceness_there == min(os.nice(0) + 19, 19)


def _waits_for(path: str) -> str:
    """In the fitting process: wait until `path` exists (at most a minute)."""
    for _tick in range(600):
        if os.path.exists(path):
            return f"saw {os.path.basename(path)} in process {os.getpid()}"
        time.sleep(0.1)
    raise TimeoutError(path)


@needs_two_cpus
def test_work_started_on_the_fitting_process_runs_while_the_command_goes_on(tmp_path):
    # The fitting process waits for a file that this process writes only once the start
    # has returned: had the start waited for the answer, neither could go on.
    signal_file = tmp_path / "go"
    with fitting_on_another_core() as process:
        assert process is not None
        answer = started_on_scipy_runner(_waits_for, str(signal_file))
        signal_file.write_text("go", encoding="utf-8")
        assert answer() == f"saw go in process {process.pid}"


@needs_two_cpus
def test_a_fit_started_on_the_fitting_process_that_fails_raises_where_it_is_awaited():
    with fitting_on_another_core():
        answer = started_on_scipy_runner(fit_bgnbd, [0, 0, 0], [0, 0, 0], [5, 6, 7])
        with pytest.raises(FitFailed, match="bought twice"):
            answer()


def test_without_a_fitting_process_started_work_is_done_at_once():
    calls = []
    answer = started_on_scipy_runner(lambda value: calls.append(value) or value * 2, 21)
    assert calls == [21]  # done before anyone waited for it
    assert answer() == 42


@needs_two_cpus
def test_a_failed_fit_is_the_same_failure_from_the_fitting_process():
    with fitting_on_another_core(), pytest.raises(FitFailed, match="bought twice"):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [5, 6, 7])


def _raises_outside_the_main_process() -> str:
    if multiprocessing.parent_process() is not None:
        raise RuntimeError("only in the fitting process")
    return "fitted here"


@needs_two_cpus
def test_an_error_in_the_fitting_process_falls_back_to_fitting_here(caplog):
    caplog.set_level(logging.DEBUG, logger="sync.fitting")
    with fitting_on_another_core() as process:
        assert process is not None
        assert process.run(_raises_outside_the_main_process) == "fitted here"
        # once failed, it is stopped and everything after runs here too
        assert process.run(os.getpid) == os.getpid()
    assert "only in the fitting process" in caplog.text


@needs_two_cpus
def test_a_crashed_fitting_process_falls_back_to_fitting_here(caplog):
    caplog.set_level(logging.DEBUG, logger="sync.fitting")
    history = cdnow_history()
    here = fits(history)
    with fitting_on_another_core() as process:
        assert process is not None and process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        there = fits(history)
    assert there[:2] == here[:2]
    assert np.array_equal(there[2], here[2])
    assert "The fitting process failed" in caplog.text


def test_a_fitting_process_without_an_interpreter_means_fitting_here(monkeypatch, caplog):
    # A spawned process starts this interpreter: make it one that does not exist. The
    # process then cannot start, or dies at once; either way the fit is made here.
    import multiprocessing.spawn

    history = cdnow_history()
    here = fits(history)
    monkeypatch.setattr(multiprocessing.spawn, "_python_exe", os.fsencode("/nonexistent/python3"))
    caplog.set_level(logging.DEBUG, logger="sync.fitting")
    with fitting_on_another_core():
        there = fits(history)
    assert there[:2] == here[:2]
    assert np.array_equal(there[2], here[2])
    if usable_cpus() > 1:
        assert "The fitting process" in caplog.text


def test_one_usable_cpu_fits_in_process(monkeypatch):
    monkeypatch.setattr(sync.fitting, "usable_cpus", lambda: 1)
    with fitting_on_another_core() as process:
        assert process is None
        assert scipy_runner.get() is None


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def started(monkeypatch) -> list[FittingProcess]:
    """Every fitting process the commands of a test start."""
    processes: list[FittingProcess] = []

    class Recorded(FittingProcess):
        def __init__(self) -> None:
            super().__init__()
            processes.append(self)

    monkeypatch.setattr(sync.fitting, "FittingProcess", Recorded)
    return processes


@needs_two_cpus
def test_the_fitting_process_is_gone_after_a_sync(tmp_path, started):
    path = tmp_path / "demo.xlsx"
    write_input_workbook(path, demo_grids(1, 7, today=TODAY))
    result = CliRunner().invoke(main, ["sync", str(path)])
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    assert started[0].pid is not None and _gone(started[0].pid)


@needs_two_cpus
def test_the_fitting_process_is_gone_after_a_command_that_failed(tmp_path, started):
    result = CliRunner().invoke(main, ["sync", str(tmp_path / "missing.xlsx")])
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert len(started) == 1
    assert started[0].pid is not None and _gone(started[0].pid)


def _processes_marked(marker: str) -> list[int]:
    """Processes whose environment holds the marker (a command and what it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@needs_two_cpus
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's /proc")
def test_ctrl_c_stops_the_command_and_its_fitting_process(tmp_path):
    path = tmp_path / "demo.xlsx"
    write_input_workbook(path, demo_grids(4, 7, today=TODAY))
    marker = f"SALESOPS_TEST_MARK=ctrl-c-{os.getpid()}-{time.monotonic_ns()}"
    name, value = marker.split("=")
    command = subprocess.Popen(
        [sys.executable, "-c", "from sync.cli import main; main()", "sync", str(path)],
        env={**os.environ, name: value}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until the fitting process is up (a process marked, other than the command).
    while command.poll() is None and not set(_processes_marked(marker)) - {command.pid}:
        time.sleep(0.01)
    assert command.poll() is None, "the sync ended before its fitting process was seen"
    command.send_signal(signal.SIGINT)
    _out, err = command.communicate(timeout=120)
    assert command.returncode != 0
    assert "Traceback" not in err
    # What the command started goes with it (the pipe's other end closes at its exit).
    deadline = time.monotonic() + 60
    while _processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_marked(marker) == []
