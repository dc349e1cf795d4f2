"""Faults of the disk under a local workbook: full, read-only, slow. The workbook is left as
it was (byte for byte), no temp file stays behind, and the command says what to do.

The full and read-only disks are real: a small tmpfs mounted for the test (root can mount;
root also bypasses file permissions, so a read-only folder must be a read-only mount).
Where mounting is not allowed the test fails under CI=true and skips elsewhere, and the
injected `ENOSPC` test still runs. The slow folder is simulated by slowing each write.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import sync.backends.xlsx.file as xlsx_file
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import create_template
from sync.cli import main
from sync.engine import sync_workbook
from sync.errors import WorkbookError
from tests.workbook_files import digest, sheet_names

NOW = datetime(2026, 11, 20, 9, 0)


def owner_workbook(folder: Path) -> Path:
    """A template workbook with a few deals, as an owner would have it."""
    path = create_template(folder / "sales.xlsx")
    book = load_workbook(path)
    pipeline = book["Pipeline"]
    for i in range(30):
        pipeline.append([f"D-{i}", f"Deal {i}", "Acme", "Ana Ruiz", "Proposal", 1000 + i,
                         date(2026, 9, 1)])
    book.save(path)
    return path


@pytest.fixture
def mount_point(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted after the test."""
    point = tmp_path / "disk"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        message = f"cannot mount a tmpfs here ({done.stderr.strip()}); needs root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill(folder: Path) -> None:
    """Write a filler file until the disk is full."""
    with (folder / "filler.bin").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC


def test_a_full_disk_leaves_the_workbook_and_says_so(tmp_path: Path, mount_point: Path) -> None:
    book = shutil.copy(owner_workbook(tmp_path), mount_point / "sales.xlsx")
    before = digest(book)
    fill(mount_point)
    result = CliRunner().invoke(main, ["sync", str(book)])
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert message.startswith(f"Error: the disk holding {mount_point} is full"), message
    assert "left as it was. Free some space there, then run sync again." in message
    assert "Traceback" not in result.output
    assert digest(book) == before
    assert sorted(p.name for p in mount_point.iterdir()) == ["filler.bin", "sales.xlsx"]
    # Space freed, the next sync writes the figures.
    (mount_point / "filler.bin").unlink()
    assert CliRunner().invoke(main, ["sync", str(book)]).exit_code == 0
    assert "Funnel" in sheet_names(book)


def test_a_read_only_mount_leaves_the_workbook_and_says_so(
    tmp_path: Path, mount_point: Path
) -> None:
    book = shutil.copy(owner_workbook(tmp_path), mount_point / "sales.xlsx")
    before = digest(book)
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
    result = CliRunner().invoke(main, ["sync", str(book)])
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert message == (
        f"Error: {book} is on a read-only disk or share ({mount_point}), so nothing was "
        "written: copy the workbook to a writable folder and sync the copy, or ask whoever "
        "manages that disk to make it writable."
    )
    assert "Traceback" not in result.output
    assert digest(book) == before
    assert [p.name for p in mount_point.iterdir()] == ["sales.xlsx"]


def test_an_injected_enospc_at_the_write_leaves_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = owner_workbook(tmp_path)
    before = digest(book)

    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(xlsx_file.os, "fsync", no_space)
    with pytest.raises(WorkbookError, match="is full"):
        sync_workbook(XlsxBackend(book), now=NOW)
    assert digest(book) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_slow_folder_still_gets_the_whole_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fast").mkdir()
    (tmp_path / "slow").mkdir()
    fast, slow = owner_workbook(tmp_path / "fast"), owner_workbook(tmp_path / "slow")
    sync_workbook(XlsxBackend(fast), now=NOW)

    real_replace_file = xlsx_file.replace_file
    writes: list[int] = []

    class SlowStream:
        """A file on a network folder: each write takes a while."""

        def __init__(self, stream) -> None:
            self.stream = stream

        def write(self, data: bytes) -> int:
            time.sleep(0.002)
            writes.append(len(data))
            return int(self.stream.write(data))

        def __getattr__(self, name: str):
            return getattr(self.stream, name)

    def slow_replace_file(path, write, *args, **kwargs):
        return real_replace_file(path, lambda stream: write(SlowStream(stream)), *args, **kwargs)

    monkeypatch.setattr("sync.backends.xlsx.backend.replace_file", slow_replace_file)
    sync_workbook(XlsxBackend(slow), now=NOW)
    assert len(writes) > 10  # the write really went through the slow stream
    fast_book, slow_book = load_workbook(fast, read_only=True), load_workbook(slow, read_only=True)
    try:
        for tab in ("Funnel", "Deal Health", "Data Issues"):
            assert list(slow_book[tab].values) == list(fast_book[tab].values), tab
    finally:  # a read-only openpyxl workbook keeps its file open until closed
        fast_book.close()
        slow_book.close()
