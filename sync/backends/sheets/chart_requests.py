"""The Sheets API requests for a computed tab's charts: their spec, where they float, and
whether a chart Google answers with already holds the planned spec."""

from __future__ import annotations

from typing import Any

from sync.backends.sheets.requests import grid_range
from sync.contract.plan import ChartSpec

_CHART_TYPES = {"bar": "BAR", "column": "COLUMN", "line": "LINE"}


def chart_spec(chart: ChartSpec, sheet_id: int) -> dict[str, Any] | None:
    """The ChartSpec JSON of a planned chart (None when it has no data rows)."""
    series = [s for s in chart.series if s.last_row >= s.first_row]
    if not series:
        return None
    first = min(s.first_row for s in series)
    last = max(s.last_row for s in series)
    kind = _CHART_TYPES[chart.kind]
    value_axis = "BOTTOM_AXIS" if kind == "BAR" else "LEFT_AXIS"
    category_axis = "LEFT_AXIS" if kind == "BAR" else "BOTTOM_AXIS"

    def source(column: int, top: int, bottom: int) -> dict[str, Any]:
        # Data row 0 is sheet row index 1 (row 1 holds the headers).
        return {
            "sourceRange": {
                "sources": [grid_range(sheet_id, top + 1, bottom + 2, column, column + 1)]
            }
        }

    return {
        "title": chart.title,
        "basicChart": {
            "chartType": kind,
            "legendPosition": "BOTTOM_LEGEND" if len(series) > 1 else "NO_LEGEND",
            "axis": [
                {"position": value_axis, "title": " / ".join(s.name for s in series)},
                {"position": category_axis},
            ],
            "domains": [{"domain": source(chart.category_column, first, last)}],
            "series": [
                {"series": source(s.column, s.first_row, s.last_row), "targetAxis": value_axis}
                for s in series
            ],
            "headerCount": 0,
        },
    }


def chart_position(chart: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """Where a chart floats: anchored at a cell, with its size in pixels."""
    return {
        "overlayPosition": {
            "anchorCell": {
                "sheetId": sheet_id,
                "rowIndex": chart.anchor_row,
                "columnIndex": chart.anchor_column,
            },
            "widthPixels": chart.width_px,
            "heightPixels": chart.height_px,
        }
    }


def add_chart(chart: ChartSpec, spec: dict[str, Any], sheet_id: int) -> dict[str, Any]:
    """Add a chart the first time."""
    return {"addChart": {"chart": {"spec": spec, "position": chart_position(chart, sheet_id)}}}


def update_chart(chart_id: int, spec: dict[str, Any]) -> dict[str, Any]:
    """Replace an existing chart's spec."""
    return {"updateChartSpec": {"chartId": chart_id, "spec": spec}}


def delete_chart(chart_id: int) -> dict[str, Any]:
    """Remove a duplicate chart."""
    return {"deleteEmbeddedObject": {"objectId": chart_id}}


def contains(actual: Any, wanted: Any) -> bool:
    """Whether `actual` holds every field of `wanted` (Google may add defaults to specs).

    A field Google leaves out of its answer holds its default (0, false, "", empty), as in
    any proto3 JSON answer, so it matches a wanted default: a chart whose category column
    is column A (`startColumnIndex` 0) is not rewritten on every sync.
    """
    if isinstance(wanted, dict):
        actual = {} if actual is None else actual
        return isinstance(actual, dict) and all(
            contains(actual.get(key), value) for key, value in wanted.items()
        )
    if isinstance(wanted, list):
        actual = [] if actual is None else actual
        return (
            isinstance(actual, list)
            and len(actual) == len(wanted)
            and all(contains(a, w) for a, w in zip(actual, wanted, strict=True))
        )
    if actual is None:
        return wanted is None or wanted in (0, "")  # 0 also matches False
    return actual == wanted
