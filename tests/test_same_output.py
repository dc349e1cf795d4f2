"""Every computed cell, Data Issue, read grid and computed tab's sheet XML as before.

The fingerprints in tests/data/computed_digests.json were taken from the code before the
reader, validation, computations and writer were made faster (see computed_digests.py):
the demo business at two sizes, the demo as an .xlsx file, and the four real datasets.
"""

from __future__ import annotations

import json
from pathlib import Path

from computed_digests import digests

EXPECTED = json.loads((Path(__file__).parent / "data" / "computed_digests.json").read_text())


def test_every_workbook_computes_to_the_same_bytes() -> None:
    found = digests()
    assert sorted(found) == sorted(EXPECTED)
    changed = [
        f"{workbook}: {tab}"
        for workbook, tabs in EXPECTED.items()
        for tab, digest in tabs.items()
        if found[workbook].get(tab) != digest
    ]
    assert changed == []
    assert all(sorted(found[workbook]) == sorted(tabs) for workbook, tabs in EXPECTED.items())
