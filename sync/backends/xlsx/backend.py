"""The local .xlsx backend: read input tabs, write computed tabs, never harm the rest.

Writing builds a new package from the old one: every part that is not a computed tab's
is copied as its original zip bytes, index parts only gain entries, and the result
replaces the file atomically (`file.replace_file`: a temp file beside the link's
final target, fsync, rename), only if the file is still the version that was read.
Figures are never written over a newer save (`WorkbookChangedError`).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import ParseError

from sync.backends.base import WriteStats
from sync.backends.xlsx.file import (
    TEMP_SUFFIX,
    FileState,
    changed_message,
    check_writable,
    final_target,
    read_for_update,
    replace_file,
)
from sync.backends.xlsx.guard import check_not_locked, check_workbook_file
from sync.backends.xlsx.package import Package
from sync.backends.xlsx.rawzip import read_members
from sync.backends.xlsx.read import read_tabs
from sync.backends.xlsx.scan_memory import ScanMemory
from sync.backends.xlsx.styles import StyleBook
from sync.backends.xlsx.write import WorkbookIndex, append_tab, prune_overrides, put_tab
from sync.background import started_on_thread
from sync.collector import collector_paused
from sync.contract.grid import Grid
from sync.contract.plan import TabOutput
from sync.errors import NotAWorkbookError, WorkbookChangedError
from sync.i18n import _, writing_in
from sync.schema import input_tabs

__all__ = ["TEMP_SUFFIX", "XlsxBackend", "file_version"]

Taken = tuple[FileState, dict[str, Grid]]  # a read: the file's state before it, the grids


def file_version(status: os.stat_result) -> tuple[int, int, int]:
    """What tells one save of a file from another at a glance: size, modification time, inode."""
    return (status.st_size, status.st_mtime_ns, status.st_ino)


class XlsxBackend:
    """A workbook file on this machine.

    `write_while_open=True` writes even while Excel or LibreOffice holds the workbook open
    (`watch` does, and tells the owner to reload it); by default that is refused.
    """

    def __init__(self, path: str | os.PathLike[str], *, write_while_open: bool = False):
        self.path = Path(path)
        self.label = str(self.path)
        self.add_tab_hint: str | None = (
            f'run "salesops init {self.path}" to add it (your other tabs are kept)'
        )
        self.init_command = f"salesops init {self.path}"
        self.default_locale = "en"  # the operator's locale, for a workbook naming none
        self.write_while_open = write_while_open
        # Where passes of the pre-scan are remembered (`open_backend` sets the configured
        # folder); None scans every tab at every read.
        self.scan_memory: ScanMemory | None = None
        self._read: dict[str, Grid] = {}  # the tabs as last read, to append to
        # A read started ahead of time and not yet taken: its tabs, and what waits for it.
        self._ahead: tuple[list[str], Callable[[], Taken]] | None = None
        self._asked: set[str] = set()  # the tabs that read looked for
        # The file as the last read saw it; a write replaces only that version.
        self.read_state: FileState | None = None
        # The file our last write left (`watch` tells its own write from an owner's save).
        self.written_version: tuple[int, int, int] | None = None
        # Runs just before the new file is renamed into place (tests save the file there).
        self.before_rename: Callable[[], None] | None = None

    def today(self) -> date:
        """Today on this machine."""
        return date.today()

    def read(self, tabs: Sequence[str]) -> dict[str, Grid]:
        """The grids of the requested tabs that exist, row 1 first (those a `read_ahead` of
        the same tabs has read, when one was started)."""
        ahead, self._ahead = self._ahead, None
        state, grids = ahead[1]() if ahead and ahead[0] == list(tabs) else self._take(tabs)
        # Recorded before reading: a save after this point makes the write refuse.
        self.read_state = state
        self._read, self._asked = grids, set(tabs)
        return self._read

    def read_ahead(self, tabs: Sequence[str]) -> None:
        """Start reading `tabs` on a thread of its own, for the next `read` of them to
        return (or raise what went wrong) once it is done.

        A command starts it before it loads the engine: calamine parses the workbook on the
        machine's cores while Python imports pandas (0.4 s of start-up), instead of after.
        The file is read as it is now, as a `read` now would; a save after this moment
        makes the write refuse, as a save after any read does. Like the sync's own read, it
        holds the collector pause (`sync/collector.py`) and speaks the operator's language.
        """
        def take() -> Taken:
            with collector_paused(), writing_in(self.default_locale):
                return self._take(tabs)

        self._ahead = (list(tabs), started_on_thread("xlsx-early-read", take))

    def _take(self, tabs: Sequence[str]) -> Taken:
        """The file's state before reading, and the grids read."""
        check_workbook_file(self.path)
        state = FileState.of(final_target(self.path))
        return state, read_tabs(self.path, tabs, self.scan_memory)

    def write(self, outputs: Sequence[TabOutput]) -> WriteStats:
        """Write the computed tabs into the workbook, atomically; input tabs stay untouched.

        Refused when the file is read-only, and when it is no longer the file that was
        read (another program saved it meanwhile): the owner's save always wins.
        """
        inputs = {spec.tab for spec in input_tabs()}
        for output in outputs:
            if output.name in inputs:
                raise ValueError(f"{output.name} is an input tab: the sync never writes it")
        check_workbook_file(self.path)
        if not self.write_while_open:
            check_not_locked(self.path)
        check_writable(self.path)
        content, state = read_for_update(self.path)
        if self.read_state is not None and state != self.read_state:
            raise WorkbookChangedError(changed_message(self.path))
        try:
            members = read_members(io.BytesIO(content))
            # The write check compares these parts where copied, rather than unpack them.
            copied = {member.name: member for member in members}
            package = Package(members)
            del content  # the members hold their own bytes: keep one copy of a big file
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
            raise NotAWorkbookError(_(
                "{path} is not a well-formed .xlsx workbook ({error}): open it in Excel or "
                "LibreOffice, save it again as .xlsx and sync again.").format(
                path=self.path, error=error)) from error

        def renamed(temp: os.stat_result) -> None:
            # A rename keeps size, mtime and inode: this is the version the file will have.
            self.written_version = file_version(temp)

        self.read_state = replace_file(
            self.path, package.save, state, before_rename=self.before_rename,
            locked_ok=self.write_while_open, renamed=renamed, copied=copied,
        )
        return WriteStats(
            tabs_written=[output.name for output in outputs],
            cells_written=sum(len(output.columns) * (len(output.rows) + 1) for output in outputs),
        )

    def _header_row(self, tab: str) -> list | None:
        """Row 1 of a tab as read (read now when this backend has not read the tab)."""
        read = self._read if tab in self._asked else read_tabs(self.path, [tab])
        grid = read.get(tab)
        return list(grid[0]) if grid else None
