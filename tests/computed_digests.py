"""Fingerprints of every computed cell and Data Issue of fixed workbooks, kept to catch change.

A faster reader, validator, computation or writer must give the same output to the byte.
`digests()` syncs the demo business (as grids, and as an .xlsx file through the real
reader and writer) and the real datasets of tests/data/, and returns a SHA-256 per
workbook and tab of:
- every value of every computed tab as the write plan holds it (type and `repr`, so
  `1.0` and `1`, `0.1 + 0.2` and `0.3` differ), Data Issues included;
- for the .xlsx file, every grid the reader returns and the sheet XML of each computed tab.

    .venv/bin/python tests/computed_digests.py > tests/data/computed_digests.json

writes the fingerprints of the code as it is; `test_same_output.py` compares against them.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from real_datasets import (  # noqa: E402
    CDNOW_AS_OF,
    INDIA_AS_OF,
    MAVEN_AS_OF,
    UCI_AS_OF,
    cdnow_grids,
    india_grids,
    maven_grids,
    uci_grids,
)

from sync.backends.xlsx.backend import XlsxBackend  # noqa: E402
from sync.backends.xlsx.template import write_input_workbook  # noqa: E402
from sync.demo.workbook import demo_grids  # noqa: E402
from sync.engine import compute_tabs, sync_workbook  # noqa: E402
from sync.read import validate_workbook  # noqa: E402
from sync.schema import computed_tabs, input_tabs  # noqa: E402

DEMO_DAY = date(2026, 11, 26)
DEMO_NOW = datetime(2026, 11, 26, 9, 0)


def _fingerprint(rows: Any) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr([(type(value).__name__, value) for value in row]).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _computed(grids: dict[str, Any], today: date, now: datetime) -> dict[str, str]:
    tables, issues = validate_workbook(grids, today=today)
    computed = compute_tabs(tables, issues, now)
    return {
        output.name: _fingerprint([output.headers, *output.rows]) for output in computed.outputs
    }


def _xlsx(size: int) -> dict[str, str]:
    """The demo as an .xlsx file: what the reader returns, and the sheet XML it writes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.xlsx"
        write_input_workbook(path, demo_grids(size, 7, today=DEMO_DAY))
        backend = XlsxBackend(path)
        grids = backend.read([*(spec.tab for spec in input_tabs()), "Stage Log"])
        found = {f"read {tab}": _fingerprint(grid) for tab, grid in sorted(grids.items())}
        sync_workbook(backend, now=DEMO_NOW)
        with zipfile.ZipFile(path) as package:
            names = _sheet_parts(package)
            for tab in (spec.tab for spec in computed_tabs()):
                found[f"xml {tab}"] = hashlib.sha256(package.read(names[tab])).hexdigest()
        return found


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Each tab's worksheet part, from workbook.xml and its relationships."""
    import re

    workbook = package.read("xl/workbook.xml").decode()
    rels = package.read("xl/_rels/workbook.xml.rels").decode()
    targets = {
        match[0]: match[1]
        for match in re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update({
        match[1]: match[0]
        for match in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
    })
    parts = {}
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        target = targets[rid].lstrip("/")
        parts[name.replace("&amp;", "&")] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def digests() -> dict[str, dict[str, str]]:
    """Fingerprints per workbook, then per tab."""
    noon = time(12)
    return {
        "demo 1": _computed(demo_grids(1, 7, today=DEMO_DAY), DEMO_DAY, DEMO_NOW),
        "demo 4": _computed(demo_grids(4, 7, today=DEMO_DAY), DEMO_DAY, DEMO_NOW),
        "demo 2 xlsx": _xlsx(2),
        "maven": _computed(
            maven_grids(with_history=True), MAVEN_AS_OF, datetime.combine(MAVEN_AS_OF, noon)
        ),
        "cdnow": _computed(cdnow_grids(), CDNOW_AS_OF, datetime.combine(CDNOW_AS_OF, noon)),
        "uci": _computed(uci_grids(), UCI_AS_OF, datetime.combine(UCI_AS_OF, noon)),
        "india": _computed(india_grids(), INDIA_AS_OF, datetime.combine(INDIA_AS_OF, noon)),
    }


if __name__ == "__main__":
    print(json.dumps(digests(), indent=1, sort_keys=True))
