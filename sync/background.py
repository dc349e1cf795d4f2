"""Work started on a thread of its own, its result taken later by whoever started it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

Result = TypeVar("Result")


def started_on_thread(name: str, function: Callable[[], Result]) -> Callable[[], Result]:
    """`function()` running on a daemon thread called `name` from now on; the function
    returned waits for what it returns, or raises what it raised."""
    answer: Future[Result] = Future()

    def work() -> None:
        try:
            answer.set_result(function())
        except BaseException as error:  # noqa: BLE001 - raised again where it is awaited
            answer.set_exception(error)

    threading.Thread(target=work, name=name, daemon=True).start()
    return answer.result
