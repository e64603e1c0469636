"""Virtual machines as Pacemaker and libvirt see them: the VirtualDomain primitives of a
parsed CIB (their config file, hypervisor URI, migration settings), the domain name in a
domain's XML, and `virsh list --all` (every domain libvirt knows on a node, its state).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hacore.pacemaker.cib import Cib, CibResource
from hacore.pacemaker.xmlsafe import ParseError, is_true, parse_xml

DEFAULT_HYPERVISOR = "qemu:///system"  # the VirtualDomain agent's own default
_ROW = re.compile(r"^\s*(?P<id>\d+|-)\s+(?P<name>\S+)\s+(?P<state>\S.*?)\s*$")
AGENT = "ocf:heartbeat:VirtualDomain"


@dataclass(frozen=True)
class VmConfig:
    """A VirtualDomain resource as configured in the CIB."""

    resource: str
    config: str
    hypervisor: str
    migration_transport: str
    allow_migrate: bool


def virtual_domains(cib: Cib) -> list[VmConfig]:
    """Every ocf:heartbeat:VirtualDomain primitive of a CIB, in document order."""
    every = (r for top in cib.resources for r in top.walk())
    return [_vm(r) for r in every if r.agent == AGENT]


def _vm(r: CibResource) -> VmConfig:
    params = dict(reversed(r.params))  # the first value of a name, as Pacemaker takes it
    return VmConfig(
        resource=r.id,
        config=params.get("config", ""),
        hypervisor=params.get("hypervisor") or DEFAULT_HYPERVISOR,
        migration_transport=params.get("migration_transport", ""),
        allow_migrate=is_true(r.meta_value("allow-migrate")),
    )


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
