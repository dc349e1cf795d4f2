"""A real `salesops serve` on loopback keeps answering `/healthz` while slow-loris clients
and 1,000 concurrent connections hold it. Bounded: every socket is closed at the end, and
each wait has a generous ceiling that fails the test rather than hanging it."""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import pytest
import requests

from tests.server_fixtures import processes  # noqa: F401 - fixture by name

pytestmark = pytest.mark.slow

CONNECTIONS = 1000
ANSWER_CEILING = 30.0  # seconds a healthz may take before the test calls the server stuck


@pytest.fixture
def server_url(processes) -> str:  # noqa: F811
    """`salesops serve --no-worker` on a free loopback port, with room for the sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 4 * CONNECTIONS + 256)
    if soft < wanted:  # the server inherits the raised limit too
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return str(processes.serve("--no-worker"))


def healthz(url: str) -> int:
    return requests.get(url + "/healthz", timeout=ANSWER_CEILING).status_code


@contextmanager
def sockets(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` open TCP connections to the server, closed on exit."""
    parts = urlsplit(url)
    with ExitStack() as stack:
        opened = []
        for _ in range(count):
            connection = socket.create_connection((parts.hostname, parts.port), timeout=10)
            stack.enter_context(connection)
            opened.append(connection)
        yield opened


def test_slow_loris_clients_do_not_stop_healthz(server_url: str) -> None:
    with sockets(server_url, 200) as slow:
        # Each sends a request line and a few header bytes, then trickles the rest.
        for connection in slow:
            connection.sendall(b"POST /hooks/sheets-edit HTTP/1.1\r\nHost: x\r\nX-Sl")
        assert healthz(server_url) == 200
        for round_ in range(5):
            for connection in slow:
                connection.sendall(b"o")
            assert healthz(server_url) == 200, round_
        # A body promised but never sent holds a connection, not the server.
        for connection in slow:
            connection.sendall(b"w: 1\r\nContent-Length: 60000\r\n\r\n{\"a")
        assert healthz(server_url) == 200


def read_answer(connection: socket.socket) -> bytes:
    connection.settimeout(ANSWER_CEILING)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_a_thousand_concurrent_connections_are_all_answered(server_url: str) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with sockets(server_url, 500) as idle, sockets(server_url, CONNECTIONS) as busy:
        # 500 idle connections held open, and 1,000 that each send a request at once.
        assert len(idle) == 500
        for connection in busy:
            connection.sendall(request)
        assert healthz(server_url) == 200
        answers = [read_answer(connection) for connection in busy]
    assert sum(answer.startswith(b"HTTP/1.1 200") for answer in answers) == CONNECTIONS
    assert healthz(server_url) == 200  # and it still answers once they are gone
