"""A1 notation shared by messages and both backends."""


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: `0` -> `A`, `25` -> `Z`, `26` -> `AA`."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def quote_tab(name: str) -> str:
    """A tab name as it stands in a reference, in Excel and in Sheets: `'Deal Health'`,
    `'Ana''s'` (quoted always, which both accept for any name)."""
    return "'" + name.replace("'", "''") + "'"
