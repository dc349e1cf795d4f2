"""The reader's second thread (calamine parsing tabs, zlib inflating the XML the scan looks
at) changes nothing a read returns or raises, and never outlives the read."""

from __future__ import annotations

import struct
import threading
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from python_calamine import CalamineError, CalamineWorkbook

from sync.backends.xlsx import prescan, read
from sync.backends.xlsx.read import WorkbookReader, read_tabs
from sync.backends.xlsx.read_ahead import ReadAhead
from sync.backends.xlsx.sheet_parser import BackgroundParser
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.errors import NotAWorkbookError


@pytest.fixture(autouse=True)
def no_parse_thread_left() -> Iterator[None]:
    yield
    names = {thread.name for thread in threading.enumerate()}
    assert not names & {"calamine-parse", "xlsx-read-ahead"}


def _demo(path: Path) -> Path:
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    return path


@pytest.mark.parametrize("parsers", [1, 2])
def test_tabs_read_together_match_tabs_read_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsers: int
) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    opened: list[str] = []
    real = read.BackgroundParser

    class Counted(real):  # type: ignore[misc, valid-type]
        def _run(self) -> None:
            opened.append(threading.current_thread().name)
            super()._run()

    monkeypatch.setattr(read, "BackgroundParser", Counted)
    monkeypatch.setattr(read, "usable_cpus", lambda: 2)
    # The demo's XML is far below the size for a second thread, unless that is lowered.
    monkeypatch.setattr(read, "TWO_PARSERS_FROM", 0 if parsers == 2 else 1 << 40)
    with zipfile.ZipFile(path) as archive:
        reader = WorkbookReader(archive, str(path), path)
        names = list(reader.sheets)
        together = reader.grids([*names, names[0]])  # a name asked twice is read once
        alone = {name: reader.grid(name) for name in names}
        reader.close()
    assert len(opened) == parsers
    assert list(together) == names
    for name in names:
        assert together[name] == alone[name], name
        assert together[name].merged == alone[name].merged
        assert together[name].stray == alone[name].stray


def test_a_tab_asked_for_under_two_names_gets_two_grids(tmp_path: Path) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    grids = read_tabs(path, ["Pipeline", "pipeline ", "Orders"])
    assert grids["Pipeline"] == grids["pipeline "]
    assert grids["Pipeline"] is not grids["pipeline "]


def _broken_workbook(path: Path) -> Path:
    """Pipeline's XML ends mid-row (calamine refuses it, and so does the streaming reader),
    Orders is fine; stored uncompressed so a test can damage Orders' bytes."""
    workbook = Workbook()
    workbook.active.title = "Pipeline"
    workbook.active.append(["Deal ID", "Amount"])
    workbook.active.append(["D-1", 100])
    workbook.create_sheet("Orders").append(["Order ID", "Amount"])
    workbook["Orders"].append(["O-1", 5])
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = xml[: xml.index(b"</row>", xml.index(b'r="2"'))]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


def test_a_tab_neither_reader_can_read_says_which_and_stops_the_thread(tmp_path: Path) -> None:
    path = _broken_workbook(tmp_path / "broken.xlsx")
    assert read_tabs(path, ["Orders"])["Orders"] == [["Order ID", "Amount"], ["O-1", 5]]
    with pytest.raises(NotAWorkbookError, match="tab Pipeline: cannot be read"):
        read_tabs(path, ["Pipeline", "Orders"])


def test_the_first_tab_in_order_that_fails_is_the_one_reported(tmp_path: Path) -> None:
    # Orders' bytes are damaged too (its checksum fails while it is scanned), but Pipeline
    # comes first: the owner hears about Pipeline, as when tabs were read one by one.
    path = _broken_workbook(tmp_path / "broken.xlsx")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    content = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack("<HH", content[info.header_offset + 26 :][:4])
    start = info.header_offset + 30 + name_length + extra_length
    at = content.index(b"O-1", start)
    content[at : at + 3] = b"X-1"
    path.write_bytes(bytes(content))
    with pytest.raises(NotAWorkbookError, match="Bad CRC-32"):
        read_tabs(path, ["Orders"])
    with pytest.raises(NotAWorkbookError, match="tab Pipeline: cannot be read"):
        read_tabs(path, ["Pipeline", "Orders"])
    with pytest.raises(NotAWorkbookError, match="Bad CRC-32"):
        read_tabs(path, ["Orders", "Pipeline"])


def test_calamine_errors_reach_whoever_asks_for_the_sheet(tmp_path: Path) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    with BackgroundParser(lambda: CalamineWorkbook.from_path(str(path))) as parser:
        parser.parse("No Such Tab")
        parser.parse("Orders")
        with pytest.raises(CalamineError):
            parser.sheet("No Such Tab")
        assert parser.sheet("Orders").to_python()[0][0] == "Order ID"
    not_a_workbook = tmp_path / "notes.xlsx"
    not_a_workbook.write_text("plain text")
    with BackgroundParser(lambda: CalamineWorkbook.from_path(str(not_a_workbook))) as parser:
        parser.parse("Orders")
        parser.parse("Pipeline")
        for name in ("Orders", "Pipeline"):  # each parse tries the file again, as before
            with pytest.raises(CalamineError):
                parser.sheet(name)


def test_leaving_early_stops_the_thread_with_parses_still_queued(tmp_path: Path) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    with (
        pytest.raises(RuntimeError, match="owner's own"),
        BackgroundParser(lambda: CalamineWorkbook.from_path(str(path))) as parser,
    ):
        for name in ("Orders", "Pipeline", "Customers", "Goals"):
            parser.parse(name)
        raise RuntimeError("the owner's own error")


def _blocks(stream: ReadAhead | zipfile.ZipExtFile, size: int) -> list[bytes | str]:
    """Every block read, then the error that ended the reading (its type's name), if any."""
    blocks: list[bytes | str] = []
    try:
        while block := stream.read(size):
            blocks.append(block)
        blocks.append(stream.read(size))  # asked again after the end
    except zipfile.BadZipFile as error:
        blocks.append(type(error).__name__)
    return blocks


def test_read_ahead_gives_the_blocks_and_the_error_a_direct_read_gives(tmp_path: Path) -> None:
    path = _broken_workbook(tmp_path / "broken.xlsx")
    part = "xl/worksheets/sheet2.xml"
    with zipfile.ZipFile(path) as archive:
        with archive.open(part) as stream:
            direct = _blocks(stream, 100)
        with archive.open(part) as stream, ReadAhead(stream, 100) as ahead:
            assert _blocks(ahead, 100) == direct
            with pytest.raises(ValueError, match="blocks are 100 bytes"):
                ahead.read(50)
    assert direct[-1] == b"" and len(direct) > 3  # the end, as often as asked
    # Orders damaged: the checksum fails at the end of the stream, for both alike.
    content = path.read_bytes()
    at = content.index(b"O-1")
    path.write_bytes(content[:at] + b"X-1" + content[at + 3 :])
    with zipfile.ZipFile(path) as archive:
        with archive.open(part) as stream:
            direct = _blocks(stream, 100)
        with archive.open(part) as stream, ReadAhead(stream, 100) as ahead:
            assert _blocks(ahead, 100) == direct
    assert direct[-1] == "BadZipFile"


def test_leaving_a_read_ahead_early_stops_its_thread(tmp_path: Path) -> None:
    path = _demo(tmp_path / "demo.xlsx")
    with (
        zipfile.ZipFile(path) as archive,
        archive.open("xl/worksheets/sheet7.xml") as stream,
        ReadAhead(stream, 64) as ahead,
    ):
        assert ahead.read(64).startswith(b"<")


def test_large_tabs_scanned_with_read_ahead_read_the_same(tmp_path: Path) -> None:
    # Blocks of 4 KB instead of 4 MB: every demo tab longer than that is inflated ahead.
    path = _demo(tmp_path / "demo.xlsx")
    names = ["Settings", "Pipeline", "Customers", "Orders", "Stage Log"]
    whole = read_tabs(path, names)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prescan, "CHUNK", 4096)
        patch.setattr(read, "CHUNK", 4096)
        with zipfile.ZipFile(path) as archive:
            assert archive.getinfo("xl/worksheets/sheet7.xml").file_size > 4096 * 3
        assert read_tabs(path, names) == whole
