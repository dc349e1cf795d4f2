"""Reading exports: encodings and separators detected, blank lines dropped, .xlsx too."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from sync.errors import SalesOpsError
from sync.imports.mapping import MapFileError, load_map
from sync.imports.sources import decode, detect_separator, read_source

ROWS = [
    ["Customer", "Region", "Amount", "Note"],
    ["Café Zürich, AG", "West; Alps", "1,200.50", 'said "yes"'],
    ["北京星辰", "华北", "300", "tab\tinside"],
    ["Plain", "North", "12", ""],
]
ENCODINGS = {"UTF-8": b"", "UTF-8 with BOM": b"\xef\xbb\xbf", "GB18030": b""}


def encoded(rows: list[list[str]], separator: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    codec = "gb18030" if encoding == "GB18030" else "utf-8"
    return ENCODINGS[encoding] + buffer.getvalue().encode(codec)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize(("separator", "name"), [(",", "comma"), (";", "semicolon"),
                                                  ("\t", "tab")])
def test_every_encoding_and_separator(tmp_path: Path, encoding: str, separator: str,
                                      name: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(encoded(ROWS, separator, encoding))
    table = read_source(path)
    assert (table.encoding, table.separator) == (encoding, name)
    assert table.headers == ROWS[0]
    # Blank cells arrive as None; row numbers count the header as row 1.
    assert table.rows == [(2, ROWS[1]), (3, ROWS[2]), (4, ["Plain", "North", "12", None])]


def test_semicolons_with_decimal_commas_fool_the_sniffer_but_not_the_reader() -> None:
    # Excel in a comma-decimal locale: one comma and one semicolon on every line.
    text = "Amount (EUR, net);Customer\r\n1,5;Acme\r\n2,75;Globex\r\n10,0;Initech\r\n"
    assert csv.Sniffer().sniff(text).delimiter == ","  # what the standard library guesses
    assert detect_separator(text) == ";"


def test_commas_inside_quoted_tab_separated_text() -> None:
    text = 'Customer\tNote\r\n"Acme, Inc."\t"a, b, c"\r\n"Globex, Ltd"\t"d, e"\r\n'
    assert detect_separator(text) == "\t"


def test_gb18030_is_tried_only_after_utf8() -> None:
    assert decode("客户".encode()) == ("客户", "UTF-8")
    assert decode("客户".encode("gb18030")) == ("客户", "GB18030")
    assert decode("客户".encode("utf-16")) == ("客户", "UTF-16")  # with its byte-order mark


def test_blank_lines_and_leading_blank_lines_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("\n\nDeal ID,Stage\n\nD-1,Won\n,\n", encoding="utf-8")
    table = read_source(path)
    assert table.headers == ["Deal ID", "Stage"]
    assert table.rows == [(5, ["D-1", "Won"])]


def test_xlsx_export_keeps_typed_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Order ID", "Date", "Amount"])
    sheet.append(["0001", datetime(2026, 3, 5), 12.5])
    book.save(tmp_path / "export.xlsx")
    table = read_source(tmp_path / "export.xlsx")
    assert table.rows == [(2, ["0001", date(2026, 3, 5), 12.5])]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.csv", None, "no such file"),
    ("export.pdf", b"%PDF", "import reads .csv or .xlsx files"),
    ("empty.csv", b"\n\n", "is empty"),
    ("broken.xlsx", b"not a zip", "cannot be read as an .xlsx workbook"),
])
def test_unreadable_sources_say_what_to_do(tmp_path: Path, name: str, content: bytes | None,
                                           message: str) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(SalesOpsError, match=message):
        read_source(tmp_path / name)


def test_map_file(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "columns:\n  opportunity_id: Deal ID\n  agent: Owner\n"
        "values:\n  Stage:\n    Engaging: Qualified\n  Owner:\n    1001: Ana Ruiz\n"
        "date_format: dmy\n", encoding="utf-8")
    loaded = load_map(path)
    assert loaded.columns == {"opportunity_id": "Deal ID", "agent": "Owner"}
    assert loaded.values == {"Stage": {"Engaging": "Qualified"}, "Owner": {"1001": "Ana Ruiz"}}
    assert loaded.date_format == "DMY"


@pytest.mark.parametrize(("text", "message"), [
    ("columns: [a, b]\n", "`columns` should be a list of `name: name` lines"),
    ("colums:\n  a: Deal ID\n", "unknown section colums"),
    ("date_format: YDM\n", "date_format 'YDM' should be one of YMD, DMY, MDY"),
    ("columns:\n  a: \n", "column 'a' maps to nothing"),
    ("columns: {a: [\n", "is not valid YAML"),
])
def test_bad_map_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MapFileError, match=message.replace("[", r"\[")):
        load_map(path)
