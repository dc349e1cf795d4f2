"""Pydantic row models built from the tab declarations, and the reading of a tab's rows.

Each column's type, bounds, choices and default come from its `ColumnSpec`; nothing here
lists columns by hand. A cell that cannot be read in an essential column (`required` or
`must_read`) is an Error that leaves the row out; in any other column it is a Warning and
the cell counts as blank. Caveats (unknown non-strict choices) are collected as warnings
through the validation context.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo, create_model
from pydantic_core import PydanticCustomError

from sync.contract.tables import Issue
from sync.i18n import _
from sync.read.cells import CellError, cell_text, is_blank
from sync.read.column_cells import read_columns
from sync.read.columns import ReadContext, read_cell
from sync.read.headers import HeaderMatch
from sync.read.tab_rows import TabRows
from sync.schema import ColumnSpec, TabSpec, tab_spec

log = logging.getLogger(__name__)

_PYTHON_TYPES: dict[str, Any] = {
    "text": str, "id": str, "choice": str, "date": date, "datetime": datetime,
    "number": float, "integer": float, "money": float, "percent": float, "yesno": bool,
}


def _cell_validator(column: ColumnSpec) -> Callable[[Any, ValidationInfo], Any]:
    def validate(value: Any, info: ValidationInfo) -> Any:
        state = info.context or {}
        warnings: list[tuple[str, str]] = state.get("warnings", [])
        try:
            return read_cell(
                column, value, state.get("read", ReadContext()),
                lambda problem: warnings.append((column.field, problem)),
            )
        except CellError as error:
            raise PydanticCustomError("cell", "{problem}", {"problem": str(error)}) from None
        except Exception:  # a fault in the reader itself: never the owner's to fix
            log.exception("Reading %s %r failed", column.header, value)
            raise PydanticCustomError(
                "cell", "{problem}", {"problem": product_fault(value)},
            ) from None

    return validate


def product_fault(value: Any) -> str:
    """The problem of a cell the reader failed on because of its own fault."""
    return (f'"{cell_text(value)}" could not be read because of a fault in SalesOps Sheets; '
            "please report it (the log has the details)")


def row_model(spec: TabSpec) -> type[BaseModel]:
    """The Pydantic model of one row of this tab, derived from its declaration."""
    return _row_model(spec.tab)


@cache
def _row_model(tab: str) -> type[BaseModel]:
    spec = tab_spec(tab)
    fields: dict[str, Any] = {}
    for column in spec.columns:
        python_type = _PYTHON_TYPES[column.type]
        # Built at run time from the declaration, so mypy cannot see the type.
        annotated = Annotated[python_type | None,  # type: ignore[valid-type]
                              BeforeValidator(_cell_validator(column))]
        fields[column.field] = (annotated, None)
    name = "".join(part.title() for part in spec.tab.split()) + "Row"
    return create_model(name, __doc__=f"One row of the {spec.tab} tab.", **fields)


def read_rows(spec: TabSpec, grid: list[list[Any]], headers: HeaderMatch,
              context: ReadContext) -> TabRows:
    """Read every data row of a tab: the readable rows by column, issues for the others.

    The cells are read column by column (`column_cells`); a row whose cells all read
    cleanly is taken as read, any other row goes through the tab's Pydantic row model,
    which reads each cell in full and explains every cell it cannot read.
    """
    result = TabRows.of_fields(column.field for column in spec.columns)
    if headers.missing_required:
        return result  # the header issues already say what to add
    table = read_columns(spec, grid, headers, context)
    result.raw = table.raw
    kept = np.flatnonzero(table.kept)
    result.columns = {name: table.kept_cells(name) for name in table.typed}
    result.rows = (kept + 2).tolist()
    slow = np.flatnonzero(table.slow[kept]).tolist()
    if not slow:
        return result
    left_out: list[int] = []
    for position in slow:  # top to bottom, so that issues come in sheet order
        sheet_row = result.rows[position]
        record = _read_slowly(spec, sheet_row, table.raw[sheet_row], context, result)
        if record is None:
            left_out.append(position)
            continue
        for name, cells in result.columns.items():
            cells[position] = record[name]
    result.drop(left_out)
    return result


def read_rows_by_model(spec: TabSpec, grid: list[list[Any]], headers: HeaderMatch,
                       context: ReadContext) -> TabRows:
    """`read_rows` with every non-empty row read through the row model, cell by cell.

    The declaration at work with no shortcut: what `read_rows` must give, row for row
    and Data Issue for Data Issue (the tests hold it to that).
    """
    result = TabRows.of_fields(column.field for column in spec.columns)
    if headers.missing_required:
        return result
    raw_rows: dict[int, dict[str, Any]] = {}
    for offset, cells in enumerate(grid[1:]):
        if not isinstance(cells, list | tuple):
            cells = [cells]
        raw = {name: cells[index] if index < len(cells) else None
               for name, index in headers.positions.items()}
        if all(is_blank(value) for value in raw.values()):
            continue  # an empty row, or one holding only the owner's own columns
        raw_rows[offset + 2] = raw
        record = _read_slowly(spec, offset + 2, raw, context, result)
        if record is not None:
            result.append(record)
    result.raw = raw_rows
    return result


def _read_slowly(spec: TabSpec, sheet_row: int, raw: dict[str, Any], context: ReadContext,
                 result: TabRows) -> dict[str, Any] | None:
    """One row read through its Pydantic model: unreadable optional cells count as blank.

    The row's issues go into `result`; a row an Error leaves out goes into its `left_out`
    and None comes back, else the row read (field -> value and `row`).
    """
    by_field = {column.field: column for column in spec.columns}
    inputs = {name: raw.get(name) for name in by_field}
    row, warnings, unreadable = _validate(row_model(spec), inputs, context)
    essential = {name for name in unreadable if by_field[name].essential}
    for name, problem in unreadable.items():
        if name not in essential:
            problem = _("{problem}. Until then it counts as blank").format(problem=problem)
        result.issues.append(Issue(
            tab=spec.tab, row=sheet_row, column=by_field[name].header,
            value=cell_text(raw.get(name)), severity="Error" if name in essential else "Warning",
            problem=problem,
        ))
    if essential:
        result.left_out.append(_readable_cells(spec, sheet_row, inputs, unreadable, context))
        return None
    if row is None:  # read again with the unreadable optional cells blank
        row, warnings, _unread = _validate(row_model(spec), {**inputs, **dict.fromkeys(unreadable)},
                                     context)
    if row is None:  # cannot happen (a blank optional cell always reads), but never crash
        result.left_out.append(_readable_cells(spec, sheet_row, inputs, unreadable, context))
        return None
    for name, problem in warnings:
        result.issues.append(Issue(
            tab=spec.tab, row=sheet_row, column=by_field[name].header,
            value=cell_text(raw.get(name)), severity="Warning", problem=problem,
        ))
    record = dict(row.__dict__)
    record["row"] = sheet_row
    return record


def _validate(model: type[BaseModel], inputs: dict[str, Any], context: ReadContext,
              ) -> tuple[BaseModel | None, list[tuple[str, str]], dict[str, str]]:
    """The row read by its model, its caveats, and field -> problem of each unreadable cell."""
    warnings: list[tuple[str, str]] = []
    try:
        row = model.model_validate(inputs, context={"read": context, "warnings": warnings})
    except ValidationError as failure:
        return None, [], {
            str(error["loc"][0]): error["msg"]
            for error in failure.errors(include_url=False, include_input=False)
            if error["loc"]
        }
    return row, warnings, {}


def _readable_cells(spec: TabSpec, sheet_row: int, inputs: dict[str, Any],
                    unreadable: dict[str, str], context: ReadContext) -> dict[str, Any]:
    """What a left-out row still says: its readable cells (a name, a key) and `row`."""
    record: dict[str, Any] = {"row": sheet_row}
    for column in spec.columns:
        if column.field in unreadable:
            record[column.field] = None
            continue
        try:
            record[column.field] = read_cell(column, inputs[column.field], context, _ignore)
        except CellError:  # already reported by the row model
            record[column.field] = None
    return record


def _ignore(_: str) -> None:
    """A `warn` callback for a left-out row, whose issues are already reported."""
