"""Fixtures every test module can ask for by name.

- `sheets_private_key`, `sheets_emulator`, `service_account`, `sheets_env`: the Sheets API v4
  emulator on a free loopback port and a service account it trusts
  (`tests/sheets_emulator/fixtures.py`);
- `redis_url`, `processes`: a real redis-server and `salesops serve` / `worker` processes,
  stopped and cleaned up after the test (`tests/server_fixtures.py`).
"""

pytest_plugins = ["tests.sheets_emulator.fixtures", "tests.server_fixtures"]
