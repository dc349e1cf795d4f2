"""`salesops init --sheet ID`: add the template's input tabs to an existing spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.a1 import column_letter
from sync.backends.sheets import requests as build
from sync.backends.sheets.auth import RetryPolicy, WriteOutcomeUnknown
from sync.backends.sheets.backend import SheetsBackend
from sync.schema import ColumnSpec, TabSpec, input_tabs, tab_spec
from sync.schema.declarations import YES_NO

TEMPLATE_ROWS = 1000
# Dropdowns fed by another tab: (tab, header of the column holding the choices).
_RANGE_SOURCES = {
    "stages": ("Stages", "Stage"),
    "reps": ("Team", "Rep"),
    "plans": ("Commission Plans", "Plan"),
    "teams": ("Team", "Team"),
    "owners": ("Team", "Rep"),  # Company and team names are allowed too: not strict
}
_INPUT_FORMATS = {
    "date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
    "datetime": {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"},
    "money": {"type": "NUMBER", "pattern": "#,##0.00"},
    "percent": {"type": "PERCENT", "pattern": "0%"},
}


@dataclass
class InitResult:
    """What init did: tabs added, empty tabs filled in, tabs left alone because they hold data."""

    created: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def dropdown_rule(column: ColumnSpec, locale: str) -> dict[str, Any] | None:
    """The data validation of a column: a list of choices or a range of another tab."""
    if column.dropdown == "yesno":
        choices: tuple[str, ...] = YES_NO.get(locale, YES_NO["en"])
    elif column.dropdown in _RANGE_SOURCES:
        source_tab, header = _RANGE_SOURCES[column.dropdown]
        index = tab_spec(source_tab).headers.index(header)
        letter = column_letter(index)
        return {
            "condition": {
                "type": "ONE_OF_RANGE",
                "values": [
                    {"userEnteredValue": f"={build_title(source_tab)}!${letter}$2:${letter}"}
                ],
            },
            # The reader reports unknown values as Data Issues; a hard refusal would
            # block owners typing a rep before adding them to Team.
            "strict": False,
            "showCustomUi": True,
        }
    elif column.choices:
        choices = column.choice_labels(locale)
    else:
        return None
    return {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": c} for c in choices]},
        "strict": column.strict,
        "showCustomUi": True,
    }


def build_title(title: str) -> str:
    """A tab name as written inside a formula."""
    return "'" + title.replace("'", "''") + "'"


def _header_row(spec: TabSpec, locale: str) -> dict[str, Any]:
    return {
        "values": [
            {
                "userEnteredValue": {"stringValue": column.label(locale)},
                "userEnteredFormat": {"textFormat": {"bold": True}},
                **({"note": column.note_in(locale)} if column.note_in(locale) else {}),
            }
            for column in spec.columns
        ]
    }


def _default_rows(spec: TabSpec, locale: str) -> list[dict[str, Any]]:
    if spec.tab == "Settings":
        rows = []
        for setting in spec.settings:
            key = setting.zh if locale == "zh-CN" else setting.key
            rows.append(
                {
                    "values": [
                        {"userEnteredValue": {"stringValue": key},
                         "note": setting.help_in(locale)},
                        build.cell(setting.default_in(locale)),
                    ]
                }
            )
        return rows
    return [
        {"values": [build.cell(row.get(column.header)) for column in spec.columns]}
        for row in spec.default_rows(locale)
    ]


def template_requests(spec: TabSpec, sheet_id: int, locale: str) -> list[dict[str, Any]]:
    """Headers with notes, default rows, formats, dropdowns and widths of one input tab."""
    width = len(spec.columns)
    rows = [_header_row(spec, locale), *_default_rows(spec, locale)]
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
    for index, column in enumerate(spec.columns):
        fmt = _INPUT_FORMATS.get(column.type)
        if fmt and spec.tab != "Settings":
            requests.append(
                {
                    "repeatCell": {
                        "range": build.grid_range(sheet_id, 1, TEMPLATE_ROWS, index, index + 1),
                        "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
        rule = dropdown_rule(column, locale)
        if rule:
            requests.append(
                {
                    "setDataValidation": {
                        "range": build.grid_range(sheet_id, 1, TEMPLATE_ROWS, index, index + 1),
                        "rule": rule,
                    }
                }
            )
        requests.append(build.column_width(sheet_id, index, column.width))
    if spec.tab == "Settings":
        # Settings with a fixed set of values get a dropdown on their Value cell.
        for offset, setting in enumerate(spec.settings, start=1):
            if setting.choices:
                requests.append(
                    {
                        "setDataValidation": {
                            "range": build.grid_range(sheet_id, offset, offset + 1, 1, 2),
                            "rule": {
                                "condition": {
                                    "type": "ONE_OF_LIST",
                                    "values": [{"userEnteredValue": c}
                                               for c in setting.choice_labels(locale)],
                                },
                                "strict": True,
                                "showCustomUi": True,
                            },
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
