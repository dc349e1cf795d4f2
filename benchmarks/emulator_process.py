"""The Sheets API emulator in a process of its own, for timing a client against it.

In production, Google's servers build the JSON a sync reads; in the test suite the
emulator answers from a thread of the test's own process. Timed in one process, the
emulator's work (building a batchGet answer of a million cells, parsing a batchUpdate)
would be counted as the client's, and the two would take turns on one interpreter lock.
Here the emulator runs in a spawned process on loopback, so the time a benchmark measures
is the client's: gspread, HTTP, JSON decoding and the engine.

    with separate_emulator(key.public_key()) as emulator:
        emulator.create("sheet-id", grids, editors=(CLIENT_EMAIL,))
        ... emulator.url, emulator.token_uri ...
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class RemoteEmulator:
    """The emulator's address, and `create` carried out in its process."""

    url: str
    _connection: Connection

    @property
    def token_uri(self) -> str:
        """The OAuth2 token endpoint a key file names in `token_uri`."""
        return self.url + "/token"

    def create(self, spreadsheet_id: str, tabs: dict[str, list[list[Any]]],
               editors: tuple[str, ...] = ()) -> None:
        """`SheetsEmulator.create`, replacing any spreadsheet of that id."""
        self._connection.send(("create", spreadsheet_id, tabs, editors))
        answer = self._connection.recv()
        if answer != "created":
            raise RuntimeError(f"the emulator process could not create the sheet: {answer}")


@contextmanager
def separate_emulator(public_key: rsa.RSAPublicKey) -> Iterator[RemoteEmulator]:
    """A started emulator in a spawned process, stopped and joined on the way out."""
    pem = public_key.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(pem, theirs), daemon=True)
    process.start()
    theirs.close()
    try:
        yield RemoteEmulator(ours.recv(), ours)
    finally:
        with suppress(BrokenPipeError, OSError):
            ours.send(("stop",))
        process.join(30)
        if process.is_alive():
            process.kill()
            process.join()
        ours.close()


def _serve(pem: bytes, connection: Connection) -> None:
    """The emulator process: serve HTTP on a thread, carry out commands until `stop`."""
    from tests.sheets_emulator.server import SheetsEmulator

    public_key = serialization.load_pem_public_key(pem)
    assert isinstance(public_key, rsa.RSAPublicKey)
    emulator = SheetsEmulator(public_key, keep_bodies=False).start()
    connection.send(emulator.url)
    try:
        while True:
            command, *arguments = connection.recv()
            if command == "stop":
                break
            spreadsheet_id, tabs, editors = arguments
            try:
                emulator.create(spreadsheet_id, tabs, editors=editors)
            except Exception as error:  # noqa: BLE001 - reported to the parent, which raises
                connection.send(repr(error))
            else:
                connection.send("created")
    except EOFError:
        pass  # the parent went away
    finally:
        emulator.stop()
