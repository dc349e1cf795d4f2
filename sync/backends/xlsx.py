"""The local .xlsx backend: read input tabs, write computed tabs, never harm the rest.

Writing builds a new package from the old one: every part that is not a computed tab's
is copied as its original zip bytes, index parts only gain entries, and the result
replaces the file atomically (temp file in the same folder, fsync, rename). Figures are
never written over a newer save: when the file changed since it was read, or changes
while the new package is built, nothing is written (`WorkbookChangedError`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import ParseError

from sync.backends.base import Grid, WriteStats
from sync.backends.xlsx_guard import check_not_locked, check_workbook_file
from sync.backends.xlsx_package import Package
from sync.backends.xlsx_read import read_tabs
from sync.backends.xlsx_styles import StyleBook
from sync.backends.xlsx_write import WorkbookIndex, append_tab, prune_overrides, put_tab
from sync.errors import NotAWorkbookError, WorkbookChangedError, WorkbookError
from sync.schema import input_tabs
from sync.write.plan import TabOutput

TEMP_SUFFIX = ".salesops-tmp"
_STALE_TEMP_SECONDS = 3600  # a leftover this old is from a sync that was killed


def file_version(status: os.stat_result) -> tuple[int, int, int]:
    """What tells one save of a file from another: size, modification time, inode."""
    return (status.st_size, status.st_mtime_ns, status.st_ino)


class XlsxBackend:
    """A workbook file on this machine.

    `write_while_open=True` writes even while Excel or LibreOffice holds the workbook open
    (`watch` does, and tells the owner to reload it); by default that is refused.
    """

    def __init__(self, path: str | os.PathLike[str], *, write_while_open: bool = False):
        self.path = Path(path)
        self.label = str(self.path)
        self.add_tab_hint: str | None = None  # the reader's advice for a file fits
        self._read: dict[str, Grid] = {}  # the tabs as last read, to append to
        self._asked: set[str] = set()  # the tabs that read looked for
        self.write_while_open = write_while_open
        self.read_version: tuple[int, int, int] | None = None  # the save the last read saw
        self.written_version: tuple[int, int, int] | None = None  # the file our write left

    def today(self) -> date:
        """Today on this machine."""
        return date.today()

    def read(self, tabs: Sequence[str]) -> dict[str, Grid]:
        """The grids of the requested tabs that exist, row 1 first."""
        check_workbook_file(self.path)
        # Taken before reading: a save during the read makes the write refuse these figures.
        self.read_version = file_version(self.path.stat())
        self._read, self._asked = read_tabs(self.path, tabs), set(tabs)
        return self._read

    def write(self, outputs: Sequence[TabOutput]) -> WriteStats:
        """Write the computed tabs into the workbook, atomically; input tabs stay untouched."""
        inputs = {spec.tab for spec in input_tabs()}
        for output in outputs:
            if output.name in inputs:
                raise ValueError(f"{output.name} is an input tab: the sync never writes it")
        check_workbook_file(self.path)
        if not self.write_while_open:
            check_not_locked(self.path)
        before = self.path.stat()
        if self.read_version is not None and file_version(before) != self.read_version:
            raise self._changed()
        try:
            package = Package.open(self.path)
            index = WorkbookIndex(package)
            styles_part = index.styles_part()
            styles = StyleBook(package.read(styles_part))
            removed: set[str] = set()
            for output in outputs:
                if output.append_only and append_tab(
                    package, index, styles, output, self._header_row(output.name)
                ):
                    continue
                # Written whole: for an append-only tab its rows hold the whole log.
                removed |= put_tab(package, index, styles, output, output.rows)
            prune_overrides(package, removed)
            package.put(styles_part, styles.xml)
        except (zipfile.BadZipFile, KeyError, ParseError) as error:
            raise NotAWorkbookError(
                f"{self.path} is not a well-formed .xlsx workbook ({error}): open it in Excel "
                "or LibreOffice, save it again as .xlsx and sync again."
            ) from error
        self._replace_atomically(package, before)
        return WriteStats(
            tabs_written=[output.name for output in outputs],
            cells_written=sum(len(output.columns) * (len(output.rows) + 1) for output in outputs),
        )

    def _header_row(self, tab: str) -> list | None:
        """Row 1 of a tab as read (read now when this backend has not read the tab)."""
        read = self._read if tab in self._asked else read_tabs(self.path, [tab])
        grid = read.get(tab)
        return list(grid[0]) if grid else None

    def _replace_atomically(self, package: Package, before: os.stat_result) -> None:
        folder = self.path.parent
        _remove_stale_temps(self.path)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=TEMP_SUFFIX, dir=folder
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as stream:
                package.save(stream)
                stream.flush()
                os.fsync(stream.fileno())
            with zipfile.ZipFile(temp) as package_file:
                damaged = package_file.testzip()
            if damaged is not None:
                raise WorkbookError(f"writing {self.path} failed: {damaged} came out damaged")
            os.chmod(temp, stat.S_IMODE(before.st_mode))
            if file_version(self.path.stat()) != file_version(before):
                raise self._changed()
            if not self.write_while_open:
                check_not_locked(self.path)
            # A rename keeps size, mtime and inode: this is the version the file will have.
            left = file_version(temp.stat())
            os.replace(temp, self.path)
            # Our own write holds the inputs that were read: a second write may follow it.
            self.written_version = self.read_version = left
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_folder(folder)


    def _changed(self) -> WorkbookChangedError:
        return WorkbookChangedError(
            f"{self.path} was saved by another program during the sync: "
            "nothing was written; sync again."
        )


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files that a killed sync of this workbook left behind."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
