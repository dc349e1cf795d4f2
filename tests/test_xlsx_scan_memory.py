"""A tab the pre-scan passed is not scanned again while its stored bytes stay the same.

The read's result never depends on the memory: the same grids come back scanned or not,
a tab the scan turns away is scanned at every read, and a changed tab, other date styles
or a folder that cannot be written each mean a scan, as without the memory.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from sync.backends.xlsx import read, scan_memory
from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.scan_memory import ScanMemory
from sync.backends.xlsx.template import write_input_workbook
from sync.config import Config
from sync.demo.workbook import demo_grids
from sync.schema import input_tabs
from sync.workbooks import open_backend

TABS = [*(spec.tab for spec in input_tabs()), "Stage Log"]


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the scans the reader runs (one entry per scan)."""
    counted: list[int] = []
    real = read.calamine_can_read

    def counting(stream, date_kinds):  # noqa: ANN001, ANN202 - the scan's own signature
        counted.append(1)
        return real(stream, date_kinds)

    monkeypatch.setattr(read, "calamine_can_read", counting)
    return counted


def _demo(path: Path) -> Path:
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    return path


def _backend(path: Path, folder: Path) -> XlsxBackend:
    backend = XlsxBackend(path)
    backend.scan_memory = ScanMemory(folder)
    return backend


def test_an_unchanged_workbook_is_read_the_second_time_without_a_scan(
    tmp_path: Path, scans: list[int]
) -> None:
    path, folder = _demo(tmp_path / "demo.xlsx"), tmp_path / "cache"
    first = _backend(path, folder).read(TABS)
    scanned = len(scans)
    assert scanned == len(first)  # every tab read, once
    # A copy has the same stored bytes: nothing is scanned, and the grids are the same.
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(path, copy)
    again = _backend(copy, folder).read(TABS)
    assert len(scans) == scanned
    assert again == first
    assert len(os.listdir(folder / scan_memory.FOLDER)) == scanned


def test_a_changed_tab_is_scanned_again_and_only_it(tmp_path: Path, scans: list[int]) -> None:
    grids = demo_grids(1, 7, today=date(2026, 11, 26))
    path, folder = tmp_path / "demo.xlsx", tmp_path / "cache"
    write_input_workbook(path, grids)
    _backend(path, folder).read(TABS)
    before = len(scans)
    grids["Pipeline"][1][grids["Pipeline"][0].index("Amount")] = 123456.0  # an owner's edit
    edited = tmp_path / "edited.xlsx"
    write_input_workbook(edited, grids)
    read_again = _backend(edited, folder).read(TABS)
    assert len(scans) == before + 1
    amount = read_again["Pipeline"][0].index("Amount")
    assert read_again["Pipeline"][1][amount] == 123456.0


def test_a_tab_the_scan_turns_away_is_scanned_at_every_read(
    tmp_path: Path, scans: list[int]
) -> None:
    path, folder = tmp_path / "far.xlsx", tmp_path / "cache"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pipeline"
    sheet.append(["Deal ID", "Amount"])
    sheet.append(["D-1", 100.0])
    sheet["XFD1048576"] = "far away"  # calamine would allocate 17 billion cells
    workbook.save(path)
    for _ in range(2):
        grid = _backend(path, folder).read(["Pipeline"])["Pipeline"]
        assert grid == [["Deal ID", "Amount"], ["D-1", 100.0]]
        assert grid.stray == [(1048576, 16384, "far away")]
    assert len(scans) == 2
    assert not (folder / scan_memory.FOLDER).exists()


def test_other_date_styles_mean_another_scan(tmp_path: Path) -> None:
    memory = ScanMemory(tmp_path)
    stored = b"the same stored bytes"
    key = memory.key(stored, zipfile.ZIP_DEFLATED, {3: 1})
    assert memory.key(stored, zipfile.ZIP_DEFLATED, {3: 1}) == key
    assert memory.key(stored, zipfile.ZIP_DEFLATED, {3: 1, 7: 1}) != key
    assert memory.key(stored, zipfile.ZIP_STORED, {3: 1}) != key
    assert memory.key(stored + b" ", zipfile.ZIP_DEFLATED, {3: 1}) != key


def test_a_folder_that_cannot_be_written_only_means_a_scan(
    tmp_path: Path, scans: list[int]
) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    first = _backend(path, blocked).read(TABS)
    second = _backend(path, blocked).read(TABS)
    assert second == first
    assert len(scans) == 2 * len(first)


def test_the_folder_keeps_the_most_recently_used_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_memory, "KEEP", 8)
    memory = ScanMemory(tmp_path)
    keys = [memory.key(str(n).encode(), 8, {}) for n in range(9)]
    for age, key in enumerate(keys[:8]):
        memory.remember(key)
        os.utime(memory.folder / key, ns=(age * 10**9, age * 10**9))
    assert memory.passed(keys[0])  # used now: the newest
    memory.remember(keys[8])  # the ninth: the oldest are forgotten, down to 6
    kept = set(os.listdir(memory.folder))
    assert len(kept) == 6
    assert {keys[0], keys[8]} <= kept
    assert not {keys[1], keys[2], keys[3]} & kept


def test_open_backend_remembers_in_the_configured_folder(tmp_path: Path) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    backend = open_backend(Config(cache_dir=tmp_path / "mine"), path=path)
    backend.read(TABS)
    assert os.listdir(tmp_path / "mine" / scan_memory.FOLDER)


def test_the_default_folder_is_the_users_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SALESOPS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Config().cache_folder == tmp_path / "xdg" / "salesops"
    monkeypatch.setenv("SALESOPS_CACHE_DIR", str(tmp_path / "set"))
    assert Config().cache_folder == tmp_path / "set"
