"""`salesops demo` builds the new demo beside the old one: the old file is never lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from sync.backends.xlsx.backend import TEMP_SUFFIX, XlsxBackend
from sync.demo.workbook import write_demo_workbook
from sync.errors import WorkbookReadOnlyError
from tests.workbook_files import digest, sheet_names

TESTS = Path(__file__).parent
ROOT = TESTS.parent
TODAY = date(2026, 11, 20)
BIG_DEMO_SIZE = 5  # several seconds of work, so every kill lands before the rename

CHILD = f"""
import sys
from datetime import date
from pathlib import Path
from sync.demo.workbook import write_demo_workbook
print("writing", flush=True)
write_demo_workbook(Path(sys.argv[1]), size={BIG_DEMO_SIZE}, seed=11, today=date(2026, 11, 20))
print("done", flush=True)
"""


def only_temp_files_beside(path: Path) -> bool:
    leftovers = {p.name for p in path.parent.iterdir() if p.is_file()} - {path.name}
    return all(
        name.startswith(f".{path.name}.") and name.endswith(TEMP_SUFFIX) for name in leftovers
    )


@pytest.fixture(scope="module")
def old_demo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a demo workbook written earlier (seed 7)."""
    path = tmp_path_factory.mktemp("old") / "demo.xlsx"
    return write_demo_workbook(path, today=TODAY).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 1.0, 2.5])
def test_a_killed_demo_leaves_the_old_demo_file_intact(
    tmp_path: Path, old_demo: bytes, delay: float
) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(old_demo)
    original = digest(path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    time.sleep(delay)  # a pause before the kill, not a timing assertion
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    child.stdout.close()

    # On a fast machine the demo may finish before the kill: then it must have replaced
    # the old file whole, as below.
    assert child.returncode in (-signal.SIGKILL, 0)
    # Killed before the rename: the old file, byte for byte. Killed after it (a fast
    # machine): the whole new demo. Never a damaged or missing workbook.
    if digest(path) != original:
        (tmp_path / "old").mkdir()
        old = tmp_path / "old" / "demo.xlsx"
        old.write_bytes(old_demo)
        orders = XlsxBackend(path).read(["Orders"])["Orders"]
        assert len(orders) > len(XlsxBackend(old).read(["Orders"])["Orders"])  # the big demo
        assert "Stage Log" in sheet_names(path)
    assert XlsxBackend(path).read(["Team"])["Team"][0][0] == "Rep"
    assert only_temp_files_beside(path)


def test_a_demo_that_fails_midway_leaves_the_old_demo_file_intact(
    tmp_path: Path, old_demo: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(old_demo)

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(XlsxBackend, "write", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_demo_workbook(path, seed=11, today=TODAY)
    assert path.read_bytes() == old_demo
    assert [p.name for p in tmp_path.iterdir()] == ["demo.xlsx"]


def test_a_new_demo_replaces_the_old_one_in_one_step(tmp_path: Path, old_demo: bytes) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(old_demo)
    path.chmod(0o640)
    write_demo_workbook(path, seed=11, today=TODAY)
    assert path.read_bytes() != old_demo
    assert path.stat().st_mode & 0o777 == 0o640
    assert "Stage Log" in sheet_names(path)
    assert [p.name for p in tmp_path.iterdir()] == ["demo.xlsx"]


def test_a_demo_through_a_link_writes_the_linked_file(tmp_path: Path, old_demo: bytes) -> None:
    real = tmp_path / "shared" / "demo.xlsx"
    real.parent.mkdir()
    real.write_bytes(old_demo)
    link = tmp_path / "demo.xlsx"
    link.symlink_to(real)
    write_demo_workbook(link, seed=11, today=TODAY)
    assert link.is_symlink()
    assert real.read_bytes() != old_demo


def test_a_read_only_demo_file_is_refused(tmp_path: Path, old_demo: bytes) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(old_demo)
    path.chmod(0o444)
    with pytest.raises(WorkbookReadOnlyError, match="read-only"):
        write_demo_workbook(path, seed=11, today=TODAY)
    assert path.read_bytes() == old_demo
