"""Syncing never harms the owner's workbook: parts copied byte for byte, indexes only grow."""

from __future__ import annotations

import difflib
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment

from sync.backends.xlsx.backend import XlsxBackend
from sync.backends.xlsx.package import Package
from sync.backends.xlsx.rawzip import read_members
from sync.engine import sync_workbook
from sync.schema import computed_tabs
from tests.xlsx_support import (
    convert,
    dashboard_output,
    funnel_output,
    members,
    owner_workbook_with_cached_values,
    owner_workbook_with_pivot_table,
    stage_log_output,
)

INDEX_PARTS = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
}


@pytest.fixture(scope="module")
def libreoffice_owner_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return owner_workbook_with_cached_values(tmp_path_factory.mktemp("owner"))


@pytest.fixture
def owner_copy(libreoffice_owner_workbook: Path, tmp_path: Path) -> Path:
    target = tmp_path / "sales.xlsx"
    shutil.copyfile(libreoffice_owner_workbook, target)
    return target


def raw_members(path: Path) -> dict[str, tuple[int, int, bytes]]:
    """name -> (compression method, CRC, compressed bytes)."""
    with path.open("rb") as handle:
        return {m.name: (m.method, m.crc, m.data) for m in read_members(handle)}


def only_gained(old: bytes, new: bytes) -> list[str]:
    """Every change from `old` to `new` that is not an insertion (counts aside)."""

    def normal(xml: bytes) -> bytes:
        # Counts may be updated, and an empty `<numFmts/>` may be opened to hold entries.
        xml = re.sub(rb'count="\d+"', b'count=""', xml)
        return re.sub(rb"<([\w:]+)([^<>]*?)\s*/>", rb"<\1\2></\1>", xml)

    old, new = normal(old), normal(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        f"{operation} {old[a1:a2]!r} -> {new[b1:b2]!r}"
        for operation, a1, a2, b1, b2 in matcher.get_opcodes()
        if operation not in ("equal", "insert")
    ]


def check_package_integrity(path: Path) -> None:
    """Every relationship points at a part, every part has a content type, no strays."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    package = Package.open(path)
    names = set(package.names())
    overrides = package.overrides()
    for part in overrides:
        assert part in names, f"content type declared for missing part {part}"
    referenced = set()
    for name in names:
        if name.endswith(".rels"):
            folder, file = name.rsplit("/", 1) if "/" in name else ("", name)
            source = "" if file == ".rels" else f"{folder.rsplit('_rels', 1)[0]}{file[:-5]}"
            for rel in package.relationships(source):
                if not rel.external:
                    assert rel.target in names, f"{name} points at missing {rel.target}"
                    referenced.add(rel.target)
    for name in names:
        if name.startswith("xl/charts/") and name.endswith(".xml"):
            assert name in referenced, f"orphaned chart part {name}"
        if name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
            assert name in referenced, f"orphaned drawing part {name}"


@pytest.mark.libreoffice
def test_two_syncs_keep_every_owner_part_byte_for_byte(owner_copy: Path) -> None:
    before_raw = raw_members(owner_copy)
    before = members(owner_copy)
    backend = XlsxBackend(owner_copy)
    outputs = [dashboard_output(), funnel_output(), stage_log_output()]
    backend.write(outputs)
    after_first = members(owner_copy)
    backend.write(outputs)
    after_raw = raw_members(owner_copy)
    after = members(owner_copy)

    for name, (method, crc, data) in before_raw.items():
        if name in INDEX_PARTS:
            continue
        assert name in after_raw, f"{name} disappeared"
        assert after_raw[name] == (method, crc, data), f"{name} changed"
    for name in INDEX_PARTS:
        assert only_gained(before[name], after[name]) == [], name
    # The owner's chart, image, comment and formulas are all still there.
    for name in ("xl/charts/chart1.xml", "xl/media/image1.png", "xl/comments1.xml"):
        assert after[name] == before[name]
    assert b"BigOrders" in after["xl/workbook.xml"]
    # The second sync reused what the first appended: identical index parts.
    for name in INDEX_PARTS:
        assert after[name] == after_first[name], name
    assert sorted(after) == sorted(after_first)
    check_package_integrity(owner_copy)


@pytest.mark.libreoffice
def test_a_real_sync_keeps_the_owners_parts_byte_for_byte(owner_copy: Path) -> None:
    # The owner's Orders tab (formulas with cached values, a conditional format, a comment,
    # a chart and an image) and Settings tab go through the whole engine, twice.
    before_raw = raw_members(owner_copy)
    before = members(owner_copy)
    for hour in (9, 10):
        report = sync_workbook(XlsxBackend(owner_copy), now=datetime(2026, 11, 26, hour))
    assert report.tabs_written == [spec.tab for spec in computed_tabs()]
    after_raw = raw_members(owner_copy)
    after = members(owner_copy)
    for name, raw in before_raw.items():
        if name not in INDEX_PARTS:
            assert after_raw.get(name) == raw, f"{name} changed or disappeared"
    for name in INDEX_PARTS:
        assert only_gained(before[name], after[name]) == [], name
    assert {"xl/charts/chart1.xml", "xl/media/image1.png"} <= set(after)
    orders = [name for name in before
              if name.startswith("xl/worksheets/sheet") and b"SUM(D2:D9)" in before[name]]
    assert orders and after[orders[0]] == before[orders[0]]  # the formulas' tab, unchanged
    check_package_integrity(owner_copy)


@pytest.mark.libreoffice
def test_computed_tabs_are_added_after_the_owner_tabs(owner_copy: Path) -> None:
    backend = XlsxBackend(owner_copy)
    backend.write([dashboard_output(), funnel_output()])
    workbook = ET.fromstring(members(owner_copy)["xl/workbook.xml"])
    names = [e.get("name") for e in workbook.iter() if e.tag.endswith("}sheet")]
    assert names == ["Orders", "Settings", "Dashboard", "Funnel"]
    grids = backend.read(["Orders", "Funnel"])
    assert grids["Orders"][1][:4] == ["O-0001", grids["Orders"][1][1], "Customer 1", 100.0]
    assert grids["Funnel"][0] == [
        "Rep",
        "Stage",
        "Deals",
        "Amount",
        "Conversion From First",
        "Flag",
    ]


@pytest.mark.libreoffice
def test_a_pivot_table_survives_a_sync(tmp_path: Path) -> None:
    path = owner_workbook_with_pivot_table(tmp_path)
    before_raw = raw_members(path)
    before = members(path)
    XlsxBackend(path).write([funnel_output(), dashboard_output()])
    after_raw = raw_members(path)
    after = members(path)
    pivot_parts = [name for name in before_raw if "pivot" in name.lower()]
    assert len(pivot_parts) == 5  # table, cache definition, cache records, two .rels
    for name, raw in before_raw.items():
        if name not in INDEX_PARTS:
            assert after_raw[name] == raw, f"{name} changed"
    for name in INDEX_PARTS:
        assert only_gained(before[name], after[name]) == [], name
    assert b"<pivotCaches>" in after["xl/workbook.xml"]
    check_package_integrity(path)
    # LibreOffice opens the synced file and still finds the pivot table and its cache.
    resaved = convert(path, "xlsx", tmp_path / "resaved")
    with zipfile.ZipFile(resaved) as package:
        names = package.namelist()
        pivot = package.read("xl/pivotTables/pivotTable1.xml")
    assert "xl/pivotCache/pivotCacheDefinition1.xml" in names
    assert b'name="Revenue by customer"' in pivot


def test_styles_are_appended_once_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    Workbook().save(path)
    original = members(path)["xl/styles.xml"]
    backend = XlsxBackend(path)
    backend.write([funnel_output()])
    first = members(path)["xl/styles.xml"]
    backend.write([funnel_output(), dashboard_output()])
    second = members(path)["xl/styles.xml"]
    assert only_gained(original, first) == []
    # Funnel needs: header (bold font, fill), integer, money (EUR) and percent cells;
    # General text cells reuse the default xf 0.
    assert first.count(b"<numFmt ") - original.count(b"<numFmt ") == 2  # EUR money, 0.0%
    first_codes = [
        e.get("formatCode") for e in ET.fromstring(first).iter() if e.tag.endswith("}numFmt")
    ]
    assert first_codes == ['"€"#,##0.00;-"€"#,##0.00', "0.0%"]
    assert b'<xf numFmtId="3"' in first  # the integer column uses the built-in #,##0
    # The Dashboard adds the dollar and #,##0.0 formats, but nothing the Funnel already had.
    root = ET.fromstring(second)
    codes = [e.get("formatCode") for e in root.iter() if e.tag.endswith("}numFmt")]
    assert len(codes) == len(set(codes))
    fonts = [e for e in root.iter() if e.tag.endswith("}font")]
    fills = [e for e in root.iter() if e.tag.endswith("}fill")]
    assert len(fonts) == 2 and len(fills) == 3  # one bold font and one header fill added
    for container in ("fonts", "fills", "cellXfs", "numFmts"):
        element = next(e for e in root.iter() if e.tag.endswith("}" + container))
        assert element.get("count") == str(len(element)), container
    backend.write([funnel_output(), dashboard_output()])
    assert members(path)["xl/styles.xml"] == second


def test_fewer_charts_leave_no_orphaned_parts(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    Workbook().save(path)
    backend = XlsxBackend(path)
    backend.write([dashboard_output(chart_count=3)])
    charts = [n for n in members(path) if n.startswith("xl/charts/")]
    assert len(charts) == 3
    backend.write([dashboard_output(chart_count=1)])
    assert [n for n in members(path) if n.startswith("xl/charts/")] == ["xl/charts/chart1.xml"]
    check_package_integrity(path)
    backend.write([dashboard_output(chart_count=0)])
    assert not [n for n in members(path) if n.startswith(("xl/charts/", "xl/drawings/"))]
    check_package_integrity(path)


def test_an_owner_tab_named_like_a_computed_tab_is_replaced_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    workbook = Workbook()
    workbook.active.title = "Orders"
    workbook.active["A1"] = 5
    mine = workbook.create_sheet("Funnel")
    mine["A1"] = "=Orders!A1*2"
    mine["B1"].comment = Comment("my note", "Owner")
    workbook.save(path)
    XlsxBackend(path).write([funnel_output()])
    after = members(path)
    assert not any(name.startswith("xl/comments") for name in after)
    assert b"<f>" not in after["xl/worksheets/sheet2.xml"]
    check_package_integrity(path)
    assert XlsxBackend(path).read(["Funnel"])["Funnel"][1][:3] == ["All", "Lead", 40.0]


def test_input_tabs_are_never_written(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    Workbook().save(path)
    before = path.read_bytes()
    output = funnel_output()
    output.name = "Pipeline"
    with pytest.raises(ValueError, match="input tab"):
        XlsxBackend(path).write([output])
    assert path.read_bytes() == before


def test_the_1904_date_system_is_respected(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    workbook = Workbook()
    workbook.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    workbook.save(path)
    XlsxBackend(path).write([stage_log_output()])
    sheet = next(v for k, v in members(path).items() if k.endswith("sheet2.xml")).decode()
    # 2026-11-03 09:30 is 46329.395833 in the 1900 system; the 1904 one is 1462 days less.
    value = float(re.search(r'<c r="D2"[^>]*><v>([^<]+)</v>', sheet).group(1))
    assert value == pytest.approx(46329 + 9.5 / 24 - 1462)
    changed_at = XlsxBackend(path).read(["Stage Log"])["Stage Log"][1][3]
    assert changed_at.isoformat() == "2026-11-03T09:30:00"
