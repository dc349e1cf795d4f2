"""Fixtures for the webhook server: signed requests, a real redis-server, real processes.

Import the fixtures you use by name in a test module (as with the Sheets emulator's):

    from tests.server_fixtures import redis_url, server_env  # noqa: F401
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.server.signing import signed_headers

SECRET = "test-webhook-secret-0123456789"
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def edit(spreadsheet_id: str, sheet: str = "Pipeline", cell: str = "F2", **fields: Any) -> dict:
    """An edit post as the add-on sends it, with a fresh event id."""
    payload = {
        "spreadsheet_id": spreadsheet_id,
        "sheet": sheet,
        "range": cell,
        "event_id": str(uuid.uuid4()),
        "edited_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    payload.update(fields)
    return payload


def signed(payload: dict | bytes, secret: str = SECRET, timestamp: int | None = None):
    """(raw body, headers) of a post signed like the add-on does."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **signed_headers(secret, body, timestamp)}
    return body, headers


def wait_for(check: Callable[[], Any], timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll `check` until it returns something true; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {check}")
        time.sleep(every)


@contextmanager
def running_redis(folder: Path) -> Iterator[str]:
    """A redis-server on a free loopback port, persisting nothing, stopped on exit; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--protected-mode", "yes", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    try:
        wait_for(lambda: _pings(client), timeout=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(10)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server for one test, without persistence files, stopped after."""
    folder = tmp_path / "redis"
    folder.mkdir()
    with running_redis(folder) as url:
        yield url
    assert list(folder.iterdir()) == []  # no persistence files left behind


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


@dataclass
class Processes:
    """`salesops serve` and `salesops worker` processes started by a test, stopped after."""

    env: dict[str, str]
    folder: Path
    started: list[subprocess.Popen] = field(default_factory=list)
    logs: dict[int, Path] = field(default_factory=dict)

    def start(self, *args: str) -> subprocess.Popen:
        """Start `salesops ARGS...` with the test's environment; its stderr goes to a file."""
        log = self.folder / f"{args[0]}-{len(self.started)}.log"
        with log.open("wb") as stderr:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                [sys.executable, "-c", "from sync.cli import main; main()", *args],
                env=self.env,
                cwd=self.folder,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.started.append(process)
        self.logs[process.pid] = log
        return process

    def serve(self, *extra: str) -> str:
        """Start `salesops serve` on a free port; its base URL once /healthz answers."""
        port = free_port()
        process = self.start("serve", "--port", str(port), *extra)
        url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(self.log(process))
            try:
                return requests.get(url + "/healthz", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(healthy, timeout=60)
        return url

    def log(self, process: subprocess.Popen) -> str:
        """What a process wrote to stderr."""
        return self.logs[process.pid].read_text(encoding="utf-8", errors="replace")

    def log_lines(self, process: subprocess.Popen) -> list[dict]:
        """Its JSON log lines."""
        lines = []
        for line in self.log(process).splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def stop_all(self) -> None:
        """SIGTERM every process still running, then SIGKILL the ones that hang."""
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    """Start server and worker processes; the test fills `env`; all stopped after."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESOPS_")}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "SALESOPS_WEBHOOK_SECRET": SECRET,
            "SALESOPS_QUEUE": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
            "SALESOPS_DEBOUNCE_SECONDS": "1",
            "SALESOPS_LEASE_SECONDS": "3",
            "SALESOPS_BACKEND": "sheets",
        }
    )
    running = Processes(env, tmp_path)
    yield running
    running.stop_all()
