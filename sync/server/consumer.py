"""`salesops worker`: huey's consumer running recomputes, beside the dispatcher thread."""

from __future__ import annotations

import logging

from sync.config import Config
from sync.server.logs import configure_logging, server_log
from sync.server.queue import open_queue
from sync.server.worker import Dispatcher

# How long SIGTERM waits for running recomputes before handing them back through the lease
# (under systemd's default 90 s stop timeout).
SHUTDOWN_SECONDS = 60.0


def run_worker(config: Config, threads: int = 2) -> None:
    """Take recomputes from the shared queue until SIGTERM or Ctrl-C.

    SIGTERM and Ctrl-C are graceful: the running recomputes finish (for at most
    `SHUTDOWN_SECONDS`; past it they are handed back through the lease) and the process exits.
    """
    configure_logging(config.log_level)
    # huey's own start-up banner and per-task lines would break the one-line-per-recompute log.
    logging.getLogger("huey").setLevel(max(logging.WARNING, logging.getLevelName(config.log_level)))
    queue = open_queue(config)
    consumer = queue.huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=True,  # the daily digest check (sync/server/digests.py), every minute
        initial_delay=0.05,
        backoff=1.15,
        max_delay=0.5,  # an idle SQLite queue is polled at least twice a second
        check_worker_health=True,
        shutdown_timeout=SHUTDOWN_SECONDS,
        graceful_signal="TERM",
    )
    dispatcher = Dispatcher(queue).start()
    server_log().info(
        "worker started", extra={"fields": {"queue": queue.store.kind, "threads": threads}}
    )
    try:
        consumer.run()
    finally:
        dispatcher.stop()
        server_log().info("worker stopped", extra={"fields": {"queue": queue.store.kind}})
