"""The check of a written workbook before it replaces the owner's: every member reads back
whole; a member copied from the owner's file is compared, not unpacked."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.xlsx.file import TEMP_SUFFIX, FileState, replace_file
from sync.backends.xlsx.rawzip import RawMember, new_member, read_members, write_members
from sync.backends.xlsx.zipcheck import DIRECTORY, damaged_member
from sync.errors import WorkbookError

OWNER_PARTS = {
    "[Content_Types].xml": b"<Types/>" * 40,
    "xl/worksheets/sheet1.xml": b'<worksheet><sheetData><row r="1"/></sheetData></worksheet>' * 60,
    "xl/media/image1.png": bytes(range(256)) * 8,
}


def written(path: Path, members: list[RawMember]) -> Path:
    with path.open("wb") as handle:
        write_members(handle, members)
    return path


def owner_members() -> list[RawMember]:
    """The members of an owner's workbook, as a sync reads them from the file."""
    buffer = io.BytesIO()
    write_members(buffer, [new_member(name, content) for name, content in OWNER_PARTS.items()])
    return read_members(io.BytesIO(buffer.getvalue()))


def data_offset(path: Path, name: str) -> int:
    """Where a member's stored bytes start in the file."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = path.read_bytes()
    name_length = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little")
    extra_length = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    return info.header_offset + 30 + name_length + extra_length


def flip_byte(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


def old_check(path: Path) -> str | None:
    """What the write checked before: `ZipFile.testzip` (a deflate error counts as damage)."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            try:
                with archive.open(info) as stream:
                    stream.read()
            except (zipfile.BadZipFile, zlib.error):
                return info.filename
    return None


def test_a_sound_file_of_copied_and_new_parts_passes(tmp_path: Path) -> None:
    members = owner_members()
    copied = {member.name: member for member in members}
    path = written(tmp_path / "new.xlsx", [*members, new_member("xl/worksheets/sheet2.xml",
                                                                  b"<worksheet/>")])
    assert damaged_member(path, copied) is None
    assert damaged_member(path) is None  # everything unpacked: sound too


def test_a_copied_part_is_compared_not_unpacked(tmp_path: Path) -> None:
    # A picture already damaged in the owner's file (its bytes do not match its CRC-32) is
    # stored exactly as it was: the check does not unpack it, so the sync neither stops on
    # it nor changes it; unpacking every part (the old check) would have stopped the write.
    members = owner_members()
    picture = next(member for member in members if member.name == "xl/media/image1.png")
    picture.crc ^= 1
    path = written(tmp_path / "new.xlsx", members)
    assert damaged_member(path, {member.name: member for member in members}) is None
    assert damaged_member(path) == "xl/media/image1.png"
    assert old_check(path) == "xl/media/image1.png"


def test_a_copied_part_garbled_on_the_way_to_disk_is_found(tmp_path: Path) -> None:
    members = owner_members()
    path = written(tmp_path / "new.xlsx", members)
    flip_byte(path, data_offset(path, "xl/worksheets/sheet1.xml") + 5)
    assert damaged_member(path, {member.name: member for member in members}) == (
        "xl/worksheets/sheet1.xml")


def test_a_new_part_garbled_on_the_way_to_disk_is_found(tmp_path: Path) -> None:
    members = owner_members()
    path = written(tmp_path / "new.xlsx", [*members, new_member(
        "xl/worksheets/sheet2.xml", b'<row r="2"><c r="A2"><v>1</v></c></row>' * 200)])
    flip_byte(path, data_offset(path, "xl/worksheets/sheet2.xml") + 3)
    assert damaged_member(path, {member.name: member for member in members}) == (
        "xl/worksheets/sheet2.xml")


def test_a_truncated_file_is_found(tmp_path: Path) -> None:
    path = written(tmp_path / "new.xlsx", owner_members())
    path.write_bytes(path.read_bytes()[:-40])  # the end of the directory is gone
    assert damaged_member(path) == DIRECTORY


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.binary(min_size=1, max_size=3000), min_size=1, max_size=4),
    st.data(),
)
def test_the_check_finds_what_the_old_check_found(tmp_path: Path, contents: list[bytes],
                                                  data: st.DataObject) -> None:
    """Any one byte garbled in any member's stored bytes, copied or new: both checks name it
    (or both pass, when the garbled bytes still unpack to the same content)."""
    members = [new_member(f"xl/part{index}.xml", content) for index, content in enumerate(contents)]
    copied_names = data.draw(st.sets(st.sampled_from([m.name for m in members])))
    copied = {member.name: member for member in members if member.name in copied_names}
    path = written(tmp_path / "new.xlsx", members)
    victim = data.draw(st.sampled_from(members))
    offset = data_offset(path, victim.name) + data.draw(
        st.integers(0, len(victim.data) - 1))
    flip_byte(path, offset)
    assert damaged_member(path, copied) == old_check(path)


def test_replace_file_refuses_a_damaged_file_and_keeps_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "sales.xlsx"
    written(path, owner_members())
    before = path.read_bytes()

    def write_damaged(stream: io.BufferedWriter) -> None:
        buffer = io.BytesIO()
        write_members(buffer, [new_member("xl/worksheets/sheet2.xml", b"<worksheet/>" * 50)])
        raw = bytearray(buffer.getvalue())
        raw[30 + len("xl/worksheets/sheet2.xml") + 3] ^= 0xFF  # in its deflated bytes
        stream.write(bytes(raw))

    state = FileState.of(path)
    with pytest.raises(WorkbookError, match="xl/worksheets/sheet2.xml came out damaged"):
        replace_file(path, write_damaged, state)
    assert path.read_bytes() == before
    assert not [name for name in os.listdir(tmp_path) if name.endswith(TEMP_SUFFIX)]
