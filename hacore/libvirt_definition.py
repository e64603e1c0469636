"""A libvirt domain definition reduced to what it means, for comparing copies of it.

Two copies of a VM's definition (the VirtualDomain `config` file as each node has it)
mean the same when they differ only in layout: indentation and line breaks, the order
of attributes, comments. What is compared is a digest of each part: the <domain>
element's own attributes, each child of <domain> by its tag, and each device by its
kind and its place among the devices of that kind ("devices/disk[2]"). Only digests
leave this module: a definition may hold a VNC or SPICE password.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, parse_xml

Parts = tuple[tuple[str, str], ...]  # (part, digest of its canonical form)


def definition_parts(xml: str | bytes) -> Parts:
    """The parts of a domain definition with their digests; ParseError if it is not one."""
    root = parse_xml(xml)
    if root.tag != "domain":
        raise ParseError("not a libvirt domain definition")
    _strip(root)
    return tuple(_parts(root))


def _strip(element: etree._Element) -> None:
    """Comments and whitespace-only text (layout, not meaning) removed, in place."""
    for extra in list(element.iter(etree.Comment, etree.ProcessingInstruction)):
        parent, before = extra.getparent(), extra.getprevious()
        if parent is None:
            continue
        if extra.tail and before is not None:  # removing it would lose the text after it
            before.tail = (before.tail or "") + extra.tail
        elif extra.tail:
            parent.text = (parent.text or "") + extra.tail
        parent.remove(extra)
    for node in element.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None


def _digest(element: etree._Element) -> str:
    return hashlib.sha256(etree.tostring(element, method="c14n")).hexdigest()


def _parts(root: etree._Element) -> Iterator[tuple[str, str]]:
    attributes = sorted(root.attrib.items())
    yield "domain", hashlib.sha256(repr(attributes).encode()).hexdigest()
    seen: dict[str, int] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag != "devices":
            seen[child.tag] = seen.get(child.tag, 0) + 1
            yield _name(child.tag, seen[child.tag]), _digest(child)
            continue
        for device in child:
            if isinstance(device.tag, str):
                key = f"devices/{device.tag}"
                seen[key] = seen.get(key, 0) + 1
                yield _name(key, seen[key]), _digest(device)


def _name(tag: str, count: int) -> str:
    return tag if count == 1 else f"{tag}[{count}]"


def differing(a: Parts, b: Parts) -> list[str]:
    """The parts that differ between two definitions (present in one only included)."""
    left, right = dict(a), dict(b)
    return [p for p in dict.fromkeys([*left, *right]) if left.get(p) != right.get(p)]
