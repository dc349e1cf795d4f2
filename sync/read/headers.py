"""Find each declared column in a tab's header row, whatever its order or spelling."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sync.a1 import column_letter
from sync.contract.issue import Issue
from sync.i18n import _, current_locale
from sync.read.cells import cell_text
from sync.schema import ColumnSpec, TabSpec

# A unit in brackets at the end of a header: `Amount ($)`, `金额（元）`, `Quantity [pcs]`.
_UNIT = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def header_key(text: str) -> str:
    """How headers compare: case-folded, spaces collapsed, a trailing `*` dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = " ".join(folded.split())
    return folded.rstrip("*").rstrip()


def header_keys(text: str) -> list[str]:
    """The keys a header cell may match: as written, then without a unit in brackets."""
    key = header_key(text)
    without_unit = header_key(_UNIT.sub("", key))
    return [key] if without_unit in ("", key) else [key, without_unit]


def column_keys(column: ColumnSpec) -> set[str]:
    """Every spelling that names this column: the header, the zh-CN label, the aliases."""
    return {header_key(name) for name in (column.header, column.zh, *column.aliases)}


@dataclass
class HeaderMatch:
    """Where each declared column sits in the header row (0-based), and what is missing."""

    positions: dict[str, int] = field(default_factory=dict)  # field name -> column index
    missing: list[ColumnSpec] = field(default_factory=list)  # declared columns not found
    issues: list[Issue] = field(default_factory=list)

    @property
    def missing_required(self) -> list[ColumnSpec]:
        """The required columns that are not in the header row."""
        return [column for column in self.missing if column.required]


def match_headers(spec: TabSpec, header_row: list[Any]) -> HeaderMatch:
    """Match a header row to the tab's declared columns; unknown headers are left alone."""
    by_key: dict[str, ColumnSpec] = {}
    for column in spec.columns:
        for key in column_keys(column):
            by_key.setdefault(key, column)
    match = HeaderMatch()
    for index, cell in enumerate(header_row):
        text = cell_text(cell)
        found = next((by_key[key] for key in header_keys(text) if key in by_key), None)
        if found is None:
            continue  # the owner's own column: kept, never read
        column = found
        if column.field in match.positions:
            first = column_letter(match.positions[column.field])
            match.issues.append(Issue(
                tab=spec.tab, row=1, column=column.header, value=text, severity="Warning",
                problem=(
                    _('"{text}" in column {letter} repeats the {column} column already in '
                      "column {first}: only column {first} is read; rename or delete the other "
                      "one").format(text=text, letter=column_letter(index),
                                    column=column.label(current_locale()), first=first)
                ),
            ))
            continue
        match.positions[column.field] = index
    match.missing = [column for column in spec.columns if column.field not in match.positions]
    for column in match.missing_required:
        match.issues.append(Issue(
            tab=spec.tab, row=1, column=column.header, severity="Error",
            problem=(
                _('{tab} has no "{column}" column, so its rows cannot be read: '
                  'add the header "{column}" to row 1').format(
                    tab=spec.tab, column=column.label(current_locale()))
            ),
        ))
    return match
