"""Read the cell values of workbook tabs with calamine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from sync.errors import NotAWorkbookError, PasswordProtectedError, WorkbookError

Grid = list[list[Any]]


def find_tab(names: Sequence[str], wanted: str) -> str | None:
    """The tab named `wanted`: the exact name, else one equal ignoring case and spaces."""
    if wanted in names:
        return wanted
    folded = wanted.strip().casefold()
    return next((name for name in names if name.strip().casefold() == folded), None)


def plain_grid(rows: list[list[Any]]) -> Grid:
    """Calamine rows as a grid: blank cells None, trailing empty rows and columns gone."""
    # Calamine hands blanks in as "": only rows holding one need a rewrite.
    grid = [[None if v == "" else v for v in row] if "" in row else row for row in rows]
    while grid and all(value is None for value in grid[-1]):
        grid.pop()
    width = max((len(row) for row in grid), default=0)
    while width and all(len(row) < width or row[width - 1] is None for row in grid):
        width -= 1
    return [
        row if len(row) == width else (row[:width] + [None] * (width - len(row))) for row in grid
    ]


def read_tabs(path: Path, tabs: Sequence[str]) -> dict[str, Grid]:
    """The grid of each requested tab that the workbook has, keyed by the requested name."""
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError as error:
        raise PasswordProtectedError(
            f"{path} is protected with a password: remove the password (File > Properties > "
            "Security) or save an unprotected copy, and sync that."
        ) from error
    except CalamineError as error:
        raise NotAWorkbookError(
            f"{path} cannot be read as an .xlsx workbook ({error}): open it in Excel or "
            "LibreOffice and save it again as .xlsx."
        ) from error
    except OSError as error:
        raise WorkbookError(f"{path} cannot be read: {error}.") from error
    with workbook:
        names = list(workbook.sheet_names)
        grids = {}
        for tab in tabs:
            name = find_tab(names, tab)
            if name is None:
                continue
            try:
                sheet = workbook.get_sheet_by_name(name)
                grids[tab] = plain_grid(sheet.to_python(skip_empty_area=False))
            except CalamineError as error:
                raise WorkbookError(
                    f"{path}, tab {name}: cannot be read ({error}); open the workbook, check "
                    "the tab and save it again."
                ) from error
    return grids


def read_first_tab(path: Path) -> Grid:
    """The grid of a workbook's first tab (an export to import), whatever its name."""
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            names = list(workbook.sheet_names)
            if not names:
                return []
            return plain_grid(workbook.get_sheet_by_name(names[0]).to_python(
                skip_empty_area=False))
    except PasswordError as error:
        raise PasswordProtectedError(
            f"{path} is protected with a password: save an unprotected copy and use that."
        ) from error
    except CalamineError as error:
        raise NotAWorkbookError(
            f"{path} cannot be read as an .xlsx workbook ({error}): open it and save it "
            "again as .xlsx or CSV."
        ) from error
