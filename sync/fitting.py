"""The purchase models fitted on another core: a process a command starts first thing.

Importing scipy costs about 0.4 s of CPU and the BG/NBD and Gamma-Gamma fits a little more;
a command that computes Customer Segments (`sync`, `demo`, `check`, ...) starts this process
at once, so that scipy loads on the machine's other core while this one reads, validates
and computes. The fits and the predictions that need scipy then run there: the same
functions of `sync/compute/predictions.py` on the same arrays, so the parameters are bit
for bit those an in-process fit gives.

The process runs at the lowest priority (`lowest_priority`): while the command reads, both
cores are busy parsing the workbook, and loading scipy beside them would slow the read
(by 0.25 s at a million cells); at the lowest priority it takes only the CPU the command
leaves idle, which it does while it validates and computes, and a fit the command waits
for has the core to itself.

Without a process (library use, the webhook worker, one usable CPU) everything runs in the
caller's process. The process never outlives the command: it is stopped when the command
ends, however it ends, and it stops by itself if the command's process dies. If it cannot
start, dies or answers with an error, the work is done in-process instead (logged at debug
level): the owner sees the same figures either way.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from sync.cpus import usable_cpus

log = logging.getLogger(__name__)

STOP_SECONDS = 5.0  # how long a stopped fitting process gets to exit before it is killed


def lowest_priority() -> None:
    """Run this process only on CPU time no other process at normal priority wants."""
    if hasattr(os, "nice"):  # not on Windows, where the process keeps its priority
        try:
            os.nice(19)  # the most a process may raise its own niceness by
        except OSError as error:
            log.debug("The fitting process keeps its priority: %s", error)


def serve(connection: Connection) -> None:
    """The fitting process: load scipy at once, then run each `(function, arguments)` sent
    and answer `("returned", result)` or `("raised", exception)`, until the pipe closes."""
    lowest_priority()
    from sync.compute.predictions import load_scipy

    load_scipy()
    while True:
        try:
            function, arguments = connection.recv()
        except EOFError:  # the command ended, or its process died
            return
        try:
            answer: tuple[str, Any] = ("returned", function(*arguments))
        except Exception as error:  # noqa: BLE001 - any failure goes back to the command
            answer = ("raised", error)
        try:
            connection.send(answer)
        except Exception as error:  # noqa: BLE001 - say so rather than leave it waiting
            connection.send(("raised", RuntimeError(f"the answer cannot be sent back: {error}")))


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while a child starts, and deliver it once the start is complete.

    The child inherits the held mask and so never sees the terminal's Ctrl-C (the command
    stops it; interrupted mid-import it would print a traceback over the command's
    message). A mask holds the signal back from this thread only: a library's own threads
    (OpenBLAS starts some when numpy loads) may still take it, so until the start is
    complete the interrupt is only noted, never raised half-way through handing the child
    its start-up data (which it would report as a traceback of its own).
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks to hold with
        yield
        return
    noted: list[int] = []
    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGINT, lambda number, _frame: noted.append(number))
    held = {signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a held Ctrl-C is noted now
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
            if noted and callable(handler):
                handler(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt
            elif noted and handler == signal.SIG_DFL:
                raise KeyboardInterrupt


class FittingProcess:
    """A spawned process that loads scipy at once and runs the functions it is handed."""

    def __init__(self) -> None:
        # "spawn", never "fork": the tests, the watcher and the server run threads, and a
        # forked copy of a threaded process can deadlock.
        from multiprocessing import get_context

        context = get_context("spawn")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=serve, args=(child_end,),
                                        name="salesops-fitting", daemon=True)
        self._lock = threading.Lock()
        self._failed = False
        self._stopped = False
        try:
            with _interrupts_held():
                self._process.start()
        except BaseException:
            self.stop()  # a Ctrl-C held back during the start arrives here
            raise
        finally:
            child_end.close()  # so that the child's death reads as the end of the pipe here
        self.pid: int | None = self._process.pid  # kept: a closed Process no longer says

    def run(self, function: Callable[..., Any], *arguments: Any) -> Any:
        """function(*arguments) in the fitting process; here when that process has failed."""
        with self._lock:
            if not self._failed:
                try:
                    self._connection.send((function, arguments))
                    outcome, value = self._connection.recv()
                except (OSError, EOFError, pickle.PickleError) as error:
                    self._fail(f"it stopped answering ({error!r})")
                else:
                    if outcome == "returned":
                        return value
                    from sync.compute.predictions import FitFailed

                    if isinstance(value, FitFailed):
                        raise value  # the model's answer, not a failure of the process
                    self._fail(f"{function.__name__} raised {value!r} there")
        return function(*arguments)

    def _fail(self, why: str) -> None:
        self._failed = True
        log.debug("The fitting process failed: %s; fitting in this process instead.", why)
        self.stop()

    def stop(self) -> None:
        """Stop the process now, whatever it is doing, and wait until it has exited."""
        self._connection.close()
        if self._stopped or self._process.pid is None:  # stopped already, or never started
            return
        self._stopped = True
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
            if self._process.is_alive():
                self._process.kill()
        self._process.join()
        self._process.close()  # its sentinel and pipe, now rather than when collected


@contextmanager
def fitting_on_another_core() -> Iterator[FittingProcess | None]:
    """For the length of one command: the purchase models fitted in a process of their own
    on another core (None on a one-CPU machine, or when it cannot start)."""
    process = None
    if usable_cpus() > 1:
        try:
            process = FittingProcess()
        except Exception as error:  # noqa: BLE001 - whatever stops it, fit here instead
            log.debug("The fitting process cannot start (%r); fitting in this process.", error)
    if process is None:
        yield None
        return
    try:
        # Imported after the start, so that the process loads scipy while numpy loads here.
        from sync.compute.predictions import scipy_runner

        token = scipy_runner.set(process.run)
        try:
            yield process
        finally:
            scipy_runner.reset(token)
    finally:
        process.stop()
