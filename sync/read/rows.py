"""Pydantic row models built from the tab declarations, and the reading of a tab's rows.

Each column's type, bounds, choices and default come from its `ColumnSpec`; nothing here
lists columns by hand. A cell that cannot be read fails the row with the owner-facing
message; caveats (percent points, unknown non-strict choices) are collected as warnings
through the validation context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ValidationError, ValidationInfo, create_model
from pydantic_core import PydanticCustomError

from sync.read.cells import CellError, cell_text, is_blank
from sync.read.columns import ReadContext, read_cell
from sync.read.fastpath import SLOW, fast_reader
from sync.read.headers import HeaderMatch
from sync.schema import ColumnSpec, TabSpec, tab_spec
from sync.tables import Issue

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
        except Exception:  # never let an odd value stop the sync
            raise PydanticCustomError(
                "cell", "{problem}",
                {"problem": f'"{cell_text(value)}" cannot be read: retype it'},
            ) from None

    return validate


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


@dataclass
class TabRows:
    """The rows of a tab that were read, and the problems found in them."""

    records: list[dict[str, Any]] = field(default_factory=list)  # field values + `row`
    raw: dict[int, dict[str, Any]] = field(default_factory=dict)  # sheet row -> cells
    issues: list[Issue] = field(default_factory=list)


@cache
def _fast_readers(tab: str, context: ReadContext) -> tuple[tuple[str, Any], ...]:
    return tuple((column.field, fast_reader(column, context)) for column in tab_spec(tab).columns)


def read_rows(spec: TabSpec, grid: list[list[Any]], headers: HeaderMatch,
              context: ReadContext) -> TabRows:
    """Read every data row of a tab: records of readable rows, issues for the others.

    A row whose cells are all clean (`fastpath`) is taken as is; any other row goes
    through the tab's Pydantic row model, which reads each cell in full and explains
    every cell it cannot read.
    """
    result = TabRows()
    if headers.missing_required:
        return result  # the header issues already say what to add
    model = row_model(spec)
    by_field = {column.field: column for column in spec.columns}
    fast_readers = _fast_readers(spec.tab, context)
    positions = headers.positions
    for offset, cells in enumerate(grid[1:]):
        sheet_row = offset + 2
        if not isinstance(cells, list | tuple):
            cells = [cells]
        width = len(cells)
        raw = {name: cells[index] if index < width else None
               for name, index in positions.items()}
        if all(value is None or is_blank(value) for value in raw.values()):
            continue  # an empty row, or one holding only the owner's own columns
        record: dict[str, Any] = {}
        for name, read in fast_readers:
            value = read(raw.get(name))
            if value is SLOW:
                break
            record[name] = value
        else:
            record["row"] = sheet_row
            result.records.append(record)
            result.raw[sheet_row] = raw
            continue
        warnings: list[tuple[str, str]] = []
        inputs = {name: raw.get(name) for name in by_field}
        try:
            row = model.model_validate(
                inputs, context={"read": context, "warnings": warnings}
            )
        except ValidationError as failure:
            for error in failure.errors(include_url=False, include_input=False):
                name = str(error["loc"][0]) if error["loc"] else ""
                column = by_field.get(name)
                result.issues.append(Issue(
                    tab=spec.tab, row=sheet_row,
                    column=column.header if column else "",
                    value=cell_text(raw.get(name)), severity="Error", problem=error["msg"],
                ))
            continue
        for name, problem in warnings:
            result.issues.append(Issue(
                tab=spec.tab, row=sheet_row, column=by_field[name].header,
                value=cell_text(raw.get(name)), severity="Warning", problem=problem,
            ))
        record = dict(row.__dict__)
        record["row"] = sheet_row
        result.records.append(record)
        result.raw[sheet_row] = raw
    return result
