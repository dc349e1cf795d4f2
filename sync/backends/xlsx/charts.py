"""DrawingML for the native charts of a computed tab: one drawing part, one part per chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sync.a1 import column_letter, quote_tab
from sync.backends.xlsx.sheet_xml import escape, xml_safe_text
from sync.contract.plan import ChartSpec, TabOutput, number_format

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EMU_PER_PIXEL = 9525
_CATEGORY_AXIS, _VALUE_AXIS = 500000001, 500000002
# Series colours from a palette that stays distinct for colour-blind readers.
_TICKS = '<c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
_PALETTE = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47")


def drawing_xml(charts: Sequence[ChartSpec], chart_rel_ids: Sequence[str]) -> bytes:
    """The drawing part that places each chart at its anchor cell."""
    anchors = []
    for number, (chart, rel_id) in enumerate(zip(charts, chart_rel_ids, strict=True), start=1):
        anchors.append(
            "<xdr:oneCellAnchor>"
            f"<xdr:from><xdr:col>{chart.anchor_column}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{chart.anchor_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{chart.width_px * EMU_PER_PIXEL}" '
            f'cy="{chart.height_px * EMU_PER_PIXEL}"/>'
            '<xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{number + 1}" name="{escape(chart.title)}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" r:id="{rel_id}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:oneCellAnchor>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}">{"".join(anchors)}</xdr:wsDr>'
    ).encode()


def chart_xml(chart: ChartSpec, output: TabOutput) -> bytes:
    """The chart part: a bar, column or line chart over cells of the computed tab."""
    value_format = number_format(chart.value_format, output.currency) or "General"
    # Axis labels read better without the cells' decimals ($800,000 rather than $800,000.00).
    axis_format = value_format.replace(".00", "").replace("0.0%", "0%").replace(".0", "")
    series = "".join(
        _series_xml(chart, index, output, value_format) for index in range(len(chart.series))
    )
    axes_ids = f'<c:axId val="{_CATEGORY_AXIS}"/><c:axId val="{_VALUE_AXIS}"/>'
    if chart.kind == "line":
        plot = (
            '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
            f'{series}<c:marker val="1"/>{axes_ids}</c:lineChart>'
        )
    else:
        direction = "bar" if chart.kind == "bar" else "col"
        plot = (
            f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="clustered"/>'
            f'<c:varyColors val="0"/>{series}<c:gapWidth val="80"/>{axes_ids}</c:barChart>'
        )
    # A horizontal bar chart lists its categories down the left side.
    category_side, value_side = ("l", "b") if chart.kind == "bar" else ("b", "l")
    # Its first category goes on top, so the value axis must cross at the last one to
    # stay at the bottom.
    value_crosses = "max" if chart.kind == "bar" else "autoZero"
    title = escape(xml_safe_text(chart.title))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<c:roundedCorners val="0"/><c:chart>'
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr b="1" sz="1400"/></a:pPr>'
        f'<a:r><a:rPr b="1" sz="1400"/><a:t>{title}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        f"<c:plotArea><c:layout/>{plot}"
        f'<c:catAx><c:axId val="{_CATEGORY_AXIS}"/><c:scaling><c:orientation '
        f'val="{"maxMin" if chart.kind == "bar" else "minMax"}"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{category_side}"/>'
        '<c:numFmt formatCode="General" sourceLinked="0"/>'
        f"{_TICKS}<c:tickLblPos val=\"low\"/>"
        f'<c:crossAx val="{_VALUE_AXIS}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{_VALUE_AXIS}"/><c:scaling><c:orientation val="minMax"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{value_side}"/><c:majorGridlines/>'
        f'<c:numFmt formatCode="{escape(axis_format)}" sourceLinked="0"/>'
        f'{_TICKS}<c:tickLblPos val="nextTo"/><c:crossAx val="{_CATEGORY_AXIS}"/>'
        f'<c:crosses val="{value_crosses}"/><c:crossBetween val="between"/></c:valAx>'
        "</c:plotArea>"
        f'<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        "</c:chartSpace>"
    ).encode()


def _series_xml(chart: ChartSpec, index: int, output: TabOutput, value_format: str) -> str:
    series = chart.series[index]
    sheet = quote_tab(output.name)
    first, last = series.first_row + 2, series.last_row + 2  # data row 0 is sheet row 2
    category_letter = column_letter(chart.category_column)
    value_letter = column_letter(series.column)
    rows = output.rows[series.first_row : series.last_row + 1]
    categories = [_cell(row, chart.category_column) for row in rows]
    values = [_cell(row, series.column) for row in rows]
    colour = _PALETTE[index % len(_PALETTE)]
    shape = (
        f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:ln>'
        '</c:spPr><c:marker><c:symbol val="circle"/><c:size val="5"/></c:marker>'
        if chart.kind == "line"
        else f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
    )
    category_points = "".join(
        f'<c:pt idx="{i}"><c:v>{escape(xml_safe_text(_label(v)))}</c:v></c:pt>'
        for i, v in enumerate(categories)
        if v is not None
    )
    value_points = "".join(
        f'<c:pt idx="{i}"><c:v>{float(v)!r}</c:v></c:pt>'
        for i, v in enumerate(values)
        if isinstance(v, int | float) and not isinstance(v, bool) and v == v
    )
    smooth = '<c:smooth val="0"/>' if chart.kind == "line" else ""
    return (
        f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
        f"<c:tx><c:v>{escape(xml_safe_text(series.name))}</c:v></c:tx>{shape}"
        f"<c:cat><c:strRef><c:f>{escape(sheet)}!${category_letter}${first}:"
        f'${category_letter}${last}</c:f><c:strCache><c:ptCount val="{len(rows)}"/>'
        f"{category_points}</c:strCache></c:strRef></c:cat>"
        f"<c:val><c:numRef><c:f>{escape(sheet)}!${value_letter}${first}:${value_letter}${last}"
        f"</c:f><c:numCache><c:formatCode>{escape(value_format)}</c:formatCode>"
        f'<c:ptCount val="{len(rows)}"/>{value_points}</c:numCache></c:numRef></c:val>'
        f"{smooth}</c:ser>"
    )


def _cell(row: Sequence[Any], column: int) -> Any:
    return row[column] if column < len(row) else None


def _label(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
