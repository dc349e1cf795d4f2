"""An .xlsx package as named parts, with the relationship and content-type index edits.

Index parts are edited as XML located by parsing and changed by splicing bytes
(`xmledit`): every existing byte of them stays as it was, so the owner's entries are
untouched and only new entries appear, whatever prefixes or attribute order the part uses.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from sync.backends.xlsx.rawzip import RawMember, new_member, read_members, write_members
from sync.backends.xlsx.xmledit import (
    element_prefix,
    elements,
    insert_before_closing,
    quoteattr,
    remove_element,
)

__all__ = ["Package", "Relationship", "element_prefix", "insert_before_closing", "rels_name"]

CONTENT_TYPES = "[Content_Types].xml"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = REL_NS + "/officeDocument"
WORKSHEET_REL = REL_NS + "/worksheet"
STYLES_REL = REL_NS + "/styles"
DRAWING_REL = REL_NS + "/drawing"
CHART_REL = REL_NS + "/chart"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


@dataclass(frozen=True)
class Relationship:
    """One entry of a .rels part, its target resolved to a part name."""

    id: str
    type: str
    target: str  # part name without a leading slash, or the raw target when external
    external: bool


def rels_name(part: str) -> str:
    """The .rels part that holds the relationships of `part`."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class Package:
    """The parts of an .xlsx, each kept as its original raw zip member until changed."""

    def __init__(self, members: list[RawMember]):
        self._members = {member.name: member for member in members}
        self._order = [member.name for member in members]
        self._changed: dict[str, bytes] = {}

    @classmethod
    def open(cls, path: Path) -> Package:
        """Load every member of the workbook at `path`."""
        with path.open("rb") as handle:
            return cls(read_members(handle, str(path)))

    def names(self) -> list[str]:
        """Part names, in archive order."""
        return list(self._order)

    def has(self, name: str) -> bool:
        """Whether the package holds this part."""
        return name in self._members or name in self._changed

    def read(self, name: str) -> bytes:
        """The content of a part."""
        if name in self._changed:
            return self._changed[name]
        return self._members[name].uncompressed()

    def put(self, name: str, content: bytes) -> None:
        """Add or replace a part (kept as the original member if the bytes are equal)."""
        if name in self._members and self._members[name].uncompressed() == content:
            self._changed.pop(name, None)
            return
        if name not in self._order:
            self._order.append(name)
        self._changed[name] = content

    def remove(self, name: str) -> None:
        """Drop a part."""
        self._members.pop(name, None)
        self._changed.pop(name, None)
        if name in self._order:
            self._order.remove(name)

    def changed(self) -> set[str]:
        """Names of the parts that differ from the loaded package."""
        return set(self._changed)

    def save(self, handle) -> None:  # noqa: ANN001 - any binary file object
        """Write the package as a zip to an open binary file."""
        members = []
        for name in self._order:
            if name in self._changed:
                members.append(new_member(name, self._changed[name]))
            else:
                members.append(self._members[name])
        write_members(handle, members)

    # Relationships and content types ---------------------------------------------------

    def relationships(self, part: str) -> list[Relationship]:
        """The relationships of `part` ('' for the package's own)."""
        name = rels_name(part) if part else "_rels/.rels"
        if not self.has(name):
            return []
        root = ET.fromstring(self.read(name))
        base = posixpath.dirname(part)
        found = []
        for element in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            target = element.get("Target", "")
            external = element.get("TargetMode") == "External"
            if not external:
                target = resolve_target(base, target)
            found.append(
                Relationship(element.get("Id", ""), element.get("Type", ""), target, external)
            )
        return found

    def add_relationship(self, part: str, rel_type: str, target: str) -> str:
        """Append a relationship from `part` to the part `target`; returns its new Id."""
        name = rels_name(part)
        existing = {rel.id for rel in self.relationships(part)}
        number = 1
        while f"rId{number}" in existing:
            number += 1
        rel_id = f"rId{number}"
        relative = posixpath.relpath(target, posixpath.dirname(part) or ".")
        entry = (
            f"Relationship Id={quoteattr(rel_id)} Type={quoteattr(rel_type)} "
            f"Target={quoteattr(relative)}/>"
        )
        if self.has(name):
            xml = self.read(name)
            prefix = element_prefix(xml, "Relationships")
            self.put(name, insert_before_closing(xml, "Relationships", f"<{prefix}{entry}"))
        else:
            self.put(
                name,
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{PKG_REL_NS}"><{entry}</Relationships>'
                ).encode(),
            )
        return rel_id

    def overrides(self) -> dict[str, str]:
        """Content-type overrides: part name (no leading slash) -> content type."""
        root = ET.fromstring(self.read(CONTENT_TYPES))
        return {
            element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
            for element in root.iter(f"{{{CT_NS}}}Override")
        }

    def add_override(self, part: str, content_type: str) -> None:
        """Declare the content type of a new part (no change if it is declared already)."""
        if part in self.overrides():
            return
        xml = self.read(CONTENT_TYPES)
        entry = (
            f"<{element_prefix(xml, 'Types')}Override PartName={quoteattr('/' + part)} "
            f"ContentType={quoteattr(content_type)}/>"
        )
        self.put(CONTENT_TYPES, insert_before_closing(xml, "Types", entry))

    def remove_override(self, part: str) -> None:
        """Drop the content-type override of a part this product wrote and removes."""
        xml = self.read(CONTENT_TYPES)
        for element in elements(xml, "Override"):
            if element.namespace == CT_NS and element.attributes.get("PartName") == "/" + part:
                self.put(CONTENT_TYPES, remove_element(xml, element))
                return

    def workbook_part(self) -> str:
        """The name of the workbook part (normally `xl/workbook.xml`)."""
        for rel in self.relationships(""):
            if rel.type == OFFICE_DOCUMENT and not rel.external:
                return rel.target
        raise KeyError("no officeDocument relationship")


def resolve_target(base: str, target: str) -> str:
    """A relationship target as a part name, relative to the folder `base`."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))
