"""Refusals: missing file, open in another program, not a workbook, password protected."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.guard import OLE_MAGIC, lock_files
from sync.errors import (
    NotAWorkbookError,
    PasswordProtectedError,
    WorkbookError,
    WorkbookLockedError,
)
from tests.xlsx_support import funnel_output


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Quarterly sales.xlsx"
    Workbook().save(path)
    return path


def ole_file(path: Path, streams: list[str]) -> Path:
    """A compound-file header followed by directory entries naming `streams` (UTF-16LE)."""
    sector = bytearray(512)
    sector[:8] = OLE_MAGIC
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in streams)
    path.write_bytes(bytes(sector) + directory)
    return path


@pytest.mark.parametrize(
    ("lock_name", "program"),
    [
        (".~lock.Quarterly sales.xlsx#", "LibreOffice"),
        ("~$Quarterly sales.xlsx", "Excel"),
        ("~$arterly sales.xlsx", "Excel"),  # Excel's shortened owner file for long names
    ],
)
def test_a_workbook_open_elsewhere_is_refused_and_left_alone(
    workbook: Path, lock_name: str, program: str
) -> None:
    (workbook.parent / lock_name).write_text("user,host", encoding="utf-8")
    before = workbook.read_bytes()
    with pytest.raises(WorkbookLockedError) as refused:
        XlsxBackend(workbook).write([funnel_output()])
    message = str(refused.value)
    assert f"close it in {program} and try again" in message
    assert lock_name in message
    assert workbook.read_bytes() == before
    assert XlsxBackend(workbook).read(["Sheet"])  # reading is still allowed


def test_short_names_do_not_match_other_files_lock(tmp_path: Path) -> None:
    path = tmp_path / "ab.xlsx"
    Workbook().save(path)
    (tmp_path / "~$.xlsx").write_text("x", encoding="utf-8")
    assert lock_files(path) == []


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"does not exist: check the path, or create"):
        XlsxBackend(tmp_path / "nope.xlsx").read(["Pipeline"])


@pytest.mark.parametrize(
    ("name", "suggested"),
    [("sales.xlsx", "sales.xlsx"), ("Sales.XLSX", "Sales.XLSX"), ("sales.csv", "sales.xlsx"),
     ("sales", "sales.xlsx")],
)
def test_a_missing_file_suggests_a_name_init_accepts(
    tmp_path: Path, name: str, suggested: str
) -> None:
    with pytest.raises(WorkbookError) as refused:
        XlsxBackend(tmp_path / name).read(["Pipeline"])
    assert str(refused.value) == (
        f"{tmp_path / name} does not exist: check the path, or create a workbook with "
        f"`salesops init {tmp_path / suggested}`."
    )


def test_a_folder_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="is a folder"):
        XlsxBackend(tmp_path).read(["Pipeline"])


@pytest.mark.parametrize(
    "content",
    [b"Deal ID,Stage\nD-1,Lead\n", b"", b"PK\x03\x04 truncated zip"],
    ids=["csv", "empty", "broken-zip"],
)
def test_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sales.xlsx"
    path.write_bytes(content)
    for action in (lambda b: b.read(["Pipeline"]), lambda b: b.write([funnel_output()])):
        with pytest.raises(NotAWorkbookError, match="save it as an Excel 2007-365"):
            action(XlsxBackend(path))
    assert path.read_bytes() == content


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(NotAWorkbookError, match="zip file but not an .xlsx"):
        XlsxBackend(path).write([funnel_output()])


def test_an_encrypted_workbook_is_refused(tmp_path: Path) -> None:
    path = ole_file(tmp_path / "locked.xlsx", ["Root Entry", "EncryptionInfo", "EncryptedPackage"])
    before = path.read_bytes()
    for action in (lambda b: b.read(["Pipeline"]), lambda b: b.write([funnel_output()])):
        with pytest.raises(PasswordProtectedError) as refused:
            action(XlsxBackend(path))
        assert "remove the password (File > Properties > Security)" in str(refused.value)
        assert "save an unprotected copy" in str(refused.value)
    assert path.read_bytes() == before


def test_an_old_xls_is_not_a_workbook(tmp_path: Path) -> None:
    path = ole_file(tmp_path / "old.xls", ["Root Entry", "Workbook"])
    with pytest.raises(NotAWorkbookError, match=r"old-style \.xls"):
        XlsxBackend(path).read(["Pipeline"])
