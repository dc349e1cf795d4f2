"""The Dashboard tab as written: the KPI table, the chart data beside it, charts below it.

One rectangle, header on row 1:

    A-D  KPI | Value | Target | Status      (13 key figures)
    E    (blank)
    F-G  Stage | Reached                    (funnel chart data)
    H    (blank)
    I-J  Rep | Attainment                   (attainment chart data)
    K    (blank)
    L-M  Period | Revenue                   (revenue chart data)

The three charts sit under the KPI table, one under the other in columns A-D, so they
never overlap each other, the figures or the chart data.
"""

from __future__ import annotations

import math
from typing import Any, cast

import pandas as pd

from sync.compute.dashboard import DashboardData
from sync.contract.plan import ChartSeries, ChartSpec, PlanColumn, TabOutput
from sync.schema import tab_spec
from sync.schema.declarations import ColumnType
from sync.write.tabs import plain_value

# 480 px is about the width of A-D (66 characters), so the charts never cover the chart
# data from column F on; 288 px is under 15 default rows (20-21 px), 16 keep a margin
CHART_WIDTH_PX, CHART_HEIGHT_PX = 480, 288
CHART_ROWS = 16
# Beyond this many reps the attainment chart turns into horizontal bars that grow with the
# team, so every name stays readable (30 reps in 288 px of columns overlap their labels).
MANY_REPS = 8
ROW_PX, BAR_PX, CHART_FRAME_PX = 20, 18, 90


def _block(frame: pd.DataFrame, types: tuple[ColumnType, ColumnType]) -> list[list[Any]]:
    return [
        [plain_value(value, value_type) for value, value_type in zip(record, types, strict=True)]
        for record in frame.itertuples(index=False, name=None)
    ]


def _chart(
    title: str, kind: str, column: int, rows: int, anchor_row: int, value_format: str,
    series_name: str, height_px: int = CHART_HEIGHT_PX,
) -> ChartSpec:
    # an empty block still gets its chart, over one blank row, so the layout never shifts
    last = max(rows, 1) - 1
    return ChartSpec(
        title=title,
        kind=cast(Any, kind),
        category_column=column,
        series=(ChartSeries(series_name, column + 1, 0, last),),
        anchor_row=anchor_row,
        anchor_column=0,
        width_px=CHART_WIDTH_PX,
        height_px=height_px,
        value_format=cast(Any, value_format),
    )


def dashboard_columns() -> list[PlanColumn]:
    """The Dashboard's 13 columns as declared: the key figures, then the charts' data."""
    spec = tab_spec("Dashboard")
    return [PlanColumn(column.header, column.type, column.width)
            for column in (*spec.columns, *spec.chart_data)]


def dashboard_output(data: DashboardData, currency: str) -> TabOutput:
    """The Dashboard's TabOutput: figures with per-cell formats, chart data and 3 charts."""
    columns = dashboard_columns()
    headers = [column.header for column in columns]
    funnel_column, attainment_column, revenue_column = (
        headers.index("Stage"), headers.index("Rep"), headers.index("Period"))
    kpis = data.kpis
    kpi_rows = []
    cell_types: dict[tuple[int, int], ColumnType] = {}
    for index, (name, value, target, status, value_type) in enumerate(
        kpis[["KPI", "Value", "Target", "Status", "Type"]].itertuples(index=False, name=None)
    ):
        kind = cast(ColumnType, value_type)
        cell_types[(index, 1)] = kind
        cell_types[(index, 2)] = kind
        kpi_rows.append([
            name, plain_value(value, kind), plain_value(target, kind),
            None if status is None or (isinstance(status, float) and math.isnan(status))
            else str(status),
        ])
    blocks = [
        (kpi_rows, 0, 4),
        (_block(data.funnel_chart[["Stage", "Reached"]], ("text", "integer")), funnel_column, 2),
        (_block(data.attainment_chart[["Rep", "Attainment"]], ("text", "percent")),
         attainment_column, 2),
        (_block(data.revenue_chart[["Period", "Revenue"]], ("text", "money")), revenue_column, 2),
    ]
    height = max(len(block) for block, _, _ in blocks)
    rows: list[list[Any]] = [[None] * len(columns) for _ in range(height)]
    for block, first_column, width in blocks:
        for index, values in enumerate(block):
            rows[index][first_column:first_column + width] = values

    first_chart_row = len(kpi_rows) + 2  # header row + figures, then one blank row
    reps = len(data.attainment_chart)
    attainment_kind, attainment_px, attainment_rows = "column", CHART_HEIGHT_PX, CHART_ROWS
    if reps > MANY_REPS:
        attainment_kind = "bar"
        attainment_px = max(CHART_HEIGHT_PX, reps * BAR_PX + CHART_FRAME_PX)
        attainment_rows = math.ceil(attainment_px / ROW_PX) + 1
    charts = [
        _chart("Funnel: deals that reached each stage", "bar", funnel_column,
               len(data.funnel_chart), first_chart_row, "integer", "Reached"),
        _chart("Quota attainment by rep", attainment_kind, attainment_column, reps,
               first_chart_row + CHART_ROWS, "percent", "Attainment", attainment_px),
        _chart("Revenue by period", "column", revenue_column, len(data.revenue_chart),
               first_chart_row + CHART_ROWS + attainment_rows, "money", "Revenue"),
    ]
    return TabOutput(
        name="Dashboard", columns=columns, rows=rows, currency=currency,
        cell_types=cell_types, charts=charts,
    )
