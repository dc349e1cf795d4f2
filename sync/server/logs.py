"""One JSON line per request and per recompute, for the server and the workers.

Only what the caller passes as `extra={"fields": {...}}` is written: ids, outcomes,
counts and seconds, never a secret, a key or a cell value.
"""

from __future__ import annotations

import json
import logging
import sys
import time

LOGGER = "salesops.server"


class JsonLines(logging.Formatter):
    """`{"time", "level", "event", ...fields}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON object."""
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def server_log() -> logging.Logger:
    """The logger of the server and workers."""
    return logging.getLogger(LOGGER)


def configure_logging(level: str = "INFO") -> None:
    """Send the server's log lines to stderr as JSON, at `level`."""
    logger = server_log()
    if not any(isinstance(h.formatter, JsonLines) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
