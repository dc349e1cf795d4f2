"""`salesops serve`: the webhook app under waitress, with an embedded worker process.

Waitress reads each request whole on its I/O thread before a worker thread sees it, so
slow clients cost a buffer, not a thread; its connection limit is raised to 2,000 so
1,000 open connections keep being answered. Several waitress processes share one
listening socket, so the server uses more than one core. On SIGTERM or Ctrl-C the server stops
accepting, answers the requests it holds, then asks the embedded worker to finish its
recompute (or hand it back through the lease) before exiting.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from waitress.server import create_server

from sync.server.logs import server_log

CONNECTION_LIMIT = 2000
THREADS = 8
DRAIN_SECONDS = 10.0

log = server_log()


def _in_flight(server: Any) -> bool:
    """Does any connection hold a request not yet answered or output not yet sent?"""
    for channel in list(server._map.values()):
        if channel is server or channel is getattr(server, "trigger", None):
            continue
        if getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0):
            return True
    return False


def serve_app(
    app: Any,
    host: str,
    port: int,
    stop: threading.Event | None = None,
    listener: socket.socket | None = None,
) -> None:
    """Serve `app` until SIGTERM, SIGINT or `stop`, then drain the requests in flight.

    With `listener`, accept on that already bound socket (shared by sibling processes).
    """
    stop = stop or threading.Event()
    where: dict[str, Any] = {"sockets": [listener]} if listener else {"host": host, "port": port}
    server: Any = create_server(
        app,
        **where,
        threads=THREADS,
        connection_limit=CONNECTION_LIMIT,
        backlog=2048,
        channel_timeout=60,
        clear_untrusted_proxy_headers=True,
        asyncore_use_poll=True,  # select() stops at 1,024 descriptors
        ident="salesops",
    )

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    log.info("listening", extra={"fields": {"host": host, "port": port, "pid": os.getpid()}})
    loop = server.asyncore.loop
    while not stop.is_set():
        loop(timeout=0.2, map=server._map, use_poll=True, count=1)
    # Stop accepting; keep the loop turning until every held request is answered.
    server.del_channel()
    if listener is None:
        server.socket.close()
    deadline = time.monotonic() + DRAIN_SECONDS
    while _in_flight(server) and time.monotonic() < deadline:
        loop(timeout=0.05, map=server._map, use_poll=True, count=1)
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=DRAIN_SECONDS)
    for channel in list(server._map.values()):
        with contextlib.suppress(OSError):
            channel.close()
    log.info("stopped", extra={"fields": {"host": host, "port": port}})


def _die_with_parent() -> None:
    """In the child: get SIGTERM if `salesops serve` itself is killed (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_embedded_worker(threads: int = 2) -> subprocess.Popen[bytes]:
    """A `salesops worker` process beside the server, for a one-command deployment."""
    command = [
        sys.executable,
        "-c",
        "from sync.cli import main; main()",
        "worker",
        "--threads",
        str(threads),
    ]
    return subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: PLW1509


def stop_embedded_worker(worker: subprocess.Popen[bytes], timeout: float) -> None:
    """Ask the worker to finish its recompute and exit; kill it after `timeout`."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout)
        except subprocess.TimeoutExpired:
            # Its lease runs out and another worker (or the next start) recomputes again.
            worker.kill()
            worker.wait()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket, bound before the web processes fork so they share it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    return listener


def serve_forked(
    make_app: Callable[[], Any], listener: socket.socket, host: str, port: int, processes: int
) -> None:
    """`processes` waitress processes on one socket, so the server uses every core.

    Each process builds its own app after the fork (its own SQLite connections and Redis
    pool). A process that dies is replaced; SIGTERM or SIGINT is passed on to every
    process, each drains its requests, then this returns.
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    children: set[int] = set()

    def fork() -> None:
        pid = os.fork()
        if pid == 0:  # the child: serve until told to stop, then leave without cleanup
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                serve_app(make_app(), host, port, listener=listener)
            except BaseException:  # noqa: BLE001 - report, then let the parent replace us
                log.exception("web process failed")
                code = 1
            finally:
                os._exit(code)
        children.add(pid)

    for _ in range(processes):
        fork()
    while not stop.wait(0.2):
        for pid in list(children):
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                log.warning("web process died; starting another", extra={"fields": {"pid": pid}})
                time.sleep(1.0)  # a process that cannot start must not spin
                fork()
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    listener.close()
