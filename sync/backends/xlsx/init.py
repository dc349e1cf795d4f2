"""`salesops init PATH` on an existing workbook: add the missing input tabs, keep the rest.

The new tabs are built by the template (`template`, openpyxl) in a workbook of their
own; their sheet parts, notes and cell styles are then copied into the owner's package
the way a sync adds a computed tab: every existing part keeps its original bytes, the
index parts only gain entries, and a tab that exists (by any spelling of its name) is
never touched. The file is replaced like a sync replaces it (`file`).
"""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from sync.backends.xlsx.file import check_writable, read_for_update, replace_file
from sync.backends.xlsx.guard import check_not_locked, check_workbook_file
from sync.backends.xlsx.package import REL_NS, Package
from sync.backends.xlsx.rawzip import read_members
from sync.backends.xlsx.read import find_tab, read_tabs
from sync.backends.xlsx.styles import StyleBook
from sync.backends.xlsx.template import (
    ListSource,
    builtin_format_code,
    list_sources,
    template_bytes,
)
from sync.backends.xlsx.write import MAIN_NS, WorkbookIndex, free_part_name
from sync.errors import NotAWorkbookError
from sync.i18n import _
from sync.read.headers import column_keys, header_keys
from sync.schema import TabSpec, input_tabs, tab_spec

# Where the parts a template tab brings along go, by relationship type.
_PART_NAMES = {
    REL_NS + "/comments": "xl/comments/comment{}.xml",
    REL_NS + "/vmlDrawing": "xl/drawings/vmlDrawing{}.vml",
}
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"


@dataclass
class AddedTabs:
    """What init did to an existing workbook: input tabs added, and tabs it left alone."""

    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def existing_tab(names: list[str], spec: TabSpec) -> str | None:
    """The owner's tab standing for an input tab, found as a sync finds it: the exact name,
    else the name ignoring case and surrounding spaces, else the zh-CN name likewise."""
    return find_tab(names, spec.tab) or find_tab(names, spec.zh)


def add_input_tabs(path: str | os.PathLike[str], locale: str = "en") -> AddedTabs:
    """Add the input tabs a workbook lacks, with the template's headers, notes and dropdowns."""
    path = Path(path)
    check_workbook_file(path)
    check_not_locked(path)
    content, state = read_for_update(path)
    try:
        package = Package(read_members(io.BytesIO(content)))
        index = WorkbookIndex(package)
        names = list(index.sheets)
        found = {spec.tab: existing_tab(names, spec) for spec in input_tabs()}
        result = AddedTabs(
            created=[tab for tab, name in found.items() if name is None],
            kept=[name for name in found.values() if name is not None],
        )
        if not result.created:
            return result
        check_writable(path)
        sources = _list_sources(path, found)
        donor = Package(read_members(io.BytesIO(template_bytes(locale, result.created, sources))))
        _copy_tabs(donor, package, index, result.created)
    except (zipfile.BadZipFile, KeyError, ParseError) as error:
        raise NotAWorkbookError(_(
            "{path} is not a well-formed .xlsx workbook ({error}): open it in Excel or "
            "LibreOffice, save it again as .xlsx and run init again.").format(
            path=path, error=error)) from error
    replace_file(path, package.save, state, again="init")
    return result


def _list_sources(path: Path, found: dict[str, str | None]) -> dict[str, ListSource | None]:
    """Where each dropdown's choices are in the owner's tabs that already exist."""
    sources: dict[str, ListSource | None] = {}
    present = {tab: name for tab, name in found.items() if name is not None}
    wanted = {kind: pair for kind, pair in list_sources().items() if pair[0] in present}
    if not wanted:
        return sources
    grids = read_tabs(path, sorted({present[tab] for tab, _ in wanted.values()}))
    for kind, (tab, header) in wanted.items():
        grid = grids.get(present[tab]) or [[]]
        keys = column_keys(next(c for c in tab_spec(tab).columns if c.header == header))
        position = next(
            (
                number
                for number, cell in enumerate(grid[0] if grid else [])
                if isinstance(cell, str) and set(header_keys(cell)) & keys
            ),
            None,
        )
        sources[kind] = None if position is None else (present[tab], position)
    return sources


def _copy_tabs(donor: Package, package: Package, index: WorkbookIndex, tabs: list[str]) -> None:
    """Copy the template's sheets named `tabs` (and their notes) from `donor` into `package`."""
    donor_index = WorkbookIndex(donor)
    donor_styles = _donor_styles(donor.read(donor_index.styles_part()))
    styles_part = index.styles_part()
    styles = StyleBook(package.read(styles_part))
    donor_types = donor.overrides()
    strings = _shared_strings(donor, donor_index)

    def restyle(number: int) -> int:
        return styles.xf(*donor_styles[number])

    for tab in tabs:
        source = donor_index.sheet_part(tab)
        assert source is not None, tab
        part = index.add_sheet(tab)
        new_ids: dict[str, str] = {}
        for rel in donor.relationships(source):
            target = free_part_name(package, _PART_NAMES[rel.type])
            package.put(target, donor.read(rel.target))
            package.add_override(target, donor_types.get(rel.target, VML_TYPE))
            new_ids[rel.id] = package.add_relationship(part, rel.type, target)
        package.put(part, _sheet_for_owner(donor.read(source), restyle, new_ids, strings))
    package.put(styles_part, styles.xml)


def _donor_styles(xml: bytes) -> dict[int, tuple[str | None, bool]]:
    """The template's cell formats: index -> (number format, is a header cell)."""
    root = ET.fromstring(xml)
    ns = f"{{{MAIN_NS}}}"
    custom = {
        int(element.get("numFmtId", "0")): element.get("formatCode", "")
        for element in root.iter(f"{ns}numFmt")
    }
    fonts = root.find(f"{ns}fonts")
    bold = [font.find(f"{ns}b") is not None for font in (fonts if fonts is not None else [])]
    cell_xfs = root.find(f"{ns}cellXfs")
    styles = {}
    for number, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        format_id = int(xf.get("numFmtId", "0"))
        code = custom.get(format_id) or builtin_format_code(format_id)
        font = int(xf.get("fontId", "0"))
        header = font < len(bold) and bold[font]
        styles[number] = (None if code in (None, "General") else code, header)
    return styles


def _shared_strings(donor: Package, index: WorkbookIndex) -> list[str]:
    for target in index.targets(REL_NS + "/sharedStrings").values():
        root = ET.fromstring(donor.read(target))
        return [
            "".join(text.text or "" for text in item.iter(f"{{{MAIN_NS}}}t"))
            for item in root.iter(f"{{{MAIN_NS}}}si")
        ]
    return []


def _sheet_for_owner(
    xml: bytes, restyle: Callable[[int], int], new_ids: dict[str, str], strings: list[str]
) -> bytes:
    """A template sheet made to fit the owner's package: styles, relationship ids, strings."""
    ns = f"{{{MAIN_NS}}}"
    ET.register_namespace("", MAIN_NS)
    ET.register_namespace("r", REL_NS)
    root = ET.fromstring(xml)
    for view in root.iter(f"{ns}sheetView"):
        view.attrib.pop("tabSelected", None)  # the owner's selected tab stays the only one
    for cell in root.iter(f"{ns}c"):
        if "s" in cell.attrib:
            cell.set("s", str(restyle(int(cell.get("s", "0")))))
        if cell.get("t") == "s":
            value = cell.find(f"{ns}v")
            assert value is not None
            text = strings[int(value.text or "0")]
            cell.remove(value)
            cell.set("t", "inlineStr")
            inline = ET.SubElement(cell, f"{ns}is")
            ET.SubElement(inline, f"{ns}t").text = text
    rel_id = f"{{{REL_NS}}}id"
    for element in root.iter():
        if element.get(rel_id) in new_ids:
            element.set(rel_id, new_ids[element.get(rel_id, "")])
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)

