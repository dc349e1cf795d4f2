"""A quick look at a worksheet's XML: may calamine read it, or must the streaming reader?

calamine (Rust) reads a plain worksheet several times faster than Python can, but it
allocates the whole rectangle up to the farthest cell, panics on some numbers in date
cells, and reads error values and formulas without a cached value as blanks. This scan
runs over the raw XML at the speed of a byte search and says yes only when none of
those can happen; otherwise the streaming reader (`cells`) reads the tab.
"""

from __future__ import annotations

import re
from typing import Protocol

CHUNK = 1 << 22
OVERLAP = 512  # longer than any pattern below, so a match split by a chunk edge is seen
# calamine may allocate this many cells beyond the ones the sheet holds.
SPARE_CELLS = 200_000
DENSE_FACTOR = 4

_ROW_NUMBER = re.compile(rb"<row\b[^>]*?\sr=[\"'](\d+)")
_ROW_NUMBER_FIRST = re.compile(rb'<row r="(\d+)"')  # as Excel and LibreOffice write it
# Patterns start with a literal (` r="`, `</f>`) so the regex engine skips ahead at the
# speed of a byte search; attributes after a line break or tab are caught by _ODD_SPACING.
_WIDE_COLUMN = re.compile(rb" r=[\"']([A-Za-z]{3})")
_DIMENSION = re.compile(rb"<dimension\s+ref=[\"'](?:[A-Za-z]+\d+:)?([A-Za-z])\d+[\"']")
_TWO_LETTER_COLUMN = re.compile(rb" r=[\"']([A-Za-z]{2})\d")
_TWO_LETTERS = re.compile(rb" r=[\"'][A-Za-z]{2}")  # two or more: finds what both above find
_ODD_SPACING = (b"\nr=", b"\tr=", b"\rr=", b"\nt=", b"\tt=", b"\rt=", b"\ns=", b"\ts=")
_ERROR_CELL = (b' t="e"', b" t='e'")
# `<c r = "ZZ2">` is well-formed XML that calamine honours but the patterns above, which
# look for ` r="`, would miss: a cell or row tag with space around an `=` goes to the
# streaming reader. The pattern only runs where a byte search finds such an `=` at all.
_SPACED_EQUALS = {
    b" ": (b" =", b"= "), b"\t": (b"\t=", b"=\t"), b"\n": (b"\n=", b"=\n"), b"\r": (b"\r=", b"=\r")
}
_SPACED_EQUALS_IN_TAG = re.compile(rb"<(?:c|row)\s[^>]*?(?:\s=|=\s)")
# A formula followed by no value, or by an empty one, before its cell closes.
_UNCACHED = re.compile(rb"</f>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
_UNCACHED_SHARED = re.compile(rb"<f\b[^>]*/>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


class Blocks(Protocol):
    """Where the XML comes from: a stream, or anything read block by block like one."""

    def read(self, size: int, /) -> bytes: ...


def calamine_can_read(stream: Blocks, date_kinds: dict[int, int]) -> bool:
    """Whether calamine reads this worksheet XML faithfully and within memory."""
    chunk = stream.read(CHUNK)
    if not _plain_utf8(chunk):
        return False
    date_values = _date_values(date_kinds)
    max_row = rows_seen = rows_numbered = cells = 0
    # Without a two-letter column a tab is at most 26 wide; narrower when its <dimension>
    # says so and no cell lies beyond it (checked in the same pass as the wide columns).
    columns, wide_or_beyond, past_one_letter = _declared_width(chunk)
    carry = tail = b""
    while chunk:
        # Blocks end after a `>`, so every tag is whole in exactly one block.
        data = carry + chunk
        cut = data.rfind(b">") + 1
        block, carry = data[:cut], data[cut:]
        window = tail + block  # patterns that span tags may straddle two blocks
        # One search rules out both the wide columns and the two-letter ones in most blocks.
        narrow = past_one_letter.search(block) is None
        beyond = None if narrow else wide_or_beyond.search(block)
        if beyond is not None and beyond.group(1) is None:
            columns, wide_or_beyond, past_one_letter = 26, _WIDE_COLUMN, _TWO_LETTERS
            beyond = _WIDE_COLUMN.search(block)
        if (
            beyond is not None
            or (_spaced_oddly(block) and any(odd in block for odd in _ODD_SPACING))
            or _error_cell_in(block)
            or _spaced_equals_in(block)
            or (b"<f" in window and (_UNCACHED.search(window) or _UNCACHED_SHARED.search(window)))
            or _date_value_found(date_values, window)
        ):
            return False
        if not narrow:
            for letters in set(_TWO_LETTER_COLUMN.findall(block)):
                upper = letters.upper()
                columns = max(columns, (upper[0] - 64) * 26 + upper[1] - 64)
        numbers = _ROW_NUMBER_FIRST.findall(block)
        # Every `<row r="` is a `<row ` and every `<row ` or `<row>` a `<row`: when the
        # numbers found are as many as the `<row`s, they are as many as the rows.
        seen = block.count(b"<row")
        if len(numbers) != seen:
            seen = block.count(b"<row ") + block.count(b"<row>")
            if len(numbers) != seen:
                numbers = _ROW_NUMBER.findall(block)
        if numbers:
            max_row = max(max_row, *map(int, numbers))
        rows_numbered += len(numbers)
        rows_seen += seen
        cells += block.count(b"<c ")  # cells written `<c>` only make the bound stricter
        tail = block[-OVERLAP:]
        chunk = stream.read(CHUNK)
    if rows_numbered != rows_seen:
        return False  # rows without a number: where they end is not known here
    return max_row * columns <= DENSE_FACTOR * cells + SPARE_CELLS


def _declared_width(head: bytes) -> tuple[int, re.Pattern[bytes], re.Pattern[bytes]]:
    """The width the <dimension> declares when it is one letter (else 26), a pattern that
    finds a three-letter column or a one-letter column beyond that width, and one that
    also finds any two-letter column (when it finds nothing, neither of the others would)."""
    match = _DIMENSION.search(head)
    if match is None:
        return 26, _WIDE_COLUMN, _TWO_LETTERS
    last = match.group(1).upper()
    width = ord(last) - 64
    if width >= 26:
        return 26, _WIDE_COLUMN, _TWO_LETTERS
    letters = bytes(range(ord(last) + 1, ord("Z") + 1))
    beyond = re.escape(letters) + re.escape(letters.lower())
    return (
        width,
        re.compile(rb" r=[\"'](?:([A-Za-z]{3})|[" + beyond + rb"]\d)"),
        re.compile(rb" r=[\"'](?:[A-Za-z]{2}|[" + beyond + rb"]\d)"),
    )


def _spaced_oddly(block: bytes) -> bool:
    # Excel and LibreOffice put no line break or tab inside sheetData: skip the
    # eight searches for attributes after one unless the block has them at all.
    # (More than two line breaks, found by byte searches rather than a count.)
    third = block.find(b"\n", block.find(b"\n", block.find(b"\n") + 1) + 1)
    return (third >= 0 and block.count(b"\n") > 2) or b"\t" in block or b"\r" in block


def _spaced_equals_in(block: bytes) -> bool:
    """Whether a cell or row tag has space around an `=`. The byte searches for a tab, a
    line break and a carriage return (rare in sheet XML) skip the pair of searches for an
    `=` beside each one that the block lacks: a space alone is always looked for."""
    return any(
        space in block and (around[0] in block or around[1] in block)
        for space, around in _SPACED_EQUALS.items()
    ) and _SPACED_EQUALS_IN_TAG.search(block) is not None


def _error_cell_in(block: bytes) -> bool:
    # A single quote is rare in sheet XML: its search runs only when the block has one.
    return _ERROR_CELL[0] in block or (b"'" in block and _ERROR_CELL[1] in block)


def _date_values(date_kinds: dict[int, int]) -> list[tuple[bytes, re.Pattern[bytes]]]:
    """Patterns that find a date-styled cell holding a number a date style might turn into
    a panic or a wrong date: negative, 7+ digits, an exponent, or odd spacing. One pattern
    per quote mark, naming every date style (` s="3"`, ` s="7"`), so one pass over the XML
    finds any of them; a pattern only runs when its quote mark follows an ` s=` at all."""
    if not date_kinds:
        return []
    styles = b"|".join(str(style).encode() for style in sorted(date_kinds))
    return [
        (rb" s=" + quote, re.compile(
            rb" s="
            + quote
            + rb"(?:"
            + styles
            + rb")"
            + quote
            + rb"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>(?:[-\s]|\d{7}|[^<]*[eE])"
        ))
        for quote in (b'"', b"'")
    ]


def _date_value_found(patterns: list[tuple[bytes, re.Pattern[bytes]]], window: bytes) -> bool:
    """Whether a date pattern matches; one whose ` s=` and quote mark the window lacks is
    skipped (a byte search, much faster than the pattern's)."""
    return any(marker in window and pattern.search(window) for marker, pattern in patterns)


def _plain_utf8(head: bytes) -> bool:
    """UTF-8 XML whose root element carries no namespace prefix (what calamine expects)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:200]:
        return False
    match = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]", head)
    return match is not None and match.group(1) is None
