"""`make bench`'s size table: the benchmark runs and rewrites only its own section."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_bench_sizes():
    """benchmarks/bench_sizes.py as a module (benchmarks/ is a folder of scripts)."""
    spec = importlib.util.spec_from_file_location(
        "bench_sizes", ROOT / "benchmarks" / "bench_sizes.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sizes"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quick_run_times_a_fresh_sync_and_both_naive_scripts(tmp_path):
    completed = subprocess.run(
        [sys.executable, "benchmarks/bench_sizes.py", "--quick", "--cache", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=900,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    row = next(line for line in lines if line.startswith("| demo --size 1 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    header = next(line for line in lines if line.startswith("| workbook | input cells"))
    assert len(cells) == len(header.strip("|").split("|")) == 18
    # the demo's input tabs and Stage Log as read: tens of thousands of cells, one run
    assert 20_000 < int(cells[1].replace(",", "")) < 40_000
    assert cells[2] == "1"
    assert all(float(cell) >= 0 for cell in cells[3:12])  # the first sync's (4) included
    assert cells[15] != "-" and cells[16] != "-"  # both Sheets paths ran
    split = next(line for line in lines if line.startswith("| workbook | Stage Log |"))
    assert "| Funnel |" in split and "| write plan |" in split
    assert (tmp_path / "demo-1.xlsx").exists()  # built once, kept for the next run


def test_docs_section_is_replaced_and_the_rest_of_the_page_kept(tmp_path):
    bench = load_bench_sizes()
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\nIntro.\n\n## Local workbook (.xlsx)\n\nold words\n",
                    encoding="utf-8")
    bench.write_docs(f"{bench.SECTION}\n\nfirst figures\n", page)
    assert page.read_text(encoding="utf-8") == (
        "# Performance\n\nIntro.\n\n## Sync end to end, by size\n\nfirst figures\n\n"
        "## Local workbook (.xlsx)\n\nold words\n"
    )
    bench.write_docs(f"{bench.SECTION}\n\nsecond figures\n", page)
    assert page.read_text(encoding="utf-8") == (
        "# Performance\n\nIntro.\n\n## Sync end to end, by size\n\nsecond figures\n\n"
        "## Local workbook (.xlsx)\n\nold words\n"
    )
