"""Workbooks written by other programs: prefixed XML, Strict Open XML, macro workbooks."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.template import write_input_workbook
from sync.demo.workbook import demo_grids
from sync.engine import sync_workbook
from sync.errors import NotAWorkbookError

NOW = datetime(2026, 11, 26, 9, 0)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
INDEX_PARTS = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
}


def rewrite_parts(path: Path, change) -> None:  # noqa: ANN001 - (name, bytes) -> bytes
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, change(name, content))


def prefixed(xml: bytes, namespace: str, prefix: str) -> bytes:
    """The part as a writer that names its namespace with a prefix writes it: every
    element prefixed, attributes in reverse order, quoted with single quotes."""
    declaration = f'xmlns="{namespace}"'.encode()
    if declaration not in xml:
        return xml

    def tag(match: re.Match[bytes]) -> bytes:
        slash, name, attributes, end = match.groups()
        if b":" in name:
            return match.group(0)
        pairs = re.findall(rb'([\w:.-]+)="([^"]*)"', attributes)
        written = b"".join(b" " + key + b"='" + value + b"'" for key, value in reversed(pairs))
        return b"<" + slash + prefix.encode() + b":" + name + written + end

    xml = re.sub(rb"<(/?)([A-Za-z][\w.-]*)((?:\s+[\w:.-]+=\"[^\"]*\")*)\s*(/?>)", tag, xml)
    return xml.replace(f"xmlns='{namespace}'".encode(), f"xmlns:{prefix}='{namespace}'".encode())


def demo_workbook(path: Path) -> Path:
    write_input_workbook(path, demo_grids(1, 7, today=date(2026, 11, 26)))
    return path


def test_a_workbook_whose_xml_uses_prefixes_syncs_and_keeps_its_bytes(tmp_path: Path) -> None:
    path = demo_workbook(tmp_path / "prefixed.xlsx")

    def prefix_all(name: str, content: bytes) -> bytes:
        if not name.endswith((".xml", ".rels")):
            return content
        content = prefixed(content, MAIN, "x")
        content = prefixed(content, PACKAGE_RELS, "pr")
        return prefixed(content, CONTENT_TYPES, "ct")

    rewrite_parts(path, prefix_all)
    with zipfile.ZipFile(path) as before:
        styles = before.read("xl/styles.xml")
        assert styles.startswith(b"<x:styleSheet xmlns:x='") and b"<x:fonts count='" in styles
        original = {name: before.read(name) for name in before.namelist()}
    sync_workbook(XlsxBackend(path), now=NOW)
    sync_workbook(XlsxBackend(path), now=NOW)  # a second sync finds what the first added
    with zipfile.ZipFile(path) as after:
        for name, content in original.items():
            if name not in INDEX_PARTS:
                assert after.read(name) == content, name
        for name in INDEX_PARTS:
            new = after.read(name)
            # The index parts only gained entries, written with the part's own prefix.
            assert re.sub(
                rb"<(ct:Override|pr:Relationship|x:sheet|x:xf|x:font|x:fill|x:numFmt)"
                rb"\b[^>]*/>",
                b"",
                new,
            ).startswith(original[name][:40]), name
            assert b"<Override" not in new and b"<Relationship " not in new
            assert b"<sheet " not in new and b"<xf " not in new
    grids = XlsxBackend(path).read(["Funnel", "Pipeline"])
    assert grids["Funnel"][0][:2] == ["Rep", "Stage"] and len(grids["Pipeline"]) == 301
    reopened = openpyxl.load_workbook(path)
    assert reopened.sheetnames[-1] == "Stage Log"
    assert reopened["Funnel"]["A1"].font.b  # the header style added to prefixed styles


def strict(path: Path) -> Path:
    """The workbook as Excel saves it as "Strict Open XML Spreadsheet"."""
    replacements = [
        (
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        ),
        (
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        ),
    ]

    def to_strict(_: str, content: bytes) -> bytes:
        for old, new in replacements:
            content = content.replace(old, new)
        return content

    rewrite_parts(path, to_strict)
    return path


def test_a_strict_open_xml_workbook_is_refused_with_how_to_resave_it(tmp_path: Path) -> None:
    path = strict(demo_workbook(tmp_path / "strict.xlsx"))
    before = path.read_bytes()
    for attempt in (
        lambda: XlsxBackend(path).read(["Pipeline"]),
        lambda: sync_workbook(XlsxBackend(path), now=NOW),
    ):
        with pytest.raises(NotAWorkbookError) as refused:
            attempt()
        assert "Strict Open XML Spreadsheet" in str(refused.value)
        assert 'File > Save As > "Excel Workbook (.xlsx)"' in str(refused.value)
    assert path.read_bytes() == before


def macro_workbook(path: Path) -> Path:
    """A .xlsm as Excel writes one: a VBA project part, its relationship, the macro type."""
    demo_workbook(path)
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # an OLE stream

    def add_macros(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            content = content.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
            return content.replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            )
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
            )
        return content

    rewrite_parts(path, add_macros)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/vbaProject.bin", vba)
    return path


def test_a_macro_workbook_keeps_its_macros_and_type(tmp_path: Path) -> None:
    path = macro_workbook(tmp_path / "macros.xlsm")
    with zipfile.ZipFile(path) as before:
        vba = before.read("xl/vbaProject.bin")
        assert b"macroEnabled.main+xml" in before.read("[Content_Types].xml")
    sync_workbook(XlsxBackend(path), now=NOW)
    with zipfile.ZipFile(path) as after:
        assert after.read("xl/vbaProject.bin") == vba
        types = after.read("[Content_Types].xml")
        rels = after.read("xl/_rels/workbook.xml.rels")
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert b'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert b'Target="vbaProject.bin"' in rels
    assert path.suffix == ".xlsm"
    assert "Funnel" in openpyxl.load_workbook(path, keep_vba=True).sheetnames
