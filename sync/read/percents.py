"""Percent columns decided as a whole: fractions, or percent points (SPEC section 2).

A plain number (no `%` sign) in a percent column is a fraction, as a percent-formatted cell
stores it (0.25 = 25%). When a plain number in a column cannot be a fraction there (above
1 in `Probability` and `Rate`, above 10 in `From %` and `To %`), the owner typed points, so
every plain number of that column is read as points, with one Warning. In Commission
Plans the decision is made for each plan, and `From %` and `To %` are decided together:
the end of one band is the start of the next, so they are always in the same unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sync.compute.names import name_key
from sync.contract.tables import Issue
from sync.i18n import _, current_locale
from sync.read.cells import (
    cell_text,
    format_number,
    format_percent,
    is_plain_number,
    parse_number,
)
from sync.read.rows import TabRows
from sync.schema import ColumnSpec, TabSpec

Record = dict[str, Any]

# Tabs whose percent columns are decided per group of rows (a plan's tiers), and which
# columns share one decision.
_GROUPED_BY = {"Commission Plans": "plan"}
_DECIDED_TOGETHER = {"Commission Plans": (("rate",), ("from_pct", "to_pct"))}
HIGH_RATE = 1.0  # a commission rate of 100% or more is almost always a typo


def decide_percent_points(spec: TabSpec, rows: TabRows) -> None:
    """Read every plain number of a column (or a plan's column) as points if one must be."""
    by_field = {column.field: column for column in spec.columns
                if column.type == "percent" and column.percent_points_above is not None}
    if not by_field:
        return
    together = _DECIDED_TOGETHER.get(spec.tab, tuple((name,) for name in by_field))
    group_field = _GROUPED_BY.get(spec.tab)
    groups: dict[Any, list[int]] = {}  # group -> positions of its rows
    names = rows.values(group_field) if group_field else [None] * len(rows)
    for position, name in enumerate(names):
        groups.setdefault(name_key(name) if group_field else None, []).append(position)
    for fields in together:
        columns = [by_field[name] for name in fields]
        for positions in groups.values():
            _decide(spec, rows, columns, positions, group_field)
    if spec.tab == "Commission Plans":
        _warn_high_rates(rows)


def _decide(spec: TabSpec, rows: TabRows, columns: list[ColumnSpec], positions: list[int],
            group_field: str | None) -> None:
    """Points or fractions for these columns over these rows; one Warning when points."""
    plain: list[tuple[int, ColumnSpec, float]] = []
    for position in positions:
        cells = rows.raw.get(rows.rows[position], {})
        for column in columns:
            raw = cells.get(column.field)
            if rows.values(column.field)[position] is not None and is_plain_number(raw):
                plain.append((position, column, _typed(raw)))
    must_be_points = [
        (position, column, number) for position, column, number in plain
        if number > (column.percent_points_above or 0)
    ]
    if not must_be_points:
        return
    for position, column, number in plain:  # the reader took these as fractions or points
        rows.columns[column.field][position] = number / 100
    first, column, number = must_be_points[0]
    first_row = rows.rows[first]
    rows.issues.append(Issue(
        tab=spec.tab, row=first_row, column=column.header,
        value=cell_text(rows.raw[first_row].get(column.field)), severity="Warning",
        problem=_points_problem(columns, rows.record(first), group_field, number,
                                (value for _, _, value in plain)),
    ))


def _typed(raw: Any) -> float:
    number = parse_number(raw)
    assert number is not None  # a plain number is never blank
    return number


def _points_problem(columns: list[ColumnSpec], first: Record, group_field: str | None,
                    number: float, numbers: Iterable[float]) -> str:
    names = _(" and ").join(column.label(current_locale()) for column in columns)
    where = (_('{columns} of plan "{plan}"').format(columns=names, plan=first[group_field])
             if group_field and first.get(group_field) else names)
    shown = sorted({format_number(value) for value in numbers}, key=float)
    examples = _(", ").join(f"{value} = {value}%" for value in shown[:4])
    return _("{number} on row {row} can only mean {percent}, so every plain number in {where} "
             "is read as percent points ({examples}): type them with a % sign to say so").format(
        number=format_number(number), row=first["row"], percent=format_percent(number / 100),
        where=where, examples=examples)


def _warn_high_rates(rows: TabRows) -> None:
    for sheet_row, rate in zip(rows.rows, rows.values("rate"), strict=True):
        if rate is None or rate < HIGH_RATE:
            continue
        rows.issues.append(Issue(
            tab="Commission Plans", row=sheet_row, column="Rate",
            value=cell_text(rows.raw.get(sheet_row, {}).get("rate")), severity="Warning",
            problem=_("A Rate of {rate} pays the rep at least all the revenue of this band: "
                      "check it (2% is typed 2% or 0.02)").format(rate=format_percent(rate)),
        ))
