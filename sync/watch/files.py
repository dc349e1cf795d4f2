"""`salesops watch PATH`: sync a local workbook again each time it is saved.

The workbook's folder is watched with watchfiles (the system's file notifications, no
polling loop). Only changes to the workbook itself count: an editor's temp files, its lock
files (`.~lock.NAME#`, `~$NAME`) and our own temp file are other names. A save is told from
our own write by the file's version (size, modification time, inode): the write records
the version it leaves, and a change that still shows that version is ours.

Saves coalesce through `Debounce`. A save made while a sync runs makes the write refuse
(nothing is written over a newer save) and starts another sync. While an editor holds the
workbook open the sync still writes, and says the editor must reload the file. A file the
system refuses (locked by another program) is tried again after 1, 2, 4 ... 30 seconds.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles._rust_notify import RustNotify

from sync.backends.xlsx.backend import XlsxBackend, file_version
from sync.backends.xlsx.guard import check_workbook_file, lock_files
from sync.engine import SyncReport, sync_workbook
from sync.errors import SalesOpsError, WorkbookChangedError
from sync.i18n import _, writing_in
from sync.watch.debounce import Debounce
from sync.watch.lines import Say, Trigger, count, spoken, stamped, sync_line, trigger_text

GROUP_MS = 50  # a save's burst of file events (write, rename, chmod) is read as one
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0
# Windows answers a file another program holds with these (sharing and lock violations).
_LOCKED_WINERRORS = {5, 32, 33}
_LOCKED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EBUSY, errno.ETXTBSY}

Sync = Callable[[XlsxBackend], SyncReport]

log = logging.getLogger(__name__)


def refused_by_system(error: BaseException) -> bool:
    """Whether an error, or one it was raised from, is the system refusing the file."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, PermissionError):
            return True
        if isinstance(seen, OSError) and (
            seen.errno in _LOCKED_ERRNOS or getattr(seen, "winerror", None) in _LOCKED_WINERRORS
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def current_version(path: Path) -> tuple[int, int, int] | None:
    """The file's version now, None while it is missing (between an editor's renames)."""
    try:
        return file_version(path.stat())
    except OSError:
        return None


@dataclass
class WorkbookWatch:
    """Watches one workbook file and syncs it after each save, until stopped."""

    path: Path
    debounce_seconds: float
    max_delay_seconds: float
    say: Say
    sync: Sync = sync_workbook
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], float] = time.monotonic
    syncs: int = 0
    own_writes_ignored: int = 0
    pending: Debounce = field(init=False)
    own_version: tuple[int, int, int] | None = None
    retry_at: float | None = None
    retry_delay: float = 0.0
    default_locale: str = "en"  # the operator's, for a workbook naming no Locale
    # The language of the watch's lines: the operator's until a sync reads the workbook's.
    locale: str = "en"

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.pending = Debounce(self.debounce_seconds, self.max_delay_seconds)

    def run(self) -> None:
        """Sync once, then after each save; returns when `stop` is set.

        Ctrl-C raises KeyboardInterrupt out of here, between two syncs or during one (an
        interrupted write leaves the workbook as it was).
        """
        folder = self.path.absolute().parent
        if not folder.is_dir():
            raise SalesOpsError(
                f"{folder} is not a folder on this machine: give the path of a workbook file."
            )
        polling = os.environ.get("WATCHFILES_FORCE_POLLING", "").lower() in ("1", "true", "yes")
        # Watching starts before the first sync, so a save made during it is not missed.
        with RustNotify([str(folder)], False, polling, 300, False, True) as notify:
            self.run_sync(lambda: trigger_text(self.path.name, "start"))
            while not self.stop.is_set():
                changes = notify.watch(GROUP_MS, GROUP_MS, self._timeout_ms(), self.stop)
                if changes == "signal":
                    raise KeyboardInterrupt
                if changes == "stop":
                    return
                if isinstance(changes, set):
                    self.note_changes({Path(name) for _, name in changes})
                now = self.clock()
                if self.retry_at is not None and now >= self.retry_at:
                    self.retry_at = None
                    self.pending.take()
                    self.run_sync(lambda: trigger_text(self.path.name, "retried"))
                elif self.pending.is_due(now) and self.retry_at is None:
                    self.pending.take()  # however many saves waited, one sync sees the last
                    self.run_sync(lambda: trigger_text(self.path.name, "saved"))

    def _timeout_ms(self) -> int:
        waits = [self.pending.seconds_left(self.clock())]
        if self.retry_at is not None:
            waits = [max(0.0, self.retry_at - self.clock())]
        left = min((wait for wait in waits if wait is not None), default=None)
        if left is None:
            return 0  # no sync waits: sleep until the folder changes
        return max(1, round(left * 1000))

    def note_changes(self, paths: set[Path]) -> None:
        """Count a save when the workbook itself changed and the change is not our write."""
        wanted = os.path.normcase(self.path.name)
        if not any(os.path.normcase(path.name) == wanted for path in paths):
            return
        version = current_version(self.path)
        if version is not None and version == self.own_version:
            self.own_writes_ignored += 1
            log.debug("%s changed by our own write: not synced again", self.path.name)
            return
        self.pending.edit(self.clock())

    def run_sync(self, trigger: Trigger) -> None:
        """One sync, reported in one line; failures are reported and watching goes on."""
        backend = XlsxBackend(self.path, write_while_open=True)
        backend.default_locale = self.default_locale
        started_on = current_version(self.path)
        try:
            with writing_in(self.locale):
                report = self.sync(backend)
        except (SalesOpsError, OSError) as error:
            with writing_in(self.locale):
                self._failed(trigger, error, started_on)
            return
        except Exception as error:  # noqa: BLE001 - one odd file must not end the watch
            log.debug("sync of %s failed", self.path, exc_info=True)
            with writing_in(self.locale):
                self.say(stamped(_(
                    "{trigger}: not synced: the workbook could not be read ({error}). Open it "
                    "in Excel or LibreOffice, save it again, and the watch syncs it.").format(
                    trigger=spoken(trigger), error=f"{type(error).__name__}: {error}")))
            return
        self.retry_delay = 0.0
        self.own_version = backend.written_version
        self.syncs += 1
        self.locale = report.locale
        with writing_in(report.locale):
            self.say(stamped(sync_line(spoken(trigger), report) + reload_hint(self.path)))

    def _failed(self, trigger: Trigger, error: BaseException,
                started_on: tuple[int, int, int] | None) -> None:
        """The line of a sync that failed, and when the watch tries again."""
        if isinstance(error, WorkbookChangedError) or current_version(self.path) != started_on:
            # A save landed during the sync (a half-written file reads as damaged).
            self.say(stamped(_("{trigger}: saved again during the sync, so syncing that "
                               "save.").format(trigger=spoken(trigger))))
            self.pending.edit(self.clock())
            return
        if refused_by_system(error):
            self.retry_delay = min(
                MAX_RETRY_SECONDS, max(FIRST_RETRY_SECONDS, self.retry_delay * 2)
            )
            self.retry_at = self.clock() + self.retry_delay
            self.say(stamped(_(
                "{trigger}: another program is holding the file ({error}); trying again in "
                "{seconds} s.").format(trigger=spoken(trigger), error=describe(error),
                                        seconds=f"{self.retry_delay:g}")))
            return
        self.retry_delay = 0.0
        self.say(stamped(_("{trigger}: not synced: {error} Watching for the next save."
                           ).format(trigger=spoken(trigger), error=describe(error))))

    def summary(self) -> str:
        """What the watch did, for its last line."""
        with writing_in(self.locale):
            return _("Stopped watching {workbook} after {syncs}.").format(
                workbook=self.path.name, syncs=count(self.syncs, "sync"))


def describe(error: BaseException) -> str:
    """An error as a sentence for the owner."""
    if isinstance(error, OSError) and not isinstance(error, SalesOpsError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}."
    text = str(error).strip()
    return text if text.endswith((".", "!", "?", "。", "！", "？")) else text + "."


def reload_hint(path: Path) -> str:
    """What the owner must do to see the new figures while an editor has the file open."""
    for lock in lock_files(path):
        if lock.name.startswith(".~lock."):
            return _(" LibreOffice has the workbook open: reload it there (File > Reload) "
                     "to see the new figures.")
        return _(" Excel has the workbook open: close it and open it again to see the new "
                 "figures.")
    return ""


def watch_workbook(
    path: str | os.PathLike[str],
    *,
    debounce_seconds: float,
    max_delay_seconds: float,
    say: Say,
    stop: threading.Event | None = None,
    locale: str = "en",
) -> WorkbookWatch:
    """Sync `path` now and after each save until `stop` is set or Ctrl-C; the watch.

    A path that is not a workbook raises at once; later failures are reported by `say`.
    `locale` is the operator's: the lines' language until a sync reads the workbook's.
    """
    watch = WorkbookWatch(
        Path(path), debounce_seconds, max_delay_seconds, say, stop=stop or threading.Event(),
        default_locale=locale, locale=locale,
    )
    with writing_in(locale):
        check_workbook_file(watch.path)
        say(_("Watching {workbook} (Ctrl-C to stop): each save is synced {seconds} s after the "
              "last one.").format(workbook=watch.path, seconds=f"{debounce_seconds:g}"))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a watch ends
        watch.run()
    say(watch.summary())
    return watch
