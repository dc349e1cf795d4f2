"""calamine parsing worksheets on threads of their own while the reader's thread works on.

python-calamine releases the GIL while it parses a worksheet, so a parse here runs on the
second core beside the reader's Python work: scanning the next tab, shaping the last one.
Only worksheets the scan (`prescan`) has passed are handed over: calamine allocates the
whole rectangle up to a sheet's farthest cell, so a far-away cell must be ruled out before
a parse starts. This thread opens its own workbook (with the function `read` hands in, so
python-calamine stays imported in `read` alone): a `CalamineWorkbook`'s methods borrow it
exclusively, so one workbook is never used from two threads.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from sync.backends.xlsx.worker_thread import WorkerThread


class Workbook(Protocol):
    """What the parser needs of a workbook (a `CalamineWorkbook`)."""

    def get_sheet_by_name(self, name: str, /) -> Any: ...

    def close(self) -> None: ...


class BackgroundParser(WorkerThread):
    """Parses the worksheets asked for, in the order asked, on one background thread.

    Use it as a context manager: leaving it waits for a parse under way to finish and
    stops the thread, whatever happened meanwhile, so no thread outlives the read.
    """

    def __init__(self, open_workbook: Callable[[], Workbook]) -> None:
        super().__init__("calamine-parse")
        self._open_workbook = open_workbook
        self._waiting: deque[str] = deque()
        self._parsed: dict[str, Any] = {}  # a sheet, or the error parsing it raised

    def parse(self, name: str) -> None:
        """Start parsing the worksheet `name` once those asked for before it are parsed."""
        with self._changed:
            self._waiting.append(name)
            self._changed.notify_all()

    def sheet(self, name: str) -> Any:
        """The parsed worksheet `name` (waiting for it); calamine's error is raised here."""
        with self._changed:
            self._changed.wait_for(lambda: name in self._parsed)
            parsed = self._parsed.pop(name)
        if isinstance(parsed, BaseException):
            raise parsed
        return parsed

    def _run(self) -> None:
        workbook: Workbook | None = None
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: self._stopping or bool(self._waiting))
                    if self._stopping:
                        return
                    name = self._waiting.popleft()
                parsed: Any
                try:
                    if workbook is None:
                        workbook = self._open_workbook()
                    parsed = workbook.get_sheet_by_name(name)
                except BaseException as error:  # noqa: BLE001 - the reader's thread decides
                    parsed = error
                with self._changed:
                    self._parsed[name] = parsed
                    self._changed.notify_all()
        finally:
            if workbook is not None:
                workbook.close()
