"""A computed tab in the workbook's locale: headers, the product's own words, chart titles.

Compute modules work in SPEC's English words; this is the one step that writes them in the
workbook's `Locale`. Headers are the declared zh-CN labels; cells of columns declared
`translate: true` (segments, lifecycle, status, pace, severity, ...) and the Dashboard's KPI
names, headers and chart titles come from the catalogue (`sync/i18n.py`). Tab names stay as
they are. English output is returned untouched.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sync.contract.plan import TabOutput
from sync.i18n import translate
from sync.schema import tab_spec

DASHBOARD_WORDS = (0, 3)  # the KPI name and its Status
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
PERIOD_LABEL = {"zh-CN": "{year}年第{quarter}季度"}  # `2026-Q4`; months read `2026-11` in both


def period_label(value: Any, locale: str) -> Any:
    """A period label as the locale writes it: `2026-Q4` -> `2026年第4季度`."""
    quarter = _QUARTER.fullmatch(value) if isinstance(value, str) else None
    if quarter is None or locale not in PERIOD_LABEL:
        return value
    return PERIOD_LABEL[locale].format(year=quarter[1], quarter=quarter[2])


def _word(value: Any, locale: str) -> Any:
    return translate(value, locale) if isinstance(value, str) else value


def column_label(tab: Any, header: Any, locale: str) -> Any:
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
    period_at = output.headers.index("Period")  # the revenue chart's periods
    output.columns = [replace(column, header=_word(column.header, locale))
                      for column in output.columns]
    for row in output.rows:
        for index in DASHBOARD_WORDS:
            row[index] = _word(row[index], locale)
        row[period_at] = period_label(row[period_at], locale)
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
    keywords = {index: column.keywords for index, column in enumerate(spec.columns)
                if column.keywords and locale == "zh-CN"}
    column_at = spec.headers.index("Column") if output.name == "Data Issues" else None
    period_at = spec.headers.index("Period") if "Period" in spec.headers else None
    for row in output.rows:
        if period_at is not None:
            row[period_at] = period_label(row[period_at], locale)
        if column_at is not None:
            row[column_at] = column_label(row[0], row[column_at], locale)
        for index in words:
            row[index] = _word(row[index], locale)
        for index, labels in keywords.items():
            row[index] = labels.get(row[index], row[index])
    output.columns = [
        replace(column, header=declared.label(locale))
        for column, declared in zip(output.columns, spec.columns, strict=True)
    ]
    return output
