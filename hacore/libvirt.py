"""Virtual machines as Pacemaker and libvirt see them: the VirtualDomain primitives of a
CIB (their config file, hypervisor URI, migration settings), the domain name in a
domain's XML, and `virsh list --all` (every domain libvirt knows on a node, its state).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, parse_xml

DEFAULT_HYPERVISOR = "qemu:///system"  # the VirtualDomain agent's own default
_ROW = re.compile(r"^\s*(?P<id>\d+|-)\s+(?P<name>\S+)\s+(?P<state>\S.*?)\s*$")
_TRUE = {"true", "1", "yes", "on", "y"}


@dataclass(frozen=True)
class VmConfig:
    """A VirtualDomain resource as configured in the CIB."""

    resource: str
    config: str
    hypervisor: str
    migration_transport: str
    allow_migrate: bool


def virtual_domains(cib: str | bytes) -> list[VmConfig]:
    """Every ocf:heartbeat:VirtualDomain primitive of a CIB, in document order."""
    root = parse_xml(cib)
    found = []
    for el in root.iter("primitive"):
        if (el.get("class"), el.get("provider"), el.get("type")) != (
            "ocf",
            "heartbeat",
            "VirtualDomain",
        ):
            continue
        params = _nvpairs(el, "instance_attributes")
        meta = _nvpairs(el, "meta_attributes")
        found.append(
            VmConfig(
                resource=el.get("id", ""),
                config=params.get("config", ""),
                hypervisor=params.get("hypervisor") or DEFAULT_HYPERVISOR,
                migration_transport=params.get("migration_transport", ""),
                allow_migrate=meta.get("allow-migrate", "").strip().lower() in _TRUE,
            )
        )
    return found


def _nvpairs(el: etree._Element, kind: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for block in el.findall(kind):
        for pair in block.findall("nvpair"):
            out.setdefault(pair.get("name", ""), pair.get("value", ""))
    return out


def domain_name(xml: str | bytes) -> str:
    """The <name> of a libvirt domain definition; ParseError without one."""
    root = parse_xml(xml)
    name = (root.findtext("name") or "").strip() if root.tag == "domain" else ""
    if not name:
        raise ParseError("not a libvirt domain definition with a <name>")
    return name


def parse_virsh_list(text: str) -> dict[str, str]:
    """`virsh list --all`: domain name -> state ("running", "shut off", "paused"...)."""
    states: dict[str, str] = {}
    lines = text.splitlines()
    if not lines or not lines[0].split()[:3] == ["Id", "Name", "State"]:
        raise ParseError(f"not a virsh list table: {text[:80]!r}")
    for line in lines[1:]:
        if not line.strip() or set(line.strip()) == {"-"}:
            continue
        row = _ROW.match(line)
        if row is None:
            raise ParseError(f"virsh list: unexpected line {line[:80]!r}")
        states[row["name"]] = row["state"]
    return states
