"""Fixtures every test module can ask for by name.

- `sheets_private_key`, `sheets_emulator`, `service_account`, `sheets_env`: the Sheets API v4
  emulator on a free loopback port and a service account it trusts
  (`tests/sheets_emulator/fixtures.py`);
- `redis_url`, `processes`: a real redis-server and `salesops serve` / `worker` processes,
  stopped and cleaned up after the test (`tests/server_fixtures.py`).
"""

import pytest

pytest_plugins = ["tests.sheets_emulator.fixtures", "tests.server_fixtures"]


@pytest.fixture(autouse=True)
def _own_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Each test keeps what a sync remembers (`cache_dir`) in a folder of its own, never in
    the user's cache: a test's scans are never skipped because another test's passed."""
    monkeypatch.setenv("SALESOPS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
