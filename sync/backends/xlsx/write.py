"""Put computed tabs into an .xlsx package: sheet parts, charts, and index entries."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from sync.backends.xlsx.charts import chart_xml, drawing_xml
from sync.backends.xlsx.package import (
    CHART_REL,
    CHART_TYPE,
    DRAWING_REL,
    DRAWING_TYPE,
    PKG_REL_NS,
    REL_NS,
    STYLES_REL,
    WORKSHEET_REL,
    WORKSHEET_TYPE,
    Package,
    element_prefix,
    insert_before_closing,
    rels_name,
)
from sync.backends.xlsx.sheet_xml import appended_sheet_xml, escape, sheet_xml
from sync.backends.xlsx.styles import StyleBook
from sync.backends.xlsx.xmledit import elements, namespace_prefixes, remove_element
from sync.contract.plan import TabOutput
from sync.schema.tabs import find_tab
from sync.write.append_only import column_positions

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CALC_CHAIN_REL = REL_NS + "/calcChain"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>'
)


class WorkbookIndex:
    """The workbook part and its relationships, as the writer extends them."""

    def __init__(self, package: Package):
        self.package = package
        self.part = package.workbook_part()
        root = ET.fromstring(package.read(self.part))
        self.date1904 = any(
            element.get("date1904") in ("1", "true")
            for element in root.iter(f"{{{MAIN_NS}}}workbookPr")
        )
        self.sheets: dict[str, str] = {}  # sheet name -> relationship id
        self.sheet_ids: list[int] = []
        for element in root.iter(f"{{{MAIN_NS}}}sheet"):
            self.sheets[element.get("name", "")] = element.get(f"{{{REL_NS}}}id", "")
            self.sheet_ids.append(int(element.get("sheetId", "0")))

    def targets(self, rel_type: str | None = None) -> dict[str, str]:
        """Relationship id -> part name of the workbook's relationships (of one type)."""
        return {
            rel.id: rel.target
            for rel in self.package.relationships(self.part)
            if not rel.external and (rel_type is None or rel.type == rel_type)
        }

    def sheet_part(self, name: str) -> str | None:
        """The worksheet part of the tab with this name, if the workbook has one."""
        rel_id = self.sheets.get(name)
        return self.targets().get(rel_id) if rel_id else None

    def add_sheet(self, name: str) -> str:
        """Append a new tab named `name`; returns its worksheet part name."""
        folder = posixpath.join(posixpath.dirname(self.part), "worksheets")
        part = free_part_name(self.package, folder + "/sheet{}.xml")
        rel_id = self.package.add_relationship(self.part, WORKSHEET_REL, part)
        self.package.add_override(part, WORKSHEET_TYPE)
        xml = self.package.read(self.part)
        prefix = element_prefix(xml, "sheets")
        declared = namespace_prefixes(xml).get(REL_NS)
        r_attribute = (
            f'{declared}id="{rel_id}"' if declared else f'xmlns:r="{REL_NS}" r:id="{rel_id}"'
        )
        sheet_id = max(self.sheet_ids, default=0) + 1
        entry = f'<{prefix}sheet name="{escape(name)}" sheetId="{sheet_id}" {r_attribute}/>'
        self.package.put(self.part, insert_before_closing(xml, "sheets", entry))
        self.sheets[name] = rel_id
        self.sheet_ids.append(sheet_id)
        return part

    def styles_part(self) -> str:
        """The styles part, created when the workbook has none."""
        for target in self.targets(STYLES_REL).values():
            return target
        part = posixpath.join(posixpath.dirname(self.part), "styles.xml")
        self.package.put(part, _MINIMAL_STYLES.encode())
        self.package.add_relationship(self.part, STYLES_REL, part)
        self.package.add_override(part, STYLES_TYPE)
        return part


def free_part_name(package: Package, pattern: str) -> str:
    """The first `pattern.format(n)`, n = 1, 2, ..., that names no part yet."""
    number = 1
    while package.has(pattern.format(number)):
        number += 1
    return pattern.format(number)


def remove_sheet_dependents(package: Package, sheet_part: str) -> set[str]:
    """Remove the parts only this sheet uses (drawings, charts, notes) and its .rels.

    Returns the removed parts; their content-type entries are left for `prune_overrides`,
    so a part written again under the same name keeps its entry where it was.
    """
    owned = _reachable(package, sheet_part) - {sheet_part}
    elsewhere = set()
    for name in package.names():
        if not name.endswith(".rels") or name == rels_name(sheet_part):
            continue
        source = _rels_source(name)
        if source in owned:
            continue
        elsewhere |= {rel.target for rel in package.relationships(source) if not rel.external}
    removed = owned - elsewhere
    for part in removed:
        package.remove(part)
        package.remove(rels_name(part))
    package.remove(rels_name(sheet_part))
    return removed


def prune_overrides(package: Package, removed: set[str]) -> None:
    """Drop the content-type entries of removed parts that were not written again."""
    overrides = package.overrides()
    for part in sorted(removed):
        if part in overrides and not package.has(part):
            package.remove_override(part)


def drop_calc_chain(package: Package, index: WorkbookIndex) -> None:
    """Drop the formula calculation chain (Excel rebuilds it) when a replaced tab had formulas."""
    for rel_id, part in index.targets(CALC_CHAIN_REL).items():
        package.remove(part)
        if part in package.overrides():
            package.remove_override(part)
        rels = rels_name(index.part)
        xml = package.read(rels)
        for element in elements(xml, "Relationship"):
            if element.namespace == PKG_REL_NS and element.attributes.get("Id") == rel_id:
                package.put(rels, remove_element(xml, element))
                break


def put_tab(
    package: Package,
    index: WorkbookIndex,
    styles: StyleBook,
    output: TabOutput,
    rows: Sequence[Sequence[Any]],
) -> set[str]:
    """Write one computed tab (and its charts), replacing the old one; returns parts removed."""
    removed: set[str] = set()
    # An owner's `stage log` or `Data Issues ` is our tab: rewritten in place, not doubled.
    title = find_tab(index.sheets, output.name)
    part = index.sheet_part(title) if title is not None else None
    if part is None:
        part = index.add_sheet(output.name)
    else:
        if package.has(part) and _has_formula(package.read(part)):
            drop_calc_chain(package, index)
        removed = remove_sheet_dependents(package, part)
    drawing_rel_id = None
    if output.charts:
        drawing = free_part_name(package, "xl/drawings/drawing{}.xml")
        chart_ids = []
        package.put(drawing, b"")  # reserve the name while the charts are named
        for chart in output.charts:
            chart_part = free_part_name(package, "xl/charts/chart{}.xml")
            package.put(chart_part, chart_xml(chart, output))
            package.add_override(chart_part, CHART_TYPE)
            chart_ids.append(package.add_relationship(drawing, CHART_REL, chart_part))
        package.put(drawing, drawing_xml(output.charts, chart_ids))
        package.add_override(drawing, DRAWING_TYPE)
        drawing_rel_id = package.add_relationship(part, DRAWING_REL, drawing)
    package.put(part, sheet_xml(output, rows, styles.xf, index.date1904, drawing_rel_id))
    return removed


def append_tab(
    package: Package,
    index: WorkbookIndex,
    styles: StyleBook,
    output: TabOutput,
    header_row: Sequence[Any] | None,
) -> bool:
    """Add an append-only tab's new rows under the rows it holds, which stay byte for byte
    (the owner's columns and cells included). False when the tab must be written whole:
    it does not exist yet, the plan does not say which rows are new, or its header row
    lacks a declared column."""
    if not output.append_only or output.appended is None:
        return False
    title = find_tab(index.sheets, output.name)
    part = index.sheet_part(title) if title is not None else None
    positions = column_positions(output, header_row)
    if part is None or not package.has(part) or positions is None:
        return False
    old = package.read(part)
    xml = appended_sheet_xml(old, output, output.new_rows, positions, styles.xf, index.date1904)
    if xml is None:
        return False
    if xml != old:
        package.put(part, xml)
    return True


_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>]")


def _has_formula(xml: bytes) -> bool:
    """Whether a worksheet holds a formula (`<f>`, prefixed or not); a byte search first,
    as most tabs hold neither `<f` nor `:f` anywhere."""
    return (b"<f" in xml or b":f" in xml) and _FORMULA.search(xml) is not None


def _reachable(package: Package, start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for rel in package.relationships(stack.pop()):
            if not rel.external and rel.target not in seen and package.has(rel.target):
                seen.add(rel.target)
                stack.append(rel.target)
    return seen


def _rels_source(rels_part: str) -> str:
    folder, name = posixpath.split(rels_part)
    return (
        posixpath.join(posixpath.dirname(folder), name[: -len(".rels")]) if name != ".rels" else ""
    )
