"""Cell styles of computed tabs, found in or appended to the owner's `xl/styles.xml`.

Existing entries are never changed: a style this product needs is looked up first (so a
second sync reuses what the first one appended) and only appended when it is missing,
with the container's `count` updated.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sync.backends.xlsx.xmledit import (
    element_prefix,
    elements,
    insert_after_opening,
    insert_before_closing,
    quoteattr,
    set_attribute,
)

HEADER_FILL_RGB = "FFDDEBF7"  # light blue, readable in print and on screen
# Formats Excel knows by number: writing the number keeps files small and familiar.
BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
}
FIRST_CUSTOM_FORMAT = 164

Canon = tuple


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def canon(element: ET.Element) -> Canon:
    """A comparable form of an element: local names, attributes, children, in order."""
    attributes = tuple(sorted((_local(key), value) for key, value in element.attrib.items()))
    return (_local(element.tag), attributes, tuple(canon(child) for child in element))


class StyleBook:
    """The styles part being extended: hands out cell-format (xf) indexes."""

    def __init__(self, xml: bytes):
        self.xml = xml
        self.prefix = element_prefix(xml, "styleSheet")
        root = ET.fromstring(xml)
        self._formats = {
            element.get("formatCode", ""): int(element.get("numFmtId", "0"))
            for element in _children(root, "numFmts")
        }
        self._fonts = [canon(element) for element in _children(root, "fonts")]
        self._first_font = next(iter(_children(root, "fonts")), None)
        self._fills = [canon(element) for element in _children(root, "fills")]
        self._xfs = [canon(element) for element in _children(root, "cellXfs")]
        self._has_style_xfs = root.find(f"{{{_ns(root)}}}cellStyleXfs") is not None
        self._cache: dict[tuple[str | None, bool], int] = {}

    def xf(self, number_format: str | None, header: bool = False) -> int:
        """The cellXfs index of a cell with this number format (bold and filled if header)."""
        key = (number_format, header)
        if key not in self._cache:
            self._cache[key] = self._find_or_add_xf(number_format, header)
        return self._cache[key]

    def _find_or_add_xf(self, number_format: str | None, header: bool) -> int:
        attributes = {"numFmtId": str(self._format_id(number_format)), "borderId": "0"}
        attributes["fontId"] = str(self._bold_font()) if header else "0"
        attributes["fillId"] = str(self._header_fill()) if header else "0"
        if self._has_style_xfs:
            attributes["xfId"] = "0"
        if number_format:
            attributes["applyNumberFormat"] = "1"
        if header:
            attributes["applyFont"] = "1"
            attributes["applyFill"] = "1"
        wanted = ("xf", tuple(sorted(attributes.items())), ())
        return self._find_or_append(
            "cellXfs", self._xfs, wanted, f"<{self.prefix}xf{_attributes(attributes)}/>"
        )

    def _format_id(self, number_format: str | None) -> int:
        if not number_format or number_format == "General":
            return 0
        if number_format in self._formats:
            return self._formats[number_format]
        if number_format in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[number_format]
        number = max([FIRST_CUSTOM_FORMAT - 1, *self._formats.values()]) + 1
        fragment = (
            f'<{self.prefix}numFmt numFmtId="{number}" formatCode={quoteattr(number_format)}/>'
        )
        if self._formats or elements(self.xml, "numFmts"):
            self.xml = _bump_count(insert_before_closing(self.xml, "numFmts", fragment), "numFmts")
        else:
            # numFmts is the first child of styleSheet when present.
            block = f'<{self.prefix}numFmts count="1">{fragment}</{self.prefix}numFmts>'
            self.xml = insert_after_opening(self.xml, "styleSheet", block)
        self._formats[number_format] = number
        return number

    def _bold_font(self) -> int:
        base = self._first_font
        children = [canon(child) for child in base] if base is not None else []
        if not any(child[0] == "b" for child in children):
            children.insert(0, ("b", (), ()))
        attributes = (
            tuple(sorted((_local(k), v) for k, v in base.attrib.items()))
            if base is not None
            else ()
        )
        wanted = ("font", attributes, tuple(children))
        return self._find_or_append("fonts", self._fonts, wanted, self._render(wanted))

    def _header_fill(self) -> int:
        fragment = (
            f'<fill><patternFill patternType="solid"><fgColor rgb="{HEADER_FILL_RGB}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
        )
        wanted = canon(ET.fromstring(fragment))
        return self._find_or_append("fills", self._fills, wanted, self._render(wanted))

    def _find_or_append(
        self, container: str, entries: list[Canon], wanted: Canon, fragment: str
    ) -> int:
        if wanted in entries:
            return entries.index(wanted)
        self.xml = _bump_count(insert_before_closing(self.xml, container, fragment), container)
        entries.append(wanted)
        return len(entries) - 1

    def _render(self, item: Canon) -> str:
        name, attributes, children = item
        inner = "".join(self._render(child) for child in children)
        opening = f"{self.prefix}{name}{_attributes(dict(attributes))}"
        return f"<{opening}>{inner}</{self.prefix}{name}>" if inner else f"<{opening}/>"


def _ns(root: ET.Element) -> str:
    return root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""


def _children(root: ET.Element, container: str) -> list[ET.Element]:
    found = root.find(f"{{{_ns(root)}}}{container}")
    return list(found) if found is not None else []


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(f" {key}={quoteattr(value)}" for key, value in attributes.items())


def _bump_count(xml: bytes, container: str) -> bytes:
    """Recount the children of `container` in its `count` attribute."""
    root = ET.fromstring(xml)
    found = root.find(f"{{{_ns(root)}}}{container}")
    total = len(found) if found is not None else 0
    located = [element for element in elements(xml, container) if element.namespace == _ns(root)]
    return set_attribute(xml, located[0], "count", str(total))
