"""Parsing XML read from nodes, with entity resolution, DTDs and network access off."""

from __future__ import annotations

import re

from lxml import etree

from hacore.errors import BadGateway


class ParseError(BadGateway, ValueError):
    """The text is not XML we accept (malformed, hostile, or not what was expected)."""

    def describe(self) -> str:
        """What the API answers: the output could not be read, and why."""
        return f"unreadable output: {self}"


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


# `<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">`: what agent metadata starts with.
# Only a name and an external id (never loaded); an internal subset ([...]) never matches.
_EXTERNAL_DOCTYPE = re.compile(
    rb"^(\s*<\?xml[^>]*\?>)?\s*<!DOCTYPE\s+[\w.-]+\s+"
    rb'(SYSTEM\s+"[^"\[\]<>]*"|PUBLIC\s+"[^"\[\]<>]*"\s+"[^"\[\]<>]*")\s*>'
)


def parse_xml(data: str | bytes, external_doctype: bool = False) -> etree._Element:
    """Parse one XML document; refuse anything with a DOCTYPE (no crm_mon or CIB has one).

    external_doctype: accept (and drop) a leading DOCTYPE that only names an external
    DTD, as resource agents' metadata has; a DOCTYPE with declarations is still refused.
    """
    raw = data.encode() if isinstance(data, str) else data
    if external_doctype:
        raw = _EXTERNAL_DOCTYPE.sub(rb"\1", raw, count=1)
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise ParseError("XML with a DOCTYPE is refused (entities could be hostile)")
    return root


def is_true(value: str | None, default: bool = False) -> bool:
    """A Pacemaker boolean value ("true"/"false"/"1"/"yes"...); default when absent."""
    if value is None:
        return default
    if value in _EXACT:  # what crm_mon and the CIB almost always print
        return _EXACT[value]
    return value.strip().lower() in {"true", "1", "yes", "on", "y"}


_EXACT = {"true": True, "false": False}


def attr_bool(element: etree._Element, name: str, default: bool = False) -> bool:
    """Read a Pacemaker boolean attribute (is_true of its value)."""
    return is_true(element.get(name), default)
