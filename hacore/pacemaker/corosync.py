"""Corosync's runtime configuration as `corosync-cmapctl` prints it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "nodelist.node.0.ring0_addr (str) = 198.51.100.11"
_LINE = re.compile(r"^(?P<key>[^\s(]+) \((?P<type>[a-z0-9]+)\) = (?P<value>.*)$")
_NODE_KEY = re.compile(r"^nodelist\.node\.(?P<pos>\d+)\.(?P<field>[a-z0-9_]+)$")
_RING_ADDR = re.compile(r"^ring(?P<link>\d+)_addr$")


class CmapError(ValueError):
    """The output is not what corosync-cmapctl prints."""


@dataclass(frozen=True)
class CorosyncNode:
    """A node of corosync's nodelist: its id, name and link addresses in link order."""

    nodeid: int | None
    name: str
    addresses: tuple[str, ...]


def parse_cmap(text: str) -> dict[str, str]:
    """Parse `corosync-cmapctl` lines into a key -> value dict."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise CmapError(f"line {number} is not 'KEY (TYPE) = VALUE': {line[:80]!r}")
        values[match["key"]] = match["value"]
    return values


def cluster_name(text: str) -> str:
    """The cluster name from `corosync-cmapctl totem.cluster_name` output."""
    name = parse_cmap(text).get("totem.cluster_name", "").strip()
    if not name:
        raise CmapError("corosync has no totem.cluster_name")
    return name


def nodelist(text: str) -> list[CorosyncNode]:
    """The nodes from `corosync-cmapctl nodelist.node.` output, in nodelist order."""
    fields: dict[int, dict[str, str]] = {}
    for key, value in parse_cmap(text).items():
        match = _NODE_KEY.match(key)
        if match:
            fields.setdefault(int(match["pos"]), {})[match["field"]] = value
    return [_node(pos, fields[pos]) for pos in sorted(fields)]


def _node(pos: int, values: dict[str, str]) -> CorosyncNode:
    rings = sorted(
        (int(m["link"]), value)
        for name, value in values.items()
        if (m := _RING_ADDR.match(name)) is not None
    )
    addresses = tuple(value for _, value in rings)
    name = values.get("name") or (addresses[0] if addresses else "")
    if not name:
        raise CmapError(f"nodelist entry {pos} has neither a name nor an address")
    nodeid = values.get("nodeid")
    return CorosyncNode(
        nodeid=int(nodeid) if nodeid and nodeid.isdigit() else None,
        name=name,
        addresses=addresses,
    )
