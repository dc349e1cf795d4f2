"""Read another tool's export: a CSV (encoding and separator detected) or an .xlsx.

CSV files arrive in UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8"), or
GB18030 (Excel on a Chinese Windows); the separator is a comma, a semicolon (Excel in
locales whose decimal mark is a comma) or a tab. `csv.Sniffer` guesses from one sample
and is easily fooled by commas inside text, so the separator is the candidate that splits
the header and the rows below it into the same number of fields, most consistently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.errors import SalesOpsError

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}  # least to most preferred
_SAMPLE_RECORDS = 200  # records read to decide the separator
csv.field_size_limit(16 * 1024 * 1024)  # long notes in a CRM export are not an error


class SourceError(SalesOpsError):
    """The file to import cannot be read (missing, not CSV or .xlsx, undecodable)."""


@dataclass
class SourceTable:
    """The export as a header row and data rows, each with its row number in the file."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (source row, cells)
    encoding: str = ""  # how the file was decoded: `UTF-8`, `UTF-8 with BOM`, `GB18030`
    separator: str = ""  # `comma`, `semicolon`, `tab`; empty for .xlsx


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as error:
        raise SourceError(
            f"the file is neither UTF-8 nor GB18030 text (byte {error.start}): save it from "
            "your spreadsheet program as \"CSV UTF-8\" and import that"
        ) from error


def _records(text: str, separator: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if limit is not None and len(records) >= limit:
                break
    except csv.Error:
        pass  # a broken quote late in the sample: judge on what was read
    return records


def detect_separator(text: str) -> str:
    """The separator that splits the header and the rows below into equal field counts.

    On a tie, a tab beats a semicolon and a semicolon beats a comma: a comma inside a
    field is common (a decimal comma, `Acme, Inc.`), the others are rare.
    """
    best, best_score = ",", (-1.0, 0, 0)
    for preference, separator in enumerate(SEPARATORS):
        records = [r for r in _records(text, separator, _SAMPLE_RECORDS) if any(r)]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        body = records[1:] or records
        agreeing = sum(1 for record in body if len(record) == width) / len(body)
        score = (agreeing, width, preference)
        if score > best_score:
            best, best_score = separator, score
    return best


def read_csv(path: Path) -> SourceTable:
    """A CSV export: decoded, its separator found, blank lines dropped."""
    text, encoding = decode(path.read_bytes())
    separator = detect_separator(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise SourceError(
            f"{path.name} is not a well-formed CSV file ({error}): open it in a spreadsheet "
            "program and save it again as CSV"
        ) from error
    return _table(path.name, records, encoding, SEPARATORS[separator])


def read_xlsx(path: Path) -> SourceTable:
    """The first tab of an .xlsx export, with typed cells (dates, numbers)."""
    from sync.backends.xlsx.read import read_first_tab

    return _table(path.name, read_first_tab(path), "", "")


def _table(name: str, records: Sequence[Sequence[Any]], encoding: str, separator: str
           ) -> SourceTable:
    cleaned = [[None if value == "" else value for value in record] for record in records]
    start = next((i for i, record in enumerate(cleaned) if any(v is not None for v in record)),
                 None)
    if start is None:
        raise SourceError(f"{name} is empty: export the data again with its header row")
    headers = ["" if value is None else str(value).strip() for value in cleaned[start]]
    table = SourceTable(name, headers, encoding=encoding, separator=separator)
    for index in range(start + 1, len(cleaned)):
        cells = cleaned[index]
        if any(value is not None and str(value).strip() for value in cells):
            table.rows.append((index + 1, list(cells)))  # row 1 is the file's first line
    return table


def read_source(path: str | Path) -> SourceTable:
    """The export at `path` (.csv, .tsv, .txt or .xlsx)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: no such file; check the path of the export to import")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return read_csv(path)
    raise SourceError(
        f"{path.name}: import reads .csv or .xlsx files; export the data as CSV and import that"
    )
