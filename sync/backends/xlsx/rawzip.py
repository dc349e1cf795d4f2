"""A zip archive that copies unchanged members as their original compressed bytes.

`zipfile` can only write members it compresses itself, which may change their bytes.
The owner's parts must come out exactly as they went in, so this module reads each
member's raw (still compressed) bytes and writes them back with their original method,
CRC, flags and time stamp; only new or replaced members are compressed here.
"""

from __future__ import annotations

import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from sync.errors import WorkbookTooLargeError

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_OF_DIRECTORY = struct.Struct("<IHHHHIIH")
_LIMIT_32 = 0xFFFFFFFF
_UTF8_FLAG = 0x800
_DATA_DESCRIPTOR_FLAG = 0x8

# What a sync agrees to unpack, checked against the archive's directory before any part
# is inflated. Sized for a real workbook of 10 million cells:
# - a worksheet part spends 40-60 bytes per cell as Excel and LibreOffice write it
#   (`<c r="K104857" s="12" t="s"><v>123456</v></c>`), and about 45 bytes plus the text
#   for inline strings as other libraries write it: ~100 bytes a cell at worst, so 10
#   million cells in one tab make a part of ~1 GB; the per-part limit allows twice that;
# - its shared strings: 10 million distinct strings of 50 characters are ~650 MB;
# - all parts together: those plus styles, drawings and pictures stay under 2 GB; the
#   total limit allows twice that.
# - compression ratio: cell XML deflates 5-15:1 (measured 9-11:1 for rows of identical
#   values, as every cell carries its own reference), a shared-strings part that repeats
#   a few strings ~230:1, deflate's ceiling is ~1032:1. A zip bomb sits at the ceiling:
#   1.6 MB of shared strings that unpack to 1.5 GB is 940:1. The ratio is only checked
#   above RATIO_CHECKED_FROM bytes, where unpacking starts to cost memory and time.
MAX_PART_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 4 * 1024**3
MAX_RATIO = 300
RATIO_CHECKED_FROM = 1024**2


@dataclass
class RawMember:
    """One archive member as stored: its compressed bytes and the header facts about them."""

    name: str
    method: int
    flags: int
    crc: int
    size: int
    data: bytes  # compressed bytes
    date_time: tuple[int, int, int, int, int, int]
    external_attr: int = 0
    create_system: int = 0
    create_version: int = 20
    extract_version: int = 20

    def uncompressed(self) -> bytes:
        """The member's content."""
        if self.method == zipfile.ZIP_STORED:
            return self.data
        if self.method == zipfile.ZIP_DEFLATED:
            # Never more than the size the directory declares (and checked): no zip bomb.
            content = zlib.decompressobj(-15).decompress(self.data, self.size + 1)
            if len(content) != self.size:
                raise zipfile.BadZipFile(f"{self.name} does not unpack to its declared size")
            return content
        raise zipfile.BadZipFile(f"{self.name} uses unsupported compression {self.method}")


def check_unpack_limits(infos: Iterable[zipfile.ZipInfo], label: str) -> None:
    """Refuse an archive that would unpack to more than a sync reads (see MAX_PART_BYTES)."""
    total = 0
    for info in infos:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        if size > MAX_PART_BYTES:
            raise WorkbookTooLargeError(
                f"{label}: its part {info.filename} would unpack to {_size(size)}, more than "
                f"the {_size(MAX_PART_BYTES)} a sync reads in one part; the file is damaged "
                "or not a real workbook: restore a good copy, or split the data over workbooks."
            )
        if size > RATIO_CHECKED_FROM and size / packed > MAX_RATIO:
            raise WorkbookTooLargeError(
                f"{label}: its part {info.filename} would unpack from {_size(packed)} to "
                f"{_size(size)} ({size // packed}:1, no real workbook compresses past "
                f"{MAX_RATIO}:1); the file was made to exhaust memory or is damaged: nothing "
                "was read. Restore a good copy of the workbook."
            )
    if total > MAX_TOTAL_BYTES:
        raise WorkbookTooLargeError(
            f"{label} would unpack to {_size(total)}, more than the {_size(MAX_TOTAL_BYTES)} "
            "a sync reads: remove what does not belong in it (pictures, old tabs) or split "
            "the data over workbooks."
        )


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def read_members(handle: BinaryIO, label: str = "The workbook") -> list[RawMember]:
    """Every member of the zip archive in `handle`, in archive order, with raw bytes."""
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
    check_unpack_limits(infos, label)
    members = []
    for info in infos:
        members.append(
            RawMember(
                name=info.filename,
                method=info.compress_type,
                flags=info.flag_bits,
                crc=info.CRC,
                size=info.file_size,
                data=raw_data(handle, info),
                date_time=info.date_time,
                external_attr=info.external_attr,
                create_system=info.create_system,
                create_version=info.create_version,
                extract_version=info.extract_version,
            )
        )
    return members


def raw_data(handle: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """The bytes of the member `info` as stored in the archive in `handle` (compressed)."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != 0x04034B50:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_length, extra_length = fields[9], fields[10]
    handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    return handle.read(info.compress_size)


def new_member(name: str, content: bytes) -> RawMember:
    """A deflated member holding `content`, stamped with the current time."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return RawMember(
        name=name,
        method=zipfile.ZIP_DEFLATED,
        flags=_UTF8_FLAG if not name.isascii() else 0,
        crc=zlib.crc32(content),
        size=len(content),
        data=data,
        date_time=time.localtime()[:6],
        external_attr=0o600 << 16,
    )


def write_members(handle: BinaryIO, members: Iterable[RawMember]) -> None:
    """Write a zip archive of these members to `handle`, raw bytes as they are."""
    members = list(members)
    if len(members) > 0xFFFF or sum(len(m.data) + 100 for m in members) > _LIMIT_32:
        _write_with_zipfile(handle, members)
        return
    directory = bytearray()
    offset = 0
    for member in members:
        name, flags = _encoded_name(member)
        # Sizes are known up front, so no data descriptor follows the data.
        flags &= ~_DATA_DESCRIPTOR_FLAG
        dos_time, dos_date = _dos_stamp(member.date_time)
        local = _LOCAL_HEADER.pack(
            0x04034B50,
            member.extract_version,
            flags,
            member.method,
            dos_time,
            dos_date,
            member.crc,
            len(member.data),
            member.size,
            len(name),
            0,
        )
        handle.write(local + name + member.data)
        directory += (
            _CENTRAL_HEADER.pack(
                0x02014B50,
                (member.create_system << 8) | member.create_version,
                member.extract_version,
                flags,
                member.method,
                dos_time,
                dos_date,
                member.crc,
                len(member.data),
                member.size,
                len(name),
                0,
                0,
                0,
                0,
                member.external_attr,
                offset,
            )
            + name
        )
        offset += len(local) + len(name) + len(member.data)
    handle.write(directory)
    handle.write(
        _END_OF_DIRECTORY.pack(
            0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0
        )
    )


def _encoded_name(member: RawMember) -> tuple[bytes, int]:
    if member.flags & _UTF8_FLAG:
        return member.name.encode("utf-8"), member.flags
    try:
        return member.name.encode("cp437"), member.flags
    except UnicodeEncodeError:
        return member.name.encode("utf-8"), member.flags | _UTF8_FLAG


def _dos_stamp(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    year = min(max(year, 1980), 2107)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _write_with_zipfile(handle: BinaryIO, members: list[RawMember]) -> None:
    # Archives too big for the 32-bit format: zipfile writes ZIP64, recompressing
    # each member with its original method (the content stays identical).
    with zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=member.date_time)
            info.compress_type = member.method
            info.external_attr = member.external_attr
            archive.writestr(info, member.uncompressed())
