"""Computed DataFrames -> `TabOutput`s, typed by the tab declarations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from sync.contract.plan import PlanColumn, TabOutput
from sync.contract.tables import Issue
from sync.schema import tab_spec

_INTEGER_TYPES = {"integer"}
_FLOAT_TYPES = {"number", "money", "percent"}


def plain_value(value: Any, value_type: str) -> Any:
    """A cell value as a plain Python value a backend can write (None for blank)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if value_type == "date" and isinstance(value, datetime):
        return value.date()
    if value_type in _INTEGER_TYPES and isinstance(value, int | float):
        return int(round(float(value)))
    if (
        value_type in _FLOAT_TYPES
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, str | date):
        return plain_value(value.item(), value_type)  # numpy scalars
    if isinstance(value, str | int | float | bool | date):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def plain_column(column: pd.Series, value_type: str) -> list[Any]:
    """`plain_value` of every cell of a column, the common cases a column at a time.

    Float columns (money, percents, figures) become Python floats with None for NaN, time
    columns Python datetimes (dates in a date column) with None for NaT, and text cells
    and blanks pass through as they are: exactly what `plain_value` gives them, without a
    call per cell. Every other cell goes through `plain_value`.
    """
    if column.dtype == np.float64 and value_type not in _INTEGER_TYPES:
        values = column.to_numpy()
        plain: list[Any] = values.tolist()
        for index in np.flatnonzero(np.isnan(values)).tolist():
            plain[index] = None
        return plain
    if value_type in _INTEGER_TYPES:
        whole = _whole_numbers(column)
        if whole is not None:
            return whole
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "M":
        # a column of times without a zone (the Stage Log's Changed At): Python datetimes
        times = pd.DatetimeIndex(column)
        plain = times.to_pydatetime().tolist()
        for index in np.flatnonzero(times.isna()).tolist():
            plain[index] = None
        if value_type == "date":
            plain = [None if moment is None else moment.date() for moment in plain]
        return plain
    cells = column.tolist()
    if column.dtype == object and infer_dtype(column, skipna=False) == "string":
        return cells  # text in every cell: plain_value hands each back as it is
    return [
        value if type(value) is str else None if value is None else plain_value(value, value_type)
        for value in cells
    ]


_EXACT = 2**53  # below it a float holds every whole number, so rounding is exact


def _whole_numbers(column: pd.Series) -> list[Any] | None:
    """An integer column's cells as `plain_value` gives them (Python ints, None for blank),
    a column or a distinct value at a time; None for a column it leaves to `plain_value`."""
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else None
    if kind in ("i", "u"):
        values = column.to_numpy()
        if len(values) and max(abs(int(values.min())), abs(int(values.max()))) >= _EXACT:
            return None
        return values.tolist()  # type: ignore[no-any-return]
    if kind == "f":
        values = column.to_numpy(dtype=float)
        blank = np.isnan(values)
        numbers = values[~blank]
        if not np.isfinite(numbers).all() or (len(numbers) and np.abs(numbers).max() >= _EXACT):
            return None
        # np.rint rounds halves to even, as Python's round does
        plain: list[Any] = np.rint(np.where(blank, 0.0, values)).astype(np.int64).tolist()
        for index in np.flatnonzero(blank).tolist():
            plain[index] = None
        return plain
    if kind == "O":
        # scores and counts held as objects repeat a few values: each converted once (equal
        # numbers such as 3, 3.0 and numpy's 3 are the same whole number)
        codes, distinct = pd.factorize(column, use_na_sentinel=True)
        converted = [plain_value(value, "integer") for value in distinct] + [None]
        return [converted[code] for code in codes.tolist()]
    return None


def frame_output(tab: str, frame: pd.DataFrame, currency: str) -> TabOutput:
    """The TabOutput of a computed tab from its DataFrame (columns = declared headers)."""
    spec = tab_spec(tab)
    columns = [PlanColumn(c.header, c.type, c.width) for c in spec.columns]
    missing = [c.header for c in spec.columns if c.header not in frame.columns]
    if missing:
        raise ValueError(f"{tab} table lacks columns {missing}")
    cells = [plain_column(frame[c.header], c.type) for c in spec.columns]
    rows = list(map(list, zip(*cells, strict=True))) if cells else []
    return TabOutput(
        name=tab, columns=columns, rows=rows, currency=currency, append_only=spec.append_only
    )


SEVERITY_ORDER = {"Error": 0, "Warning": 1}


def issues_frame(issues: Sequence[Issue]) -> pd.DataFrame:
    """The Data Issues table: errors first, then by tab and row."""
    ordered = sorted(
        issues,
        key=lambda issue: (SEVERITY_ORDER[issue.severity], issue.tab, issue.row or 0, issue.column),
    )
    return pd.DataFrame(
        [[i.tab, i.row, i.column, i.value, i.severity, i.problem] for i in ordered],
        columns=["Tab", "Row", "Column", "Value", "Severity", "Problem"],
    )


MONEY_METRICS = {"Revenue", "Pipeline Created"}
GOAL_AMOUNT_COLUMNS = ("Target", "Actual", "Expected By Now", "Forecast", "Gap")


def goal_progress_output(frame: pd.DataFrame, currency: str) -> TabOutput:
    """Goal Progress, whose amounts are money on Revenue and Pipeline Created rows and
    counts on the others."""
    output = frame_output("Goal Progress", frame, currency)
    metric = output.headers.index("Metric")
    amounts = [output.headers.index(header) for header in GOAL_AMOUNT_COLUMNS]
    for row_index, row in enumerate(output.rows):
        if row[metric] in MONEY_METRICS:
            output.cell_types.update({(row_index, column): "money" for column in amounts})
    return output
