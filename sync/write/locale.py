"""A computed tab in the workbook's locale: headers, the product's own words, chart titles.

Compute modules work in SPEC's English words; this is the one step that writes them in the
workbook's `Locale`. Headers are the declared zh-CN labels; cells of columns declared
`translate: true` (segments, lifecycle, status, pace, severity, ...) and the Dashboard's KPI
names, headers and chart titles come from the catalogue (`sync/i18n.py`). Tab names stay as
they are. English output is returned untouched.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sync.contract.plan import TabOutput
from sync.i18n import translate
from sync.schema import tab_spec

DASHBOARD_WORDS = (0, 3)  # the KPI name and its Status


def _word(value: Any, locale: str) -> Any:
    return translate(value, locale) if isinstance(value, str) else value


def _column_label(tab: Any, header: Any, locale: str) -> Any:
    """A Data Issues `Column` cell: the input column's declared label in this locale."""
    try:
        spec = tab_spec(str(tab))
    except KeyError:
        return header
    for column in spec.columns:
        if column.header == header:
            return column.label(locale)
    return header


def _dashboard(output: TabOutput, locale: str) -> TabOutput:
    output.columns = [replace(column, header=_word(column.header, locale))
                      for column in output.columns]
    for row in output.rows:
        for index in DASHBOARD_WORDS:
            row[index] = _word(row[index], locale)
    output.charts = [
        replace(chart, title=_word(chart.title, locale),
                series=tuple(replace(series, name=_word(series.name, locale))
                             for series in chart.series))
        for chart in output.charts
    ]
    return output


def localized(output: TabOutput, locale: str) -> TabOutput:
    """The tab as a workbook of this locale shows it (English: unchanged).

    A tab whose columns are not its declared ones is left unchanged rather than mislabelled.
    """
    if locale == "en":
        return output
    if output.name == "Dashboard":
        return _dashboard(output, locale)
    spec = tab_spec(output.name)
    if output.headers != spec.headers:
        return output
    words = [index for index, column in enumerate(spec.columns) if column.translate]
    column_at = spec.headers.index("Column") if output.name == "Data Issues" else None
    for row in output.rows:
        if column_at is not None:
            row[column_at] = _column_label(row[0], row[column_at], locale)
        for index in words:
            row[index] = _word(row[index], locale)
    output.columns = [
        replace(column, header=declared.label(locale))
        for column, declared in zip(output.columns, spec.columns, strict=True)
    ]
    return output
