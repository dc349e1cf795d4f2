"""Replacing a workbook file without ever losing the owner's copy.

Every write of a local workbook (a sync, `salesops init` on an existing file, `salesops
demo`) builds the new file beside the old one and renames it into place, and only:
- into the file a link points to (the link stays a link; its target gets the new content);
- when the file may be written (a read-only workbook is refused, not silently replaced);
- when the file on disk is still the one that was read (same size, modification time and
  SHA-256 of its bytes), so an owner's save made during the sync is never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sync.backends.xlsx.guard import check_not_locked
from sync.backends.xlsx.rawzip import RawMember
from sync.backends.xlsx.zipcheck import damaged_member
from sync.errors import WorkbookChangedError, WorkbookError, WorkbookReadOnlyError
from sync.i18n import _

TEMP_SUFFIX = ".salesops-tmp"
_STALE_TEMP_SECONDS = 3600  # a leftover this old is from a write that was killed
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileState:
    """What identifies one saved version of a file: size, modification time, content hash."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of_bytes(cls, content: bytes, status: os.stat_result) -> FileState:
        """The state of a file whose bytes were read while it had this `stat`."""
        return cls(status.st_size, status.st_mtime_ns, hashlib.sha256(content).hexdigest())

    @classmethod
    def of(cls, path: Path) -> FileState:
        """The state of the file at `path` now."""
        before = path.stat()
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        return cls(before.st_size, before.st_mtime_ns, digest.hexdigest())


def final_target(path: Path) -> Path:
    """The file a write to `path` must replace: the end of its chain of links, if any."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def describe(path: Path) -> str:
    """How messages name the file: the path typed, and where a link leads."""
    target = final_target(path)
    return _("{path} (a link to {target})").format(path=path, target=target) if (
        target != path) else str(path)


def check_writable(path: Path) -> None:
    """Refuse a workbook that is read-only: replacing it would ignore the owner's protection."""
    target = final_target(path)
    if _on_read_only_mount(target.parent):
        raise WorkbookReadOnlyError(_(
            "{path} is on a read-only disk or share ({folder}), so nothing was written: copy "
            "the workbook to a writable folder and sync the copy, or ask whoever manages that "
            "disk to make it writable.").format(path=describe(path), folder=target.parent))
    mode = target.stat().st_mode
    # Root may write anything: the permission bits still say what the owner meant.
    if not mode & _WRITE_BITS or not os.access(target, os.W_OK):
        raise WorkbookReadOnlyError(_(
            "{path} is read-only, so nothing was written: make it writable (clear Read-only in "
            "its properties, or `chmod u+w {target}`) and try again, or work on a writable "
            "copy.").format(path=describe(path), target=target))


def _on_read_only_mount(folder: Path) -> bool:
    """Whether the folder's file system is mounted read-only (no chmod can help then)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): the write itself will tell
        return False


def read_for_update(path: Path) -> tuple[bytes, FileState]:
    """The bytes of the file a write will replace, and the state they were read in."""
    target = final_target(path)
    before = target.stat()
    content = target.read_bytes()
    after = target.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise WorkbookChangedError(changed_message(path))
    return content, FileState.of_bytes(content, after)


def changed_message(path: Path, again: str = "sync") -> str:
    """The words for a workbook that another program saved while this one worked on it."""
    command = (_("the same `salesops import`") if again == "import"
               else f"`salesops {again} {path}`")
    return _("{path} changed while the {again} was running (another program saved it): nothing "
             "was written, so that save is kept. Run {command} again.").format(
        path=path, again=again, command=command)


@contextmanager
def temp_beside(path: Path) -> Iterator[Path]:
    """A new empty temp file in the folder of the link's final target; gone unless installed."""
    target = final_target(path)
    remove_stale_temps(target)
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=_temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent
        )
    except OSError as error:
        raise WorkbookError(_(
            "cannot write beside {path} in {folder} ({error}): a workbook is replaced as a "
            "whole, so its folder must be writable. Make it writable, or move the workbook to a "
            "folder you can write to.").format(path=describe(path), folder=target.parent,
                                               error=error.strerror)) from error
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def install(
    temp: Path,
    path: Path,
    expected: FileState | None,
    *,
    again: str = "sync",
    before_rename: Callable[[], None] | None = None,
    locked_ok: bool = False,
    renamed: Callable[[os.stat_result], None] | None = None,
) -> FileState:
    """Rename the finished `temp` over the file at `path` (its link's target); its new state.

    `temp` gets the old file's permissions and is renamed only if the target is still in
    the `expected` state (`None`: there must be no file yet) and no program holds it open
    (unless `locked_ok`). `before_rename` runs just before that last check; `renamed` is
    handed the new file's `stat` as it is renamed into place.
    """
    target = final_target(path)
    _copy_ownership(target, temp)
    if before_rename is not None:
        before_rename()
    _check_unchanged(path, target, expected, again)
    if not locked_ok:
        check_not_locked(path)
        if target != path:
            check_not_locked(target)
    if renamed is not None:
        renamed(temp.stat())
    os.replace(temp, target)
    fsync_folder(target.parent)
    return FileState.of(target)


def replace_file(
    path: Path,
    write: Callable[[BinaryIO], None],
    expected: FileState | None,
    *,
    again: str = "sync",
    before_rename: Callable[[], None] | None = None,
    locked_ok: bool = False,
    renamed: Callable[[os.stat_result], None] | None = None,
    copied: Mapping[str, RawMember] | None = None,
) -> FileState:
    """Replace the workbook at `path` with what `write` writes, atomically; its new state.

    The new file is written to a temp file beside the link's final target, flushed to
    disk, read back to check that every member is sound (`zipcheck.damaged_member`; the
    members in `copied`, read from the old file, need only be found stored as they were
    there) and installed (see `install`).
    """
    with temp_beside(path) as temp:
        try:
            with temp.open("wb") as stream:
                write(stream)
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as error:
            raise _write_failed(path, temp.parent, error, again) from error
        damaged = damaged_member(temp, copied)
        if damaged is not None:
            raise WorkbookError(_("writing {path} failed: {damaged} came out damaged").format(
                path=path, damaged=damaged))
        return install(
            temp, path, expected, again=again, before_rename=before_rename,
            locked_ok=locked_ok, renamed=renamed,
        )


def _write_failed(path: Path, folder: Path, error: OSError, again: str) -> WorkbookError:
    """The message for a new copy that could not be written; the workbook is untouched."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return WorkbookError(
            f"the disk holding {folder} is full, so the new copy of {describe(path)} could not "
            f"be written; the workbook was left as it was. Free some space there, then run "
            f"{again} again."
        )
    return WorkbookError(
        f"writing the new copy of {describe(path)} in {folder} failed ({error.strerror}); the "
        "workbook was left as it was. Check that the folder is reachable and writable, then "
        f"run {again} again."
    )


def _copy_ownership(target: Path, temp: Path) -> None:
    """Give the new file the old one's permissions (and owner, where allowed)."""
    try:
        old = target.stat()
    except FileNotFoundError:
        os.chmod(temp, 0o666 & ~_umask())  # an ordinary new file, not mkstemp's private one
        return
    os.chmod(temp, stat.S_IMODE(old.st_mode))
    with contextlib.suppress(OSError):
        if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            os.chown(temp, old.st_uid, old.st_gid)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_unchanged(path: Path, target: Path, expected: FileState | None, again: str) -> None:
    if expected is None:
        if target.exists():
            raise WorkbookChangedError(_(
                "{path} appeared while the {again} was running (another program wrote it): "
                "nothing was written, so that file is kept. Run `salesops {again} {path}` again."
            ).format(path=path, again=again))
        return
    try:
        status = target.stat()
    except FileNotFoundError as error:
        raise WorkbookChangedError(changed_message(path, again)) from error
    if (status.st_size, status.st_mtime_ns) != (expected.size, expected.mtime_ns):
        raise WorkbookChangedError(changed_message(path, again))
    # A save within the same clock tick and of the same size: only the bytes tell.
    if FileState.of(target) != expected:
        raise WorkbookChangedError(changed_message(path, again))


def _temp_prefix(target: Path) -> str:
    """`.demo.xlsx.` for the temp files of `demo.xlsx`. A file written while it is itself a
    temp file (`salesops demo` writes the Stage Log into the demo it is building) gets
    temps named after the workbook too, so a killed write leaves nothing the next write
    does not recognise and clear."""
    name = target.name
    if name.startswith(".") and name.endswith(TEMP_SUFFIX):
        name = name[1:].rsplit(".", 2)[0]  # `.demo.xlsx.k3x9_q.salesops-tmp` -> `demo.xlsx`
    return f".{name}."


def remove_stale_temps(target: Path) -> None:
    """Delete temp files that a killed write of this workbook left behind."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for leftover in target.parent.glob(f"{_temp_prefix(target)}*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable; not every platform can open a folder."""
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
