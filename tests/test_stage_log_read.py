"""Reading the Stage Log once per distinct value gives what reading every cell gives.

`read_stage_log` remembers each distinct (column, value) it has read. Hypothesis builds
logs whose cells repeat (deal IDs, stages, sync times, unreadable text, error cells) and
checks the whole log read at once against each row read on its own, where nothing can be
remembered from another row: same values, same rows, same Warnings.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.contract.grid import CellError
from sync.read.columns import ReadContext
from sync.read.validate import read_stage_log
from sync.schema import tab_spec

HEADERS = tab_spec("Stage Log").headers
values = st.sampled_from([
    None, "", "  ", "D-1", "D-2", " d-1 ", "Lead", "Won", 42, 42.0, True, 3.5,
    datetime(2026, 1, 2, 9, 30), datetime(2026, 1, 2, 9, 30, 1), date(2026, 1, 3),
    "2026-01-04 10:00", "04/01/2026", "not a time", 46000.5, float("nan"),
    CellError("#N/A"), CellError("#REF!"), "#N/A", "#REF!",
])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(values, min_size=0, max_size=5), max_size=15),
    date_format=st.sampled_from(["YMD", "DMY", "MDY"]),
)
def test_the_log_read_whole_equals_each_row_read_alone(rows, date_format) -> None:
    context = ReadContext(date_format)
    whole, whole_issues = read_stage_log([HEADERS, *rows], context)
    parts, part_issues = [], []
    for offset, row in enumerate(rows):
        # the row keeps its sheet row number: blank rows above it stand in for the others
        log, issues = read_stage_log([HEADERS, *([[]] * offset), row], context)
        parts.append(log)
        part_issues += issues
    alone = pd.concat(parts, ignore_index=True) if parts else whole.iloc[0:0]
    pd.testing.assert_frame_equal(whole, alone.astype(whole.dtypes.to_dict()))
    assert whole_issues == part_issues
