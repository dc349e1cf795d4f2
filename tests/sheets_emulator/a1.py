"""A1 notation: parse `'Tab Name'!A1:D10` and write ranges back the way the API does."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


class A1Error(ValueError):
    """A range the API would refuse to parse."""


@dataclass(frozen=True)
class A1Range:
    """A parsed range: 0-based, end-exclusive; None means open-ended on that side."""

    tab: str | None
    start_row: int | None
    start_column: int | None
    end_row: int | None
    end_column: int | None


def column_index(letters: str) -> int:
    """`A` -> 0, `Z` -> 25, `AA` -> 26."""
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index - 1


def column_letters(index: int) -> str:
    """0 -> `A`, 26 -> `AA`."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def quote_tab(title: str) -> str:
    """A tab name as the API writes it in a range: quoted unless plain ASCII word."""
    looks_like_cell = re.fullmatch(r"[A-Za-z]{1,3}\d+", title)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not looks_like_cell:
        return title
    return "'" + title.replace("'", "''") + "'"


def split_tab(text: str) -> tuple[str | None, str]:
    """Split `'It''s'!A1` into (`It's`, `A1`); a bare name means the whole tab."""
    if text.startswith("'"):
        index, name = 1, []
        while index < len(text):
            char = text[index]
            if char == "'":
                if text[index + 1 : index + 2] == "'":
                    name.append("'")
                    index += 2
                    continue
                rest = text[index + 1 :]
                if rest and not rest.startswith("!"):
                    raise A1Error(text)
                return "".join(name), rest[1:]
            name.append(char)
            index += 1
        raise A1Error(text)
    if "!" in text:
        tab, _, cells = text.rpartition("!")
        return tab, cells
    return None, text


def _corner(text: str) -> tuple[int | None, int | None]:
    match = _CELL.match(text)
    if not match or not text:
        raise A1Error(text)
    letters, digits = match.groups()
    row = int(digits) - 1 if digits else None
    if row is not None and row < 0:
        raise A1Error(text)
    return row, (column_index(letters) if letters else None)


def parse_a1(text: str, tab_names: set[str] | None = None) -> A1Range:
    """Parse a range; a lone word that names a tab is that whole tab."""
    tab, cells = split_tab(text.strip())
    if tab is None and tab_names is not None and cells in tab_names:
        return A1Range(cells, None, None, None, None)
    if not cells:
        return A1Range(tab, None, None, None, None)
    first, _, second = cells.partition(":")
    start_row, start_column = _corner(first)
    if not second:
        if start_row is None or start_column is None:
            raise A1Error(text)
        return A1Range(tab, start_row, start_column, start_row + 1, start_column + 1)
    end_row, end_column = _corner(second)
    # `A:B` whole columns, `2:5` whole rows, `A2:B` open-ended downwards.
    if (
        start_column is None
        and end_column is not None
        or start_row is None
        and start_column is None
    ):
        raise A1Error(text)
    return A1Range(
        tab,
        start_row if start_row is not None else (0 if end_row is None else None),
        start_column,
        end_row + 1 if end_row is not None else None,
        end_column + 1 if end_column is not None else None,
    )


def format_a1(tab: str, start_row: int, start_column: int, end_row: int, end_column: int) -> str:
    """`'Tab Name'!A1:D10` from 0-based end-exclusive bounds."""
    first = f"{column_letters(start_column)}{start_row + 1}"
    last = f"{column_letters(end_column - 1)}{end_row}"
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_tab(tab)}!{cells}"
