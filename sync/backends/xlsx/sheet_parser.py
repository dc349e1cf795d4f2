"""calamine parsing worksheets on a thread of its own while the reader's thread works on.

python-calamine releases the GIL while it parses a worksheet, so a parse here runs on the
second core beside the reader's Python work: scanning the next tab, shaping the last one.
Only worksheets the scan (`prescan`) has passed are handed over: calamine allocates the
whole rectangle up to a sheet's farthest cell, so a far-away cell must be ruled out before
a parse starts. This thread has its own `CalamineWorkbook`: the workbook's methods borrow
it exclusively, so one workbook is never used from two threads.
"""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from types import TracebackType

from python_calamine import CalamineSheet, CalamineWorkbook


class BackgroundParser:
    """Parses the worksheets asked for, in the order asked, on one background thread.

    Use it as a context manager: leaving it waits for a parse under way to finish and
    stops the thread, whatever happened meanwhile, so no thread outlives the read.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._waiting: deque[str] = deque()
        self._parsed: dict[str, CalamineSheet | BaseException] = {}
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="calamine-parse", daemon=True)

    def __enter__(self) -> BackgroundParser:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()

    def parse(self, name: str) -> None:
        """Start parsing the worksheet `name` once those asked for before it are parsed."""
        with self._changed:
            self._waiting.append(name)
            self._changed.notify_all()

    def sheet(self, name: str) -> CalamineSheet:
        """The parsed worksheet `name` (waiting for it); calamine's error is raised here."""
        with self._changed:
            self._changed.wait_for(lambda: name in self._parsed)
            parsed = self._parsed.pop(name)
        if isinstance(parsed, BaseException):
            raise parsed
        return parsed

    def _run(self) -> None:
        workbook: CalamineWorkbook | None = None
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._stopping or bool(self._waiting))
                    if self._stopping:
                        return
                    name = self._waiting.popleft()
                parsed: CalamineSheet | BaseException
                try:
                    if workbook is None:
                        workbook = CalamineWorkbook.from_path(str(self._path))
                    parsed = workbook.get_sheet_by_name(name)
                except BaseException as error:  # noqa: BLE001 - the reader's thread decides
                    parsed = error
                with self._changed:
                    self._parsed[name] = parsed
                    self._changed.notify_all()
        finally:
            if workbook is not None:
                workbook.close()
