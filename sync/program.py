"""The `salesops` program: the CLI's commands, then an exit that leaves memory to the system.

Once a command has finished, Python would tear the interpreter down object by object
before the process ends: every row, frame and module freed one at a time, 0.15 s after a
sync of a million cells, longer than printing the summary. `run` ends the process as
soon as the command is done instead, after doing what an exit must: the exit handlers run
(logging's flush, multiprocessing's clean-up of its children, temporary files), the output
is flushed, and the exit status is the command's. The operating system takes the memory
back at once.

When a thread that is not a daemon is still running (it would have been waited for), or
the program is used as a library (`sync.cli.main`, the tests' CliRunner), the exit is
Python's own.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

BROKEN_OUTPUT_EXIT = 120  # Python's own status when the output cannot be flushed at exit


def exit_status(code: object) -> int:
    """The process's exit status for `SystemExit(code)`, as Python turns it into one (a
    message is printed on stderr first, and the status is 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _threads_left() -> bool:
    """A thread that Python would wait for before exiting is still running."""
    main = threading.main_thread()
    return any(
        thread is not main and not thread.daemon and thread.is_alive()
        for thread in threading.enumerate()
    )


def run() -> NoReturn:
    """`salesops ...`: run the command line, then end the process with its status."""
    from sync.cli import main

    code: str | int | None = 0
    try:
        main()  # in standalone mode a click group always ends with SystemExit
    except SystemExit as done:
        code = done.code
    if _threads_left():
        sys.exit(code)
    status = exit_status(code)
    # Private, but the only way to run the handlers Python runs at exit before os._exit
    # (which skips them); it has been in CPython since 3.0.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a stream closed already
            status = status or BROKEN_OUTPUT_EXIT
    os._exit(status)
