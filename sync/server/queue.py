"""The recompute queue: huey on SQLite (one machine) or Redis (many), plus the shared store.

The webhook only marks a spreadsheet pending (one write); a worker's dispatcher turns due
pending spreadsheets into huey tasks, each carrying the lease it was dispatched under.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey

from sync.config import Config
from sync.server.store import Store

QUEUE_NAME = "salesops"
RECOMPUTE_TASK = "salesops.recompute"


@dataclass
class RecomputeQueue:
    """The operator's settings, huey, the shared store and the recompute task on it."""

    config: Config
    huey: Huey
    store: Store
    recompute: Any = None  # the huey task, set by `worker.register`


def make_huey(config: Config) -> Huey:
    """SqliteHuey for a `sqlite:///path` queue, RedisHuey for a `redis://` URL."""
    path = config.queue_path
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Results are never read: a recompute reports through the status store.
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, timeout=10)
    return RedisHuey(QUEUE_NAME, url=config.queue, results=False, blocking=True, read_timeout=1)


def make_store(huey: Huey) -> Store:
    """The shared store on the same SQLite file or Redis server as huey's queue."""
    storage = huey.storage
    filename = getattr(storage, "filename", None)
    if filename is not None:
        from sync.server.store_sqlite import SqliteStore

        return SqliteStore(Path(filename))
    from sync.server.store_redis import RedisStore

    return RedisStore(storage.conn)


def open_queue(config: Config) -> RecomputeQueue:
    """The queue the configuration names, with its recompute task registered."""
    from sync.server.digests import register_digests
    from sync.server.worker import register

    huey = make_huey(config)
    queue = RecomputeQueue(config, huey, make_store(huey))
    register(queue)
    register_digests(queue)
    return queue
