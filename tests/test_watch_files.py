"""`salesops watch PATH`: a real workbook, saved by other processes (and LibreOffice),
synced once after each save and never after its own write."""

from __future__ import annotations

import errno
import shutil
import signal
import threading
from pathlib import Path

import pytest
from watch_support import (
    WatchProcess,
    funnel_amount,
    owner_saves,
    tiny_workbook,
)

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.read import read_tabs
from sync.engine import sync_workbook
from sync.errors import WorkbookError
from sync.watch.files import WorkbookWatch, refused_by_system
from tests.xlsx_support import convert

DEBOUNCE = {"SALESOPS_DEBOUNCE_SECONDS": "0.3", "SALESOPS_LOG_LEVEL": "DEBUG"}
OWN_WRITE = "changed by our own write: not synced again"


@pytest.fixture
def watched(tmp_path: Path):
    """A tiny workbook and a `salesops watch` process on it, synced once at start."""
    path = tiny_workbook(tmp_path)
    watch = WatchProcess(str(path), cwd=tmp_path, env=DEBOUNCE)
    try:
        watch.wait_for("sales.xlsx at start: synced")
        watch.wait_for(OWN_WRITE, stream="err")
        yield path, watch
    finally:
        watch.kill()


@pytest.mark.parametrize("how", ["rename", "inplace"])
def test_each_save_by_another_program_is_synced_once(watched, how):
    path, watch = watched
    # Funnel All/Lead Amount is D-1's Amount: 1,000 at start.
    assert funnel_amount(path, "Lead") == 1000
    for amount in (1500, 1750):
        owner_saves(path, amount, how)
        # (Were an in-place save read half-written, the watch would say "saved again during
        # the sync", write nothing, and sync once the save is whole: that is not a sync.)
        line = watch.wait_for(": synced in ")
        assert line.split(" ", 1)[1].startswith("sales.xlsx saved: synced in "), line
        assert "cells written" in line, line
        # The sync's own write is seen as a change of the file, and ignored.
        watch.wait_for(OWN_WRITE, stream="err")
        # D-1 is the only Lead deal: the Lead Amount is the amount just saved.
        assert funnel_amount(path, "Lead") == amount
        assert funnel_amount(path, "Proposal") == 2000  # D-2 unchanged
    assert watch.interrupt() == 0
    syncs = [line for line in watch.stdout_lines() if ": synced in " in line]
    assert len(syncs) == 3  # at start, then one per save: none after our own writes
    assert not [line for line in watch.stdout_lines() if "not synced" in line]
    assert watch.stdout_lines()[-1] == "Stopped watching sales.xlsx after 3 syncs."
    # The owner's input is intact: the sync never writes an input tab.
    assert read_tabs(path, ["Pipeline"])["Pipeline"][1][5] == 1750
    assert sorted(p.name for p in path.parent.iterdir()) == ["sales.xlsx"]


@pytest.mark.libreoffice
def test_a_save_by_headless_libreoffice_is_synced_once(watched, tmp_path):
    path, watch = watched
    # The owner edits a copy elsewhere; LibreOffice saves it into the watched folder.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    draft = Path(shutil.copy(path, elsewhere / "sales.xlsx"))
    owner_saves(draft, 4000)
    convert(draft, "xlsx", path.parent)
    line = watch.wait_for(": synced in ")
    assert line.split(" ", 1)[1].startswith("sales.xlsx saved: synced in "), line
    watch.wait_for(OWN_WRITE, stream="err")
    assert funnel_amount(path, "Lead") == 4000  # D-1's Amount as LibreOffice saved it
    assert watch.interrupt() == 0
    assert len([line for line in watch.stdout_lines() if ": synced in " in line]) == 2


@pytest.mark.parametrize(
    ("lock", "advice"),
    [
        (".~lock.sales.xlsx#", "LibreOffice has the workbook open: reload it there"),
        ("~$sales.xlsx", "Excel has the workbook open: close it and open it again"),
    ],
)
def test_a_workbook_open_in_an_editor_is_still_synced_and_the_owner_told_to_reload(
    watched, lock, advice
):
    path, watch = watched
    (path.parent / lock).write_text("owner,host,1234;", encoding="utf-8")
    owner_saves(path, 1200)
    line = watch.wait_for("sales.xlsx saved")
    assert ": synced in " in line and advice in line, line
    assert funnel_amount(path, "Lead") == 1200
    assert (path.parent / lock).exists()  # the editor's lock file is left alone
    assert watch.interrupt() == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "terminate"])
def test_ctrl_c_or_terminate_exits_0(tmp_path, stop):
    path = tiny_workbook(tmp_path)
    watch = WatchProcess(str(path), cwd=tmp_path, env=DEBOUNCE)
    try:
        watch.wait_for("Watching ")
        watch.wait_for("at start: synced")
        assert watch.interrupt(stop) == 0
    finally:
        watch.kill()
    assert watch.stdout_lines()[-1] == "Stopped watching sales.xlsx after 1 sync."
    assert not [line for line in watch.seen if "Traceback" in line]


def test_a_path_that_is_not_a_workbook_is_an_error(tmp_path):
    (tmp_path / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    watch = WatchProcess("notes.xlsx", cwd=tmp_path)
    try:
        assert watch.process.wait(timeout=60) == 1
        watch.interrupt()
    finally:
        watch.kill()
    assert any(line.startswith("err: Error: notes.xlsx is not an .xlsx workbook") for line in
               watch.seen), watch.seen


# ---- in-process: what a watch does when the file changes under a sync ----------------------


def watch_of(path: Path, lines: list[str], **kwargs) -> WorkbookWatch:
    return WorkbookWatch(path, 0.2, 5.0, lines.append, **kwargs)


def test_a_save_during_the_sync_is_never_written_over(tmp_path):
    path = tiny_workbook(tmp_path)
    lines: list[str] = []

    def owner_saves_while_computing(backend: XlsxBackend):
        original = backend.read

        def read(tabs):
            grids = original(tabs)
            owner_saves(path, 2500)  # a second process saves after our read
            return grids

        backend.read = read  # type: ignore[method-assign]
        return sync_workbook(backend)

    watch = watch_of(path, lines, sync=owner_saves_while_computing)
    watch.run_sync("sales.xlsx saved")
    owners = path.read_bytes()
    assert lines[-1].endswith(
        "sales.xlsx saved: saved again during the sync, so syncing that save."
    )
    assert read_tabs(path, ["Pipeline"])["Pipeline"][1][5] == 2500
    assert "Funnel" not in read_tabs(path, ["Funnel"])  # nothing of ours was written
    assert watch.pending.waiting  # the newer save gets its own sync
    watch.sync = sync_workbook
    watch.run_sync("sales.xlsx saved")
    assert funnel_amount(path, "Lead") == 2500
    assert path.read_bytes() != owners


def test_a_half_written_save_is_not_an_error_but_waited_for(tmp_path):
    path = tiny_workbook(tmp_path)
    whole = path.read_bytes()
    lines: list[str] = []

    def editor_still_writing(backend: XlsxBackend):
        path.write_bytes(whole[: len(whole) // 2])  # an in-place save, half done
        return sync_workbook(backend)

    watch = watch_of(path, lines, sync=editor_still_writing)
    watch.run_sync("sales.xlsx saved")
    assert lines[-1].endswith(
        "sales.xlsx saved: saved again during the sync, so syncing that save."
    )
    assert watch.pending.waiting
    path.write_bytes(whole)  # the editor finishes its save
    watch.sync = sync_workbook
    watch.run_sync("sales.xlsx saved")
    assert ": synced in " in lines[-1]
    assert funnel_amount(path, "Lead") == 1000


def test_a_damaged_workbook_is_reported_and_the_watch_goes_on(tmp_path):
    path = tiny_workbook(tmp_path)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    lines: list[str] = []
    watch = watch_of(path, lines)
    watch.run_sync("sales.xlsx saved")
    assert lines[-1].split(" ", 1)[1].startswith(
        "sales.xlsx saved: not synced: " + str(path)
    )
    assert lines[-1].endswith("Watching for the next save.")
    assert not watch.pending.waiting and watch.syncs == 0


def test_an_unexpected_failure_of_one_sync_does_not_end_the_watch(tmp_path):
    path = tiny_workbook(tmp_path)
    lines: list[str] = []

    def reader_trips(backend: XlsxBackend):
        raise KeyError("xl/worksheets/sheet9.xml")  # a reader bug on an odd file

    watch = watch_of(path, lines, sync=reader_trips)
    watch.run_sync("sales.xlsx saved")
    assert lines[-1].split(" ", 1)[1] == (
        "sales.xlsx saved: not synced: the workbook could not be read (KeyError: "
        "'xl/worksheets/sheet9.xml'). Open it in Excel or LibreOffice, save it again, and the "
        "watch syncs it."
    )
    watch.sync = sync_workbook
    watch.run_sync("sales.xlsx saved")
    assert ": synced in " in lines[-1]


def test_a_file_the_system_refuses_is_tried_again_later(tmp_path):
    path = tiny_workbook(tmp_path)
    lines: list[str] = []
    stop = threading.Event()
    refusals = []

    def locked_twice(backend: XlsxBackend):
        # What Windows answers while Excel holds the file (this test runs as any user,
        # so the refusal is raised here rather than by the file system).
        if len(refusals) < 2:
            refusals.append(1)
            raise WorkbookError(f"{path} cannot be read: Permission denied.") from PermissionError(
                errno.EACCES, "Permission denied", str(path)
            )
        report = sync_workbook(backend)
        stop.set()
        return report

    watch = watch_of(path, lines, sync=locked_twice, stop=stop)
    watch.run()
    assert [line.split(" ", 1)[1] for line in lines[:2]] == [
        f"sales.xlsx at start: another program is holding the file ({path} cannot be read: "
        "Permission denied.); trying again in 1 s.",
        f"sales.xlsx retried: another program is holding the file ({path} cannot be read: "
        "Permission denied.); trying again in 2 s.",
    ]
    assert "sales.xlsx retried: synced in " in lines[2]
    assert funnel_amount(path, "Lead") == 1000


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), True),
        (OSError(errno.EBUSY, "Device or resource busy"), True),
        (OSError(errno.ENOSPC, "No space left on device"), False),
        (WorkbookError("sales.xlsx is not an .xlsx workbook"), False),
        (ValueError("x"), False),
    ],
)
def test_which_errors_are_the_system_refusing_the_file(error, refused):
    assert refused_by_system(error) is refused
