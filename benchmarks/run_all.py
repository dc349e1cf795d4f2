"""Run every benchmark and write its figures into docs/performance.md: `make bench`.

    .venv/bin/python benchmarks/run_all.py [--only sizes|xlsx|sheets] [--no-docs] [--quick]

- `bench_sizes.py` (demo sizes 1, 4, 40 and 200 and the full UCI Online Retail data: one
  `salesops sync` end to end, split by step, against the naive scripts) rewrites its own
  `## Sync end to end, by size` section;
- `bench_xlsx.py --sizes 1 10 25 --repeat 3` prints a table; it replaces the table of the
  `## Local workbook (.xlsx)` section (the words around it stay as written);
- `bench_sheets.py` rewrites its own `## Google Sheets` section.
The one-off `## Google Sheets at 5 million cells` run (5 minutes, 1.8 GB) is not repeated
here: its command is in its section.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PERFORMANCE = ROOT / "docs" / "performance.md"
XLSX_SECTION = "## Local workbook (.xlsx)"
XLSX_ARGS = ["--sizes", "1", "10", "25", "--repeat", "3"]


def markdown_table(output: str) -> str:
    """The first Markdown table (consecutive `|` lines) in a benchmark's output."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        raise ValueError("the benchmark printed no table")
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[start:end])


def replace_section_table(text: str, heading: str, table: str) -> str:
    """`text` with the first table under `heading` (before the next `## `) replaced."""
    section = re.search(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", text, re.S | re.M)
    if section is None:
        raise ValueError(f"docs/performance.md has no {heading!r} section")
    body = section.group(0)
    old = re.search(r"^\|.*\n(?:\|.*\n?)*", body, re.M)
    if old is None:
        raise ValueError(f"the {heading!r} section has no table to replace")
    new_body = body[: old.start()] + table.rstrip("\n") + "\n" + body[old.end() :]
    return text[: section.start()] + new_body + text[section.end() :]


def run(script: str, *args: str) -> str:
    """Run one benchmark with this interpreter, showing and returning its output."""
    command = [sys.executable, str(HERE / script), *args]
    print("$", " ".join(command[1:]), flush=True)
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    sys.stdout.write(completed.stdout)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"{script} failed (exit {completed.returncode})")
    return completed.stdout


def main() -> None:
    """Run the benchmarks and record their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sizes", "xlsx", "sheets"], help="run one benchmark")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    parser.add_argument("--quick", action="store_true",
                        help="the smallest size once, print only (a check that they run)")
    args = parser.parse_args()
    if args.quick:
        args.no_docs = True
    if args.only in (None, "sizes"):
        run("bench_sizes.py", *(["--quick"] if args.quick else []),
            *(["--no-docs"] if args.no_docs else []))
    if args.only in (None, "xlsx"):
        xlsx_args = ["--sizes", "1", "--repeat", "1"] if args.quick else XLSX_ARGS
        table = markdown_table(run("bench_xlsx.py", *xlsx_args))
        if not args.no_docs:
            text = PERFORMANCE.read_text(encoding="utf-8")
            PERFORMANCE.write_text(replace_section_table(text, XLSX_SECTION, table),
                                   encoding="utf-8")
    if args.only in (None, "sheets"):
        run("bench_sheets.py", *(["--no-docs"] if args.no_docs else []),
            *(["--sizes", "1"] if args.quick else []))
    if not args.no_docs:
        print(f"Updated {PERFORMANCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
