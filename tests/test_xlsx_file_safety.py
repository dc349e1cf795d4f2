"""A sync never loses the owner's file: links, read-only files and saves made meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.file import FileState, final_target
from sync.backends.xlsx.template import create_template
from sync.cli import main
from sync.engine import sync_workbook
from sync.errors import WorkbookChangedError, WorkbookReadOnlyError
from tests.workbook_files import digest, sheet_names
from tests.xlsx_support import funnel_output

NOW = datetime(2026, 11, 20, 9, 0)

OWNER_SAVES = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
book["Team"]["A2"] = "Saved while syncing"
book.save(sys.argv[1])
"""


def tabs(path: Path) -> list[str]:
    return sheet_names(path)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A new workbook with every input tab, as `salesops init` writes it."""
    (tmp_path / "books").mkdir()
    return create_template(tmp_path / "books" / "sales.xlsx")


def test_a_linked_workbook_is_written_through_to_its_target(book: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "desktop"
    elsewhere.mkdir()
    link = elsewhere / "sales.xlsx"
    link.symlink_to(book)

    sync_workbook(XlsxBackend(link), now=NOW)

    assert link.is_symlink() and os.readlink(link) == str(book)
    assert "Funnel" in tabs(book)  # the target holds the computed tabs
    assert sorted(p.name for p in elsewhere.iterdir()) == ["sales.xlsx"]  # no temp left there
    assert sorted(p.name for p in book.parent.iterdir()) == ["sales.xlsx"]


def test_a_chain_of_relative_links_is_followed_to_the_last_file(book: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.xlsx"
    second = tmp_path / "second.xlsx"
    second.symlink_to(os.path.relpath(book, tmp_path))
    first.symlink_to("second.xlsx")
    assert final_target(first) == book.resolve()

    sync_workbook(XlsxBackend(first), now=NOW)

    assert first.is_symlink() and second.is_symlink()
    assert os.readlink(first) == "second.xlsx"
    assert "Funnel" in tabs(book)


def test_a_read_only_workbook_is_refused_and_left_as_it_was(book: Path) -> None:
    book.chmod(0o444)
    before = digest(book)

    with pytest.raises(WorkbookReadOnlyError, match=r"is read-only, so nothing was written"):
        sync_workbook(XlsxBackend(book), now=NOW)

    assert digest(book) == before
    assert book.stat().st_mode & 0o777 == 0o444
    assert sorted(p.name for p in book.parent.iterdir()) == ["sales.xlsx"]


def test_a_link_to_a_read_only_workbook_is_refused_naming_both(book: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    book.chmod(0o444)
    with pytest.raises(WorkbookReadOnlyError) as refused:
        XlsxBackend(link).write([funnel_output()])
    assert f"{link} (a link to {book}) is read-only" in str(refused.value)
    assert link.is_symlink()


def test_the_command_says_read_only_and_what_to_do(book: Path) -> None:
    book.chmod(0o444)
    result = CliRunner().invoke(main, ["sync", str(book)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {book} is read-only, so nothing was written: make ")
    assert "chmod u+w" in result.output and "Traceback" not in result.output


def test_a_save_by_another_process_between_read_and_write_is_kept(book: Path) -> None:
    saved: list[str] = []

    def owner_saves_while_computing(step: str) -> None:
        # Between the read and the write, the owner saves from Excel (another process here).
        if step == "Computing":
            subprocess.run([sys.executable, "-c", OWNER_SAVES, str(book)], check=True)
            saved.append(digest(book))

    with pytest.raises(WorkbookChangedError, match=r"changed while the sync was running"):
        sync_workbook(XlsxBackend(book), now=NOW, progress=owner_saves_while_computing)

    assert saved and digest(book) == saved[0]
    assert load_workbook(book)["Team"]["A2"].value == "Saved while syncing"
    assert "Funnel" not in tabs(book)
    # Run again, as the message says: the save is read and the computed tabs are written.
    sync_workbook(XlsxBackend(book), now=NOW)
    assert load_workbook(book)["Team"]["A2"].value == "Saved while syncing"
    assert "Funnel" in tabs(book)


def test_a_save_just_before_the_rename_is_kept(book: Path) -> None:
    backend = XlsxBackend(book)
    backend.read(["Team"])

    def owner_saves() -> None:
        subprocess.run([sys.executable, "-c", OWNER_SAVES, str(book)], check=True)

    backend.before_rename = owner_saves
    with pytest.raises(WorkbookChangedError):
        backend.write([funnel_output()])
    assert load_workbook(book)["Team"]["A2"].value == "Saved while syncing"
    assert sorted(p.name for p in book.parent.iterdir()) == ["sales.xlsx"]


def test_a_save_of_the_same_size_and_time_is_caught_by_its_hash(book: Path) -> None:
    backend = XlsxBackend(book)
    backend.read(["Team"])
    original = book.read_bytes()
    status = book.stat()

    def same_size_same_time_save() -> None:
        # The last byte of a zip is its comment length's high byte: flip it, keep the size
        # and put the modification time back, as a coarse-clock file system would show it.
        changed = original[:-1] + bytes([original[-1] ^ 0x01])
        book.write_bytes(changed)
        os.utime(book, ns=(status.st_atime_ns, status.st_mtime_ns))

    backend.before_rename = same_size_same_time_save
    with pytest.raises(WorkbookChangedError):
        backend.write([funnel_output()])
    assert book.read_bytes() == original[:-1] + bytes([original[-1] ^ 0x01])


def test_a_write_without_a_read_checks_the_file_it_loaded(book: Path) -> None:
    backend = XlsxBackend(book)
    backend.before_rename = lambda: Workbook().save(book)
    with pytest.raises(WorkbookChangedError):
        backend.write([funnel_output()])
    assert tabs(book) == ["Sheet"]


def test_after_a_write_the_backend_knows_the_file_it_wrote(book: Path) -> None:
    backend = XlsxBackend(book)
    backend.read(["Team"])
    backend.write([funnel_output()])
    assert backend.read_state == FileState.of(book)
    backend.write([funnel_output()])  # its own earlier write is not someone else's save
    assert "Funnel" in tabs(book)


def test_the_new_file_keeps_the_old_files_permissions(book: Path) -> None:
    book.chmod(0o640)
    sync_workbook(XlsxBackend(book), now=NOW)
    assert book.stat().st_mode & 0o777 == 0o640
