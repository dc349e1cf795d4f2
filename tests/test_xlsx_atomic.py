"""A sync killed at any moment leaves the owner's workbook as it was, and openable."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from sync.backends.xlsx.backend import TEMP_SUFFIX, XlsxBackend
from sync.backends.xlsx.file import temp_beside
from sync.backends.xlsx.guard import check_workbook_file
from tests.xlsx_support import funnel_output

TESTS = Path(__file__).parent
ROOT = TESTS.parent
BIG_PLAN_ROWS = 150_000  # several seconds of work, so every kill lands mid-write

CHILD = f"""
import sys
from tests.xlsx_support import funnel_output
from sync.backends.xlsx.backend import XlsxBackend
output = funnel_output({BIG_PLAN_ROWS})
print("writing", flush=True)
XlsxBackend(sys.argv[1]).write([output])
print("done", flush=True)
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8])
def test_a_killed_sync_leaves_the_workbook_unchanged(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "sales.xlsx"
    workbook = Workbook()
    workbook.active.title = "Orders"
    workbook.active.append(["Order ID", "Amount"])
    workbook.active.append(["O-1", 120.0])
    workbook.save(path)
    original = digest(path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    time.sleep(delay)  # a pause before the kill, not a timing assertion
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()

    assert child.returncode == -signal.SIGKILL
    assert digest(path) == original
    check_workbook_file(path)
    assert XlsxBackend(path).read(["Orders"])["Orders"] == [["Order ID", "Amount"], ["O-1", 120.0]]
    # Whatever was left behind is a temp file beside it, never the workbook itself.
    leftovers = {p.name for p in tmp_path.iterdir()} - {"sales.xlsx"}
    assert all(name.startswith(".sales.xlsx.") and name.endswith(TEMP_SUFFIX) for name in leftovers)


def test_an_interrupted_write_removes_its_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    original = digest(path)

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        XlsxBackend(path).write([funnel_output()])
    assert digest(path) == original
    assert [p.name for p in tmp_path.iterdir()] == ["sales.xlsx"]


def test_a_write_into_a_temp_file_leaves_temps_named_after_the_workbook(tmp_path: Path) -> None:
    # `salesops demo` builds the new demo in a temp file and writes the Stage Log into it:
    # a write killed there must leave a temp the next write of the workbook recognises.
    path = tmp_path / "demo.xlsx"
    with temp_beside(path) as outer:
        assert outer.name.startswith(".demo.xlsx.") and outer.name.endswith(TEMP_SUFFIX)
        with temp_beside(outer) as inner:
            assert inner.name.startswith(".demo.xlsx.") and inner.name.endswith(TEMP_SUFFIX)
            assert inner != outer
    # A leftover of either kind an hour old is cleared by the next write of the workbook.
    stale = [tmp_path / f".demo.xlsx.k3x9q.{TEMP_SUFFIX.lstrip('.')}",
             tmp_path / f".demo.xlsx.a1b2c.{TEMP_SUFFIX.lstrip('.')}"]
    an_hour_ago = time.time() - 3601
    for leftover in stale:
        leftover.write_bytes(b"killed mid-write")
        os.utime(leftover, (an_hour_ago, an_hour_ago))
    with temp_beside(path):
        pass
    assert [p.name for p in tmp_path.iterdir()] == []


def test_the_workbook_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    path.chmod(0o640)
    XlsxBackend(path).write([funnel_output()])
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_save_by_the_owner_during_the_sync_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.backends.xlsx.package import Package
    from sync.errors import WorkbookError

    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    save = Package.save

    def owner_saves_meanwhile(self: Package, handle: object) -> None:
        owners_version = Workbook()
        owners_version.active["A1"] = "typed while syncing"
        owners_version.save(path)
        save(self, handle)

    monkeypatch.setattr(Package, "save", owner_saves_meanwhile)
    with pytest.raises(WorkbookError, match="changed while the sync was running"):
        XlsxBackend(path).write([funnel_output()])
    assert XlsxBackend(path).read(["Sheet"])["Sheet"] == [["typed while syncing"]]
    assert [p.name for p in tmp_path.iterdir()] == ["sales.xlsx"]


def test_figures_read_from_an_older_save_are_never_written(tmp_path: Path) -> None:
    from sync.errors import WorkbookChangedError

    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    backend = XlsxBackend(path)
    backend.read(["Sheet"])  # the sync reads ...
    owners_version = Workbook()
    owners_version.active["A1"] = "typed after the read"
    owners_version.save(path)  # ... the owner saves ...
    saved = digest(path)
    with pytest.raises(WorkbookChangedError, match="changed while the sync was running"):
        backend.write([funnel_output()])  # ... and the figures of the old save are refused
    assert digest(path) == saved
    assert [p.name for p in tmp_path.iterdir()] == ["sales.xlsx"]


def test_the_write_records_the_file_it_leaves(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    backend = XlsxBackend(path)
    backend.read(["Sheet"])
    backend.write([funnel_output()])
    now = path.stat()
    assert backend.written_version == (now.st_size, now.st_mtime_ns, now.st_ino)
    backend.write([funnel_output()])  # a second write after our own is not a newer save


@pytest.mark.parametrize("lock", [".~lock.sales.xlsx#", "~$sales.xlsx"])
def test_writing_while_an_editor_has_the_workbook_open_only_when_asked(
    tmp_path: Path, lock: str
) -> None:
    from sync.errors import WorkbookLockedError

    path = tmp_path / "sales.xlsx"
    Workbook().save(path)
    (tmp_path / lock).write_text("owner", encoding="utf-8")
    with pytest.raises(WorkbookLockedError):
        XlsxBackend(path).write([funnel_output()])
    XlsxBackend(path, write_while_open=True).write([funnel_output()])
    assert "Funnel" in XlsxBackend(path).read(["Funnel"])
