"""Checking that a zip just written reads back whole, before it replaces the owner's file.

Every member must be found through the archive's directory, its local header must agree
with its directory entry, and its bytes must unpack to the CRC-32 the directory states
(what `ZipFile.testzip` checks). A member copied from the owner's file needs no unpacking
to know that: when its directory entry (method, CRC-32, sizes) and its stored bytes on disk
are exactly those read from the owner's file, it unpacks exactly as it did there. So only
the parts the product wrote anew are unpacked, and a big input tab copied as it was is only
compared byte for byte.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

from sync.backends.xlsx.rawzip import RawMember

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_CHUNK = 1 << 20
DIRECTORY = "the zip directory"  # what is named when the archive itself cannot be opened


def damaged_member(path: Path, copied: Mapping[str, RawMember] | None = None) -> str | None:
    """The name of the first member of the zip at `path` that does not read back whole.

    `copied` maps a part name to the member read from the owner's file: a member stored
    exactly as that one is compared, not unpacked. None when every member is sound.
    """
    copied = copied or {}
    with path.open("rb") as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError):
            return DIRECTORY
        with archive:
            for info in archive.infolist():
                original = copied.get(info.filename)
                if original is not None and stored_as(handle, info, original):
                    continue
                if not _unpacks(archive, info):
                    return info.filename
    return None


def stored_as(handle: BinaryIO, info: zipfile.ZipInfo, original: RawMember) -> bool:
    """Whether the member `info` of the archive in `handle` is stored exactly as `original`:
    the same method, CRC-32, sizes and compressed bytes, behind a local header naming it."""
    if (info.compress_type, info.CRC, info.file_size, info.compress_size) != (
            original.method, original.crc, original.size, len(original.data)):
        return False
    if info.flag_bits & _ENCRYPTED_FLAG:
        return False
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        return False
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        return False
    name_length, extra_length = fields[9], fields[10]
    name = handle.read(name_length)
    encoding = "utf-8" if fields[2] & _UTF8_FLAG else "cp437"
    if name.decode(encoding, errors="replace") != info.orig_filename:
        return False
    handle.seek(extra_length, 1)
    return handle.read(info.compress_size) == original.data


def _unpacks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member unpacks whole to the CRC-32 its directory entry states."""
    try:
        with archive.open(info) as stream:
            while stream.read(_CHUNK):
                pass
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return False
    return True
