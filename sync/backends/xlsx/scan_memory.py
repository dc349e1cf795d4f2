"""Worksheets the pre-scan passed, remembered by content: a tab no edit touched is not
scanned again.

A sync after an edit reads every input tab, and most of them are as the last sync saw
them: Excel and LibreOffice store an unchanged worksheet with the same bytes. The scan
(`prescan`) of a large tab costs about a second per hundred megabytes of its XML; the
SHA-256 of its stored (compressed) bytes costs a hundredth of that. A pass is remembered
as an empty file named by that hash, together with:

- the workbook's date styles, which the scan reads the tab against;
- the scan's own rules (`prescan.py`'s text) and the calamine build that reads the tab,
  so a new version of either scans every tab again.

Only passes are remembered: a tab the scan turns away is read by the streaming reader,
which costs far more than its scan. A folder that cannot be written (read-only, full)
only means every tab is scanned, as without this. The folder keeps the `KEEP` most
recently used entries.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path

from sync.backends.xlsx import prescan

KEEP = 2000  # entries kept; each is an empty file
FOLDER = "xlsx-scan"


@cache
def _rules() -> bytes:
    """What a remembered pass depends on beyond the tab: the scan's text, calamine's build."""
    digest = hashlib.sha256(Path(prescan.__file__).read_bytes())
    # calamine is imported by the reader alone (`read.py`), which has loaded it by now.
    for name in ("python_calamine", "python_calamine._python_calamine"):
        found = getattr(sys.modules.get(name), "__file__", None)
        if found:
            stat = os.stat(found)
            digest.update(f"{found}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.digest()


class ScanMemory:
    """The passes remembered in `folder` (one empty file per pass)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / FOLDER

    def key(self, stored: bytes, method: int, date_kinds: dict[int, int]) -> str:
        """The name a pass of this tab is remembered under: its stored bytes and how they
        are compressed, the workbook's date styles, and the scan's rules."""
        digest = hashlib.sha256(_rules())
        digest.update(repr((method, sorted(date_kinds.items()))).encode())
        digest.update(stored)
        return digest.hexdigest()

    def passed(self, key: str) -> bool:
        """Whether a tab with this key passed the scan before (and is now the newest used)."""
        try:
            os.utime(self.folder / key)
        except OSError:
            return False
        return True

    def remember(self, key: str) -> None:
        """Remember a pass; nothing happens when the folder cannot be written."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / key).touch()  # an empty file: being there is all it says
            self._forget_oldest()
        except OSError:
            return

    def _forget_oldest(self) -> None:
        with os.scandir(self.folder) as scanned:
            entries = list(scanned)
        if len(entries) <= KEEP:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: len(entries) - KEEP * 3 // 4]:
            try:
                os.unlink(entry.path)
            except OSError:
                continue  # another sync removed it first
