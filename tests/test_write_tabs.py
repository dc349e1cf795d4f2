"""Computed tables become write plans with the right value types."""

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.contract.tables import Issue
from sync.write.tabs import (
    frame_output,
    goal_progress_output,
    issues_frame,
    plain_column,
    plain_value,
)


def test_plain_values_are_what_a_backend_can_write():
    assert plain_value(float("nan"), "money") is None
    assert plain_value(pd.NaT, "date") is None
    assert plain_value(pd.Timestamp("2026-11-03 10:00"), "date") == date(2026, 11, 3)
    assert plain_value(2.6, "integer") == 3
    assert plain_value(7, "money") == 7.0 and isinstance(plain_value(7, "money"), float)
    assert plain_value("=IMPORTXML(a)", "text") == "=IMPORTXML(a)"


def test_goal_amounts_are_money_only_on_money_metrics():
    frame = pd.DataFrame(
        [[2, "Company", "Revenue", 1000.0, 400.0], [3, "Ana", "Deals Won", 10.0, 4.0]],
        columns=["Goal Row", "Owner", "Metric", "Target", "Actual"],
    ).reindex(columns=["Goal Row", "Owner", "Metric", "Product", "Region", "Period Start",
                       "Period End", "Target", "Actual", "Attainment", "Expected By Now",
                       "Pace", "Forecast", "Gap", "SMART"])
    output = goal_progress_output(frame, "EUR")
    target = output.headers.index("Target")
    assert output.cell_format(0, target) == '"€"#,##0.00;-"€"#,##0.00'
    assert output.cell_format(1, target) == "#,##0.0"
    assert output.cell_format(0, output.headers.index("Attainment")) == "0.0%"


def test_data_issues_list_errors_first_then_by_tab_and_row():
    frame = issues_frame([
        Issue(tab="Pipeline", row=9, severity="Warning", problem="w"),
        Issue(tab="Orders", row=3, severity="Error", problem="e2"),
        Issue(tab="Goals", row=5, severity="Error", problem="e1"),
    ])
    assert frame["Problem"].tolist() == ["e1", "e2", "w"]
    output = frame_output("Data Issues", frame, "USD")
    assert output.rows[0] == ["Goals", 5, "", "", "Error", "e1"]


@pytest.mark.parametrize("value_type", ["datetime", "date", "text"])
@pytest.mark.parametrize("unit", ["us", "ns", "s"])
def test_a_time_column_is_written_as_its_cells_one_by_one(value_type, unit):
    # the Stage Log's Changed At: a column at a time, the same values as plain_value per cell
    times = pd.Series(
        pd.to_datetime(["2026-11-28 09:00:00", None, "2026-01-02 23:59:59"])
    ).astype(f"datetime64[{unit}]")
    plain = plain_column(times, value_type)
    assert plain == [plain_value(value, value_type) for value in times]
    assert plain[1] is None
    expected = datetime(2026, 11, 28, 9)
    assert plain[0] == (expected.date() if value_type == "date" else expected)
    assert type(plain[2]) is (date if value_type == "date" else datetime)


def test_blanks_and_text_in_a_text_column_pass_through():
    column = pd.Series(["Lead", None, float("nan"), 3], dtype=object)
    assert plain_column(column, "text") == ["Lead", None, None, 3]


CELLS = st.one_of(
    st.none(), st.just(float("nan")), st.booleans(), st.text(max_size=3),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=False, width=64).filter(lambda x: abs(x) < 1e18),
    st.sampled_from([0.5, 1.5, 2.5, -2.5, 3.0, -0.0]),
)


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(CELLS, max_size=12),
    value_type=st.sampled_from(["integer", "text", "money", "percent", "number"]),
    dtype=st.sampled_from([None, object]),
)
def test_a_column_is_written_as_its_cells_one_by_one(cells, value_type, dtype):
    # whole columns of ints or floats take the column-at-a-time paths, mixed ones the
    # per-cell or per-distinct-value path: every cell as plain_value gives it (2.5 -> 2,
    # halves to even, as Python rounds)
    column = pd.Series(cells, dtype=dtype)
    assert plain_column(column, value_type) == [
        plain_value(value, value_type) for value in column.tolist()
    ]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (pd.Series([3, -7, 0]), [3, -7, 0]),
        (pd.Series([2.5, 3.5, float("nan"), -0.4]), [2, 4, None, 0]),
        (pd.Series([1, None, 5.0, True], dtype=object), [1, None, 5, 1]),
        (pd.Series([2**60, 1]), [2**60, 1]),  # beyond floats' whole numbers: one by one
    ],
)
def test_an_integer_column_is_whole_numbers(column, expected):
    plain = plain_column(column, "integer")
    assert plain == [plain_value(value, "integer") for value in column.tolist()]
    assert plain == expected and all(type(value) in (int, type(None)) for value in plain)
