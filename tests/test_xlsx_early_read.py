"""A workbook read started early (`XlsxBackend.read_ahead`), on a thread, while the command
loads the engine: what the sync's `read` then returns, raises and records is what a read
at that moment would have, and the CLI reads each workbook once.
"""

from __future__ import annotations

import gc
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from sync.backends.xlsx import backend as backend_module
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.cli import main
from sync.collector import collector_paused
from sync.demo.workbook import demo_grids
from sync.errors import NotAWorkbookError, WorkbookChangedError, WorkbookError
from sync.i18n import writing_in
from sync.schema import tabs_read
from tests.xlsx_support import funnel_output


def _demo(path: Path) -> Path:
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    return path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each read of a workbook file ran on."""
    threads: list[str] = []
    real = backend_module.read_tabs

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - read_tabs' own signature
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(backend_module, "read_tabs", counted)
    return threads


def test_a_read_started_early_gives_the_grids_a_read_now_gives(tmp_path, reads):
    path = _demo(tmp_path / "demo.xlsx")
    early = XlsxBackend(path)
    early.read_ahead(tabs_read())
    grids = early.read(tabs_read())
    assert grids == XlsxBackend(path).read(tabs_read())
    assert reads == ["xlsx-early-read", "MainThread"]
    assert early.read_state is not None


def test_a_read_of_other_tabs_than_those_started_reads_them_now(tmp_path, reads):
    path = _demo(tmp_path / "demo.xlsx")
    backend = XlsxBackend(path)
    backend.read_ahead(["Orders"])
    assert list(backend.read(["Team", "Goals"])) == ["Team", "Goals"]
    assert reads.count("MainThread") == 1
    # the early read is dropped, not kept for a later read
    assert list(backend.read(["Orders"])) == ["Orders"]
    assert reads.count("MainThread") == 2


def test_what_goes_wrong_in_a_read_started_early_is_raised_by_the_read(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    backend = XlsxBackend(path)
    backend.read_ahead(tabs_read())
    with pytest.raises(NotAWorkbookError, match="is not an .xlsx workbook") as early:
        backend.read(tabs_read())
    with pytest.raises(NotAWorkbookError) as now:
        XlsxBackend(path).read(tabs_read())
    assert str(early.value) == str(now.value)


def test_a_read_started_early_speaks_the_operator_s_language(tmp_path):
    missing = tmp_path / "没有.xlsx"
    backend = XlsxBackend(missing)
    backend.default_locale = "zh-CN"  # config.yaml's locale, as open_backend sets it
    backend.read_ahead(tabs_read())
    with pytest.raises(WorkbookError) as early:
        backend.read(tabs_read())
    assert str(early.value).startswith(f"{missing} 不存在")
    # what the engine's own read speaks
    with writing_in("zh-CN"), pytest.raises(WorkbookError) as now:
        XlsxBackend(missing).read(tabs_read())
    assert str(early.value) == str(now.value)


def test_a_save_after_the_read_started_makes_the_write_refuse(tmp_path):
    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    backend = XlsxBackend(path)
    backend.read_ahead(["Sheet"])
    backend.read(["Sheet"])  # taken once the early read is done
    owners_version = Workbook()
    owners_version.active["A1"] = "typed after the read began"
    owners_version.save(path)
    with pytest.raises(WorkbookChangedError, match="changed while the sync was running"):
        backend.write([funnel_output()])


def test_the_cli_reads_the_workbook_once_and_early(tmp_path, reads):
    path = _demo(tmp_path / "demo.xlsx")
    done = CliRunner().invoke(main, ["sync", str(path)])
    assert done.exit_code == 0, done.output
    assert reads == ["xlsx-early-read"]
    done = CliRunner().invoke(main, ["check", str(path)])
    assert done.exit_code == 2, done.output  # the demo has Error issues on purpose
    assert reads == ["xlsx-early-read"] * 2


def test_the_collector_is_back_once_the_last_of_two_threads_lets_go():
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def early_read() -> None:
        with collector_paused():
            inside.set()
            leave.wait(30)

    thread = threading.Thread(target=early_read)
    thread.start()
    inside.wait(30)
    assert not gc.isenabled()
    with collector_paused():
        leave.set()
        thread.join(30)
        assert not gc.isenabled()  # the sync still holds it
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
