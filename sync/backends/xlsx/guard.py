"""Checks that run before a workbook file is read or written: present, closed, an .xlsx."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sync.errors import (
    NotAWorkbookError,
    PasswordProtectedError,
    WorkbookError,
    WorkbookLockedError,
)
from sync.i18n import _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Directory entries of an OLE compound file store stream names in UTF-16LE: an
# encrypted OOXML package is an OLE file holding an `EncryptionInfo` stream.
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
# The package relationship of a Strict Open XML workbook (ISO 29500 Strict namespaces).
_STRICT_OFFICE_DOCUMENT = b"purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
_MAX_RELS_BYTES = 1024**2


def strict_refusal(path: Path | str) -> NotAWorkbookError:
    """The error for a Strict Open XML workbook, which the product does not write."""
    return NotAWorkbookError(_(
        "{path} is saved as a Strict Open XML Spreadsheet, a variant of .xlsx this product "
        'does not read or write: open it in Excel and use File > Save As > "Excel Workbook '
        '(.xlsx)" (in LibreOffice: "Excel 2007-365"), then use the saved copy.').format(path=path))


def lock_files(path: Path) -> list[Path]:
    """The lock files beside `path` that say another program has it open."""
    folder, name = path.parent, path.name
    candidates = [folder / f".~lock.{name}#", folder / f"~${name}"]
    # Excel shortens its owner file for long names: `~$` replaces the first two characters.
    if len(path.stem) >= 8:
        candidates.append(folder / f"~${name[2:]}")
    return [candidate for candidate in candidates if candidate.exists()]


def check_not_locked(path: Path) -> None:
    """Refuse a workbook that LibreOffice or Excel holds open."""
    for lock in lock_files(path):
        program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
        raise WorkbookLockedError(_(
            "{path} is open in {program} ({lock_name} is beside it): close it in {program} and "
            "try again. If it is not open anywhere, delete {lock} and retry.").format(
            path=path, program=program, lock_name=lock.name, lock=lock))


def check_workbook_file(path: Path) -> None:
    """Refuse a path that is missing or is not an unencrypted .xlsx package."""
    if not path.exists():
        # `init` only writes .xlsx files: suggest a name it accepts.
        suggested = path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")
        raise WorkbookError(_(
            "{path} does not exist: check the path, or create a workbook with "
            "`salesops init {suggested}`.").format(path=path, suggested=suggested))
    if not path.is_file():
        raise WorkbookError(_(
            "{path} is a folder, not a workbook file: give the path of an .xlsx.").format(
            path=path))
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head.startswith(OLE_MAGIC):
                handle.seek(0)
                _refuse_ole(path, handle.read())
    except OSError as error:
        raise WorkbookError(_("{path} cannot be read: {error}.").format(
            path=path, error=error.strerror)) from error
    if not head.startswith(ZIP_MAGIC) or not zipfile.is_zipfile(path):
        raise NotAWorkbookError(_(
            "{path} is not an .xlsx workbook: open it in Excel or LibreOffice and save it "
            "as an Excel 2007-365 (.xlsx) workbook.").format(path=path))
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            rels = package.getinfo("_rels/.rels") if "_rels/.rels" in names else None
            strict = (
                rels is not None
                and rels.file_size <= _MAX_RELS_BYTES
                and _STRICT_OFFICE_DOCUMENT in package.read(rels)
            )
    except (zipfile.BadZipFile, OSError) as error:
        raise NotAWorkbookError(_(
            "{path} is damaged or not an .xlsx workbook ({error}): restore a good copy.").format(
            path=path, error=error)) from error
    if "mimetype" in names and "content.xml" in names:  # OpenDocument: .ods, .odt, ...
        raise NotAWorkbookError(_(
            "{path} is an OpenDocument (.ods) file, not an .xlsx workbook: open it in "
            "LibreOffice and save it as an Excel 2007-365 (.xlsx) workbook.").format(path=path))
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        raise NotAWorkbookError(_(
            "{path} is a zip file but not an .xlsx workbook: give the path of an .xlsx.").format(
            path=path))
    if strict:
        raise strict_refusal(path)


def _refuse_ole(path: Path, content: bytes) -> None:
    if _ENCRYPTION_STREAM in content:
        raise PasswordProtectedError(_(
            "{path} is protected with a password: remove the password (File > Properties > "
            "Security) or save an unprotected copy, and sync that.").format(path=path))
    raise NotAWorkbookError(_(
        "{path} is an old-style .xls (or another Office) file: open it and save it as an "
        "Excel 2007-365 (.xlsx) workbook.").format(path=path))
