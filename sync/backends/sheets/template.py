"""`salesops init --sheet ID`: add the template's input tabs to an existing spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.a1 import column_letter, quote_tab
from sync.backends.sheets import requests as build
from sync.backends.sheets.auth import RetryPolicy, WriteOutcomeUnknown
from sync.backends.sheets.backend import SheetsBackend
from sync.contract.template import (
    Dropdown,
    TemplateColumn,
    TemplateTab,
    column_dropdown,
    template_tab,
)
from sync.schema import ColumnSpec, TabSpec, input_tabs

TEMPLATE_ROWS = 1000
_FORMAT_TYPES = {"date": "DATE", "datetime": "DATE_TIME", "money": "CURRENCY", "percent": "PERCENT"}


@dataclass
class InitResult:
    """What init did: tabs added, empty tabs filled in, tabs left alone because they hold data."""

    created: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def dropdown_rule(column: ColumnSpec, locale: str) -> dict[str, Any] | None:
    """The data validation of a declared column: a list of choices or a range of another tab."""
    return _rule(column_dropdown(column, locale))


def _rule(dropdown: Dropdown | None) -> dict[str, Any] | None:
    """A template's dropdown as a DataValidationRule."""
    if dropdown is None:
        return None
    if dropdown.source is not None:
        letter = column_letter(dropdown.source_position)
        reference = f"={quote_tab(dropdown.source_tab)}!${letter}$2:${letter}"
        condition = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": reference}]}
    else:
        values = [{"userEnteredValue": choice} for choice in dropdown.choices]
        condition = {"type": "ONE_OF_LIST", "values": values}
    return {"condition": condition, "strict": dropdown.strict, "showCustomUi": True}


def _number_format(column: TemplateColumn) -> dict[str, Any] | None:
    if column.number_format is None:
        return None
    return {"type": _FORMAT_TYPES.get(column.type, "NUMBER"), "pattern": column.number_format}


def _header_row(template: TemplateTab) -> dict[str, Any]:
    return {
        "values": [
            {
                "userEnteredValue": {"stringValue": column.header},
                "userEnteredFormat": {"textFormat": {"bold": True}},
                **({"note": column.note} if column.note else {}),
            }
            for column in template.columns
        ]
    }


def _default_rows(template: TemplateTab) -> list[dict[str, Any]]:
    if template.settings:
        return [
            {
                "values": [
                    {"userEnteredValue": {"stringValue": setting.key}, "note": setting.note},
                    build.cell(setting.value),
                ]
            }
            for setting in template.settings
        ]
    return [{"values": [build.cell(value) for value in row]} for row in template.rows]


def template_requests(spec: TabSpec, sheet_id: int, locale: str) -> list[dict[str, Any]]:
    """Headers with notes, default rows, formats, dropdowns and widths of one input tab."""
    template = template_tab(spec, locale)
    width = len(template.columns)
    rows = [_header_row(template), *_default_rows(template)]
    requests: list[dict[str, Any]] = [
        {
            "updateCells": {
                "range": build.grid_range(sheet_id, 0, len(rows), 0, width),
                "rows": rows,
                "fields": "userEnteredValue,userEnteredFormat.textFormat.bold,note",
            }
        },
        build.freeze_header(sheet_id),
    ]
    for index, column in enumerate(template.columns):
        below_header = build.grid_range(sheet_id, 1, TEMPLATE_ROWS, index, index + 1)
        number_format = _number_format(column)
        if number_format:
            requests.append(
                {
                    "repeatCell": {
                        "range": below_header,
                        "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
        rule = _rule(column.dropdown)
        if rule:
            requests.append({"setDataValidation": {"range": below_header, "rule": rule}})
        requests.append(build.column_width(sheet_id, index, column.width))
    # Settings with a fixed set of values get a dropdown on their Value cell.
    for offset, setting in enumerate(template.settings, start=1):
        rule = _rule(setting.dropdown)
        if rule:
            requests.append(
                {
                    "setDataValidation": {
                        "range": build.grid_range(sheet_id, offset, offset + 1, 1, 2),
                        "rule": rule,
                    }
                }
            )
    return requests


def init_sheet(
    spreadsheet_id: str,
    credentials: str | Path | None = None,
    locale: str = "en",
    api_url: str | None = None,
    retry: RetryPolicy | None = None,
) -> InitResult:
    """Create the missing input tabs of the template in one batchUpdate.

    Tabs that already hold data are left exactly as they are; an existing empty tab of a
    template name gets the template's headers.
    """
    backend = SheetsBackend(spreadsheet_id, credentials, api_url, retry)
    created: list[str] = []
    attempt = 0
    while True:
        result = InitResult()
        try:
            _add_missing_tabs(backend, locale, result)
        except WriteOutcomeUnknown as lost:
            # Google may have added the tabs: read the spreadsheet again, add what is missing.
            created = [*created, *result.created]
            backend.retry.pause(attempt, lost.retry_after, lost.spent, lost.reason, lost)
            attempt += 1
            backend.forget_state()
            continue
        # Tabs a lost write did add are reported as created, not as found.
        result.created = [*created, *result.created]
        result.kept = [title for title in result.kept if title not in created]
        return result


def _add_missing_tabs(backend: SheetsBackend, locale: str, result: InitResult) -> None:
    """One attempt: plan the missing tabs against the spreadsheet as read, and send it."""
    backend.metadata()
    found = {spec.tab: backend.find_tab(spec.tab) for spec in input_tabs()}
    present = [title for title in found.values() if title is not None]
    grids = backend.read_values(present)
    requests: list[dict[str, Any]] = []
    taken = {tab.sheet_id for tab in backend.tab_infos.values()}
    for spec in input_tabs():
        title = found[spec.tab]
        width = len(spec.columns)
        if title is None:
            sheet_id = backend.new_sheet_id(spec.tab, taken)
            requests.append(build.add_sheet(sheet_id, spec.tab, TEMPLATE_ROWS, width))
            result.created.append(spec.tab)
        elif any(value is not None for row in grids.get(title, []) for value in row):
            result.kept.append(title)
            continue
        else:
            tab = backend.tab_infos[title]
            sheet_id = tab.sheet_id
            requests.append(
                build.resize(sheet_id, max(tab.rows, TEMPLATE_ROWS), max(tab.columns, width))
            )
            result.filled.append(title)
        requests.extend(template_requests(spec, sheet_id, locale))
    if requests:
        backend.batch_update(requests)
