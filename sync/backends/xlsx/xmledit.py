"""Edit an index part as XML while keeping every byte the edit does not touch.

Elements are found by parsing (expat reports where each tag starts), so a prefixed
`<x:fonts>`, attributes in any order or quoted with `'`, and comments all read the same;
the edit itself splices bytes in or out at those offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                    "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def quoteattr(value: str) -> str:
    """An attribute value escaped and quoted exactly as `xml.sax.saxutils.quoteattr` does,
    without importing that module (it brings urllib.request, http and ssl into every sync)."""
    escaped = value.translate(_ATTRIBUTE_ESCAPES)
    if '"' not in escaped:
        return f'"{escaped}"'
    if "'" not in escaped:
        return f"'{escaped}'"
    return '"' + escaped.replace('"', "&quot;") + '"'


@dataclass
class Element:
    """Where one element sits in the bytes of its part."""

    local: str
    namespace: str
    prefix: str  # with its colon (`x:`), or ''
    start: int  # offset of `<`
    open_end: int  # offset just after the start tag's `>`
    close_start: int  # offset of `</`, or open_end for `<tag/>`
    end: int  # offset just after the element
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Written as `<tag/>`."""
        return self.close_start == self.open_end and self.end == self.open_end


def elements(xml: bytes, local: str) -> list[Element]:
    """Every element with this local name (any namespace), in document order."""
    found: list[Element] = []
    stack: list[Element | None] = []
    parser = expat.ParserCreate(namespace_separator="}")

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, tag = name.rpartition("}")
        if tag != local:
            stack.append(None)
            return
        at = parser.CurrentByteIndex
        open_end = _tag_end(xml, at)
        written = re.match(rb"<([\w.-]+:)?", xml[at:])
        prefix = written.group(1).decode() if written and written.group(1) else ""
        element = Element(tag, namespace, prefix, at, open_end, open_end, open_end, attributes)
        stack.append(element)
        found.append(element)

    def end(_: str) -> None:
        element = stack.pop()
        if element is None:
            return
        if xml[element.open_end - 2 : element.open_end] == b"/>":
            return  # written `<tag/>`: it ends where its start tag does
        element.close_start = parser.CurrentByteIndex
        element.end = _tag_end(xml, element.close_start)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return found


def namespace_prefixes(xml: bytes) -> dict[str, str]:
    """Namespace URI -> the prefix (with colon) the part declares for it ('' for default)."""
    declared: dict[str, str] = {}
    parser = expat.ParserCreate(namespace_separator="}")

    def declaration(prefix: str | None, uri: str) -> None:
        declared.setdefault(uri, f"{prefix}:" if prefix else "")

    parser.StartNamespaceDeclHandler = declaration
    parser.Parse(xml, True)
    return declared


def element_prefix(xml: bytes, tag: str) -> str:
    """The namespace prefix (with its colon) used by the first `tag` element, or ''."""
    found = elements(xml, tag)
    return found[0].prefix if found else ""


def insert_before_closing(xml: bytes, tag: str, fragment: str) -> bytes:
    """`xml` with `fragment` inserted as the last content of the last `tag` element."""
    found = elements(xml, tag)
    if not found:
        raise ValueError(f"no <{tag}> element to insert into")
    element = found[-1]
    content = fragment.encode("utf-8")
    if not element.empty:
        return xml[: element.close_start] + content + xml[element.close_start :]
    # `<tag .../>`: open it up to hold the fragment.
    opening = xml[element.start : element.open_end].rstrip(b">").rstrip().rstrip(b"/").rstrip()
    name = f"{element.prefix}{tag}".encode()
    return (
        xml[: element.start] + opening + b">" + content + b"</" + name + b">" + xml[element.end :]
    )


def insert_after_opening(xml: bytes, tag: str, fragment: str) -> bytes:
    """`xml` with `fragment` inserted as the first content of the first `tag` element."""
    found = elements(xml, tag)
    if not found or found[0].empty:
        raise ValueError(f"no open <{tag}> element to insert into")
    at = found[0].open_end
    return xml[:at] + fragment.encode("utf-8") + xml[at:]


def remove_element(xml: bytes, element: Element) -> bytes:
    """`xml` without one element (found by `elements` in these same bytes)."""
    return xml[: element.start] + xml[element.end :]


def set_attribute(xml: bytes, element: Element, name: str, value: str) -> bytes:
    """`xml` with one attribute of an element's start tag set (added when missing)."""
    tag = xml[element.start : element.open_end]
    pattern = re.compile(rb"(\s" + re.escape(name.encode()) + rb"\s*=\s*)([\"'])[^\"']*\2")
    if pattern.search(tag):
        new_tag = pattern.sub(
            lambda m: m.group(1) + m.group(2) + value.encode() + m.group(2), tag, count=1
        )
    else:
        closing = b"/>" if tag.endswith(b"/>") else b">"
        body = tag[: -len(closing)].rstrip()
        new_tag = body + f' {name}="{value}"'.encode() + closing
    return xml[: element.start] + new_tag + xml[element.open_end :]


def _tag_end(xml: bytes, start: int) -> int:
    """The offset just after the `>` that closes the tag starting at `start`."""
    quote = 0
    for index in range(start + 1, len(xml)):
        byte = xml[index]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in (0x22, 0x27):  # " or '
            quote = byte
        elif byte == 0x3E:  # >
            return index + 1
    raise ValueError("unclosed tag")
