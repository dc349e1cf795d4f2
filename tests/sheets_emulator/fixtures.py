"""Pytest fixtures: a test service-account key, a running emulator, the environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sheets_emulator.server import SheetsEmulator

CLIENT_EMAIL = "salesops-sync@salesops-test.iam.gserviceaccount.com"


@dataclass
class ServiceAccount:
    """A service account made for the test run: its key file and email."""

    key_path: Path
    client_email: str
    private_key: rsa.RSAPrivateKey


def make_private_key() -> rsa.RSAPrivateKey:
    """A fresh RSA key (never written anywhere but the test's temp dir)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_key_file(path: Path, key: rsa.RSAPrivateKey, token_uri: str, email: str) -> Path:
    """A service-account key file as the Cloud console downloads it."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "salesops-test",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sheets_private_key() -> rsa.RSAPrivateKey:
    """One RSA key per test session (generating one takes a moment)."""
    return make_private_key()


@pytest.fixture
def sheets_emulator(sheets_private_key: rsa.RSAPrivateKey) -> Iterator[SheetsEmulator]:
    """A running emulator that trusts the session's service-account key."""
    emulator = SheetsEmulator(sheets_private_key.public_key()).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def service_account(
    tmp_path: Path, sheets_private_key: rsa.RSAPrivateKey, sheets_emulator: SheetsEmulator
) -> ServiceAccount:
    """A key file whose token_uri is the emulator's token endpoint."""
    path = write_key_file(
        tmp_path / "service-account.json",
        sheets_private_key,
        sheets_emulator.token_uri,
        CLIENT_EMAIL,
    )
    return ServiceAccount(path, CLIENT_EMAIL, sheets_private_key)


@pytest.fixture
def sheets_env(
    monkeypatch: pytest.MonkeyPatch,
    sheets_emulator: SheetsEmulator,
    service_account: ServiceAccount,
) -> SheetsEmulator:
    """SALESOPS_GOOGLE_CREDENTIALS and SALESOPS_SHEETS_API_URL pointed at the emulator."""
    monkeypatch.setenv("SALESOPS_GOOGLE_CREDENTIALS", str(service_account.key_path))
    monkeypatch.setenv("SALESOPS_SHEETS_API_URL", sheets_emulator.url)
    return sheets_emulator
