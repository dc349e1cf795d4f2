"""Decide what an import appends: every value read by the reader's rules, keys checked.

Rows whose key (`Deal ID`, `Customer`, `Rep`) is already in the tab, or earlier in the
export, are skipped and counted; for Orders a line equal to an existing line in every
imported column is skipped (as many times as the tab holds it). A value that cannot be
read is listed with its source row: in a required column the row is left out, in another
column the value is left blank and the row kept, as the sync itself reads a tab.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sync.compute.names import name_key
from sync.contract.grid import STRAY_GAP_ROWS
from sync.i18n import _, current_locale
from sync.imports.columns import CannotImportError, resolve_columns
from sync.imports.mapping import ImportMap
from sync.imports.presets import CLOSE_DATE, LOST_TIME, STATUS, UNIT_PRICE, WON_TIME, Preset
from sync.imports.sources import SourceTable
from sync.read.cells import CellError, cell_text, is_blank, parse_number
from sync.read.columns import ReadContext, read_cell
from sync.read.headers import match_headers
from sync.schema import TabSpec

KEY_COLUMNS = {"Pipeline": "Deal ID", "Customers": "Customer", "Team": "Rep"}
# A CSV holds only text, so an id its tool stored as a float arrives as `17850.0`; read it
# as the whole number it is (SPEC section 2: `17850.0` -> `17850`), as a numeric cell is.
_WHOLE_FLOAT_TEXT = re.compile(r"\s*(\d+)\.0+\s*")
Progress = Callable[[int, int], None]


@dataclass
class Unreadable:
    """A value of the export that could not be read, where it was and why."""

    source_row: int
    column: str
    value: str
    problem: str
    row_left_out: bool


@dataclass
class ImportPlan:
    """What an import would append, skip and leave out."""

    tab: str
    header_width: int
    first_row: int  # sheet row of the first appended row
    rows: list[list[Any]] = field(default_factory=list)  # cells in the tab's column order
    source_rows: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (source row, why)
    unreadable: list[Unreadable] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # input column -> export column
    unused: list[str] = field(default_factory=list)  # export columns not imported
    not_in_tab: list[str] = field(default_factory=list)  # mapped, but the tab lacks them
    positions: dict[str, int] = field(default_factory=dict)  # written column -> tab column
    locale: str = "en"  # the workbook's: the language its problems and summary are told in

    @property
    def last_row(self) -> int:
        """Sheet row of the last appended row (first_row - 1 when nothing is appended)."""
        return self.first_row + len(self.rows) - 1

    @property
    def left_out(self) -> list[int]:
        """Source rows left out because a required value could not be read."""
        return sorted({u.source_row for u in self.unreadable if u.row_left_out})


def last_data_row(grid: list[list[Any]]) -> tuple[int, int | None]:
    """(last data row, first non-empty row below it beyond the stray gap), 1-based."""
    last, blocked = 1, None
    for index, cells in enumerate(grid):
        if index == 0 or not isinstance(cells, list | tuple):
            continue
        if any(not is_blank(value) for value in cells):
            row = index + 1
            if row - last > STRAY_GAP_ROWS:
                blocked = row  # a far-away cell (SPEC section 2): not data, but not ours
                break
            last = row
    # A backend that reads only the used cells hands far-away cells over on their own.
    stray_rows = [row for row, _column, _value in getattr(grid, "stray", ())]
    if stray_rows:
        blocked = min([*stray_rows, *([blocked] if blocked is not None else [])])
    return last, blocked


def _mapped_value(raw: Any, table: dict[str, str]) -> Any:
    if is_blank(raw) or not table:
        return raw
    return table.get(name_key(cell_text(raw)) or "", raw)


def _signature(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, str):
        return value.strip()
    return value


@dataclass
class _Reader:
    spec: TabSpec
    context: ReadContext
    stage_types: dict[str, str]  # stage name key -> Open / Won / Lost
    first_of_type: dict[str, str]

    def apply_pseudo(self, row: dict[str, Any]) -> None:
        """Pipedrive's Status, a Close Date that means Closed or Expected Close, and a
        Unit Price that makes an invoice line's Amount."""
        price = row.pop(UNIT_PRICE, None)
        if not is_blank(price) and is_blank(row.get("Amount")):
            row["Amount"] = _line_amount(row.get("Quantity"), price)
        status = row.pop(STATUS, None)
        won_time, lost_time = row.pop(WON_TIME, None), row.pop(LOST_TIME, None)
        word = name_key(cell_text(status)) if not is_blank(status) else None
        if word in ("won", "lost"):
            kind = "Won" if word == "won" else "Lost"
            row["Stage"] = self.first_of_type.get(kind, kind)
            when = won_time if kind == "Won" else lost_time
            if is_blank(row.get("Closed")) and not is_blank(when):
                row["Closed"] = when
        close = row.pop(CLOSE_DATE, None)
        if is_blank(close):
            return
        stage_type = self.stage_types.get(name_key(cell_text(row.get("Stage"))) or "", "Open")
        target = "Closed" if stage_type in ("Won", "Lost") else "Expected Close"
        if is_blank(row.get(target)):
            row[target] = close


def _line_amount(quantity: Any, price: Any) -> Any:
    """Quantity x Unit Price (a negative quantity, a cancelled line, is a refund)."""
    try:
        count, each = parse_number(quantity), parse_number(price)
    except CellError:
        return price if not _readable(price) else quantity  # the plan lists it as typed
    if count is None or each is None:
        return None
    return round(count * each, 9)  # 6 x 2.55 is 15.3, not 15.299999999999999


def _readable(value: Any) -> bool:
    try:
        parse_number(value)
    except CellError:
        return False
    return True


def _stage_names(stages: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    types: dict[str, str] = {}
    first: dict[str, str] = {}
    for stage in stages:
        key = name_key(stage.get("stage"))
        if key:
            types[key] = str(stage.get("type"))
            first.setdefault(str(stage.get("type")), str(stage.get("stage")))
    return types, first


def build_plan(
    source: SourceTable, spec: TabSpec, grid: list[list[Any]], preset: Preset,
    import_map: ImportMap, *, context: ReadContext, stages: list[dict[str, Any]],
    reshaped_skips: Sequence[tuple[int, str]] = (), progress: Progress | None = None,
) -> ImportPlan:
    """Read the export by the tab's declarations and decide each row's fate."""
    if not grid or not any(not is_blank(v) for v in grid[0]):
        raise CannotImportError(_(
            "the {tab} tab has no header row: run `salesops init` on a new workbook and "
            "copy its {tab} headers into row 1").format(tab=spec.tab))
    header_row = list(grid[0])
    in_tab = match_headers(spec, header_row)
    if in_tab.missing_required:
        column = in_tab.missing_required[0].header
        raise CannotImportError(_(
            'the {tab} tab has no "{column}" column: add the header "{column}" to row 1 '
            "and import again").format(tab=spec.tab, column=column))
    by_header = {column.header: column for column in spec.columns}
    position = {column.header: in_tab.positions[column.field]
                for column in spec.columns if column.field in in_tab.positions}
    feeds = resolve_columns(spec, source.headers, preset, import_map)
    last, blocked = last_data_row(grid)
    plan = ImportPlan(tab=spec.tab, header_width=len(header_row), first_row=last + 1)
    plan.columns = {name: source.headers[index] for name, index in feeds.items()}
    used = set(feeds.values())
    plan.unused = [h for i, h in enumerate(source.headers) if h and i not in used]
    plan.skipped.extend(reshaped_skips)
    types, first = _stage_names(stages)
    reader = _Reader(spec, context, types, first)
    values = {name: {name_key(old) or "": new for old, new in table.items()}
              for name, table in preset.values.items()}
    for name, table in import_map.values.items():
        target = next((c.header for c in spec.columns if name_key(c.header) == name_key(name)),
                      name)
        values.setdefault(target, {}).update({name_key(o) or "": n for o, n in table.items()})
    targets = {name for name in feeds if name in by_header}
    if CLOSE_DATE in feeds:
        targets |= {"Closed", "Expected Close"}
    if STATUS in feeds:
        targets |= {"Stage", "Closed"}
    if UNIT_PRICE in feeds:
        targets.add("Amount")
    imported = [h for h in spec.headers if h in targets]
    plan.not_in_tab = [h for h in imported if h not in position]
    written = [h for h in imported if h in position]
    plan.positions = {header: position[header] for header in written}
    key_header = KEY_COLUMNS.get(spec.tab)
    seen_keys = _existing_keys(grid, position.get(key_header)) if key_header else {}
    existing_lines = (
        _existing_lines(grid, [(h, position[h]) for h in written], by_header, context)
        if spec.tab == "Orders" else Counter()
    )
    total = len(source.rows)
    for done, (source_row, cells) in enumerate(source.rows, start=1):
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)
        raw = {name: cells[index] if index < len(cells) else None for name, index in feeds.items()}
        for name, table in values.items():
            if name in raw:
                raw[name] = _mapped_value(raw[name], table)
        reader.apply_pseudo(raw)
        for name in ("Stage", "Owner", "Rep"):  # a Status may set a stage the map renames
            if name in raw and name in values:
                raw[name] = _mapped_value(raw[name], values[name])
        typed: dict[str, Any] = {}
        problems: list[Unreadable] = []
        for header in written:
            spec_column = by_header[header]
            value = raw.get(header)
            if spec_column.type == "id" and isinstance(value, str):
                whole = _WHOLE_FLOAT_TEXT.fullmatch(value)
                value = whole.group(1) if whole else value
            if is_blank(value) and not spec_column.required:
                typed[header] = None
                continue
            try:
                typed[header] = read_cell(spec_column, value, context, lambda _warning: None)
            except CellError as error:
                problems.append(Unreadable(source_row, header, cell_text(value), str(error),
                                           spec_column.required))
                typed[header] = None
        plan.unreadable.extend(problems)
        if any(problem.row_left_out for problem in problems):
            continue
        if key_header:
            key = name_key(typed.get(key_header))
            if key in seen_keys:
                plan.skipped.append((source_row, _("{column} {key} {why}").format(
                    column=spec.column(key_header).label(current_locale()),
                    key=typed[key_header], why=seen_keys[key])))
                continue
            if key:
                seen_keys[key] = _("is also on source row {row}").format(row=source_row)
        else:
            line = tuple(_signature(typed.get(h)) for h in written)
            if existing_lines[line] > 0:
                existing_lines[line] -= 1
                plan.skipped.append((source_row, _("the same line is already in the tab")))
                continue
        width = max((position[h] for h in written), default=0) + 1
        row: list[Any] = [None] * width
        for header in written:
            row[position[header]] = typed[header]
        plan.rows.append(row)
        plan.source_rows.append(source_row)
    if blocked is not None and plan.rows and plan.last_row >= blocked:
        raise CannotImportError(_(
            "{tab} has a cell in row {blocked}, far below its data, where the imported rows "
            "{first}–{last} would go: move or delete it, then import again").format(
            tab=spec.tab, blocked=blocked, first=f"{plan.first_row:,}",
            last=f"{plan.last_row:,}"))
    return plan


def _existing_keys(grid: list[list[Any]], index: int | None) -> dict[str, str]:
    keys: dict[str, str] = {}
    if index is None:
        return keys
    for number, cells in enumerate(grid[1:], start=2):
        if isinstance(cells, list | tuple) and index < len(cells):
            key = name_key(cell_text(cells[index])) if not is_blank(cells[index]) else None
            if key:
                keys.setdefault(key, _("is already in the tab (row {row})").format(row=number))
    return keys


def _existing_lines(grid: list[list[Any]], columns: list[tuple[str, int]],
                    by_header: dict[str, Any], context: ReadContext) -> Counter[tuple[Any, ...]]:
    lines: Counter[tuple[Any, ...]] = Counter()
    for cells in grid[1:]:
        if not isinstance(cells, list | tuple) or all(is_blank(v) for v in cells):
            continue
        line = []
        for header, index in columns:
            value = cells[index] if index < len(cells) else None
            try:
                typed = None if is_blank(value) else read_cell(
                    by_header[header], value, context, lambda _warning: None)
            except CellError:
                typed = cell_text(value)
            line.append(_signature(typed))
        lines[tuple(line)] += 1
    return lines


def as_cell(value: Any) -> Any:
    """A typed value as the appenders write it: numbers, dates, text (Yes/No for booleans)."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, date | str | int | float) or value is None:
        return value
    return cell_text(value)
