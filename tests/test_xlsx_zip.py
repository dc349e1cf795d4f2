"""The raw zip copy: unchanged members keep their exact compressed bytes."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.backends.xlsx.package import Package, insert_before_closing, resolve_target
from sync.backends.xlsx.rawzip import new_member, read_members, write_members


def archive(entries: list[tuple[str, bytes, int, int | None]]) -> bytes:
    """A zip made by zipfile: (name, content, method, compress level)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, content, method, level in entries:
            out.writestr(name, content, compress_type=method, compresslevel=level)
    return buffer.getvalue()


def test_members_are_copied_with_their_compressed_bytes() -> None:
    original = archive(
        [
            ("[Content_Types].xml", b"<Types/>" * 50, zipfile.ZIP_DEFLATED, 9),
            ("xl/media/image1.png", bytes(range(256)) * 4, zipfile.ZIP_STORED, None),
            ("xl/worksheets/sheet1.xml", b"<worksheet/>" * 100, zipfile.ZIP_DEFLATED, 1),
        ]
    )
    members = read_members(io.BytesIO(original))
    copy = io.BytesIO()
    write_members(copy, members)
    again = read_members(io.BytesIO(copy.getvalue()))
    assert [(m.name, m.method, m.crc, m.data) for m in again] == [
        (m.name, m.method, m.crc, m.data) for m in members
    ]
    with zipfile.ZipFile(io.BytesIO(copy.getvalue())) as result:
        assert result.testzip() is None
        assert result.read("xl/media/image1.png") == bytes(range(256)) * 4


def test_a_replaced_part_keeps_its_place_and_new_parts_go_last() -> None:
    original = archive(
        [
            ("a.xml", b"<a/>", zipfile.ZIP_DEFLATED, None),
            ("b.xml", b"<b/>", zipfile.ZIP_DEFLATED, None),
        ]
    )
    package = Package(read_members(io.BytesIO(original)))
    package.put("a.xml", b"<a>new</a>")
    package.put("b.xml", b"<b/>")  # same bytes: stays the original member
    package.put("c.xml", b"<c/>")
    assert package.changed() == {"a.xml", "c.xml"}
    out = io.BytesIO()
    package.save(out)
    with zipfile.ZipFile(out) as result:
        assert result.namelist() == ["a.xml", "b.xml", "c.xml"]
        assert result.read("a.xml") == b"<a>new</a>"


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abcdefgh/_.é中", min_size=1, max_size=20).filter(
            lambda n: not n.startswith("/") and not n.endswith("/") and "//" not in n
        ),
        st.binary(max_size=2000),
        min_size=1,
        max_size=6,
    )
)
def test_any_members_round_trip(contents: dict[str, bytes]) -> None:
    out = io.BytesIO()
    write_members(out, [new_member(name, data) for name, data in contents.items()])
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as result:
        assert result.testzip() is None
        assert {name: result.read(name) for name in result.namelist()} == contents


def test_insertions_keep_every_existing_byte() -> None:
    xml = b'<?xml version="1.0"?><x:Types xmlns:x="ns"><x:Default Extension="xml"/></x:Types>'
    grown = insert_before_closing(xml, "Types", "<x:Override/>")
    assert grown == xml.replace(b"</x:Types>", b"<x:Override/></x:Types>")
    empty = insert_before_closing(b'<s><numFmts count="0" /></s>', "numFmts", "<numFmt/>")
    assert empty == b'<s><numFmts count="0"><numFmt/></numFmts></s>'


def test_relationship_targets() -> None:
    assert resolve_target("xl", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve_target("xl/worksheets", "../drawings/drawing1.xml") == "xl/drawings/drawing1.xml"
    assert resolve_target("xl", "/xl/styles.xml") == "xl/styles.xml"
    assert resolve_target("", "xl/workbook.xml") == "xl/workbook.xml"
