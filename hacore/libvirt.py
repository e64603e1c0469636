"""Virtual machines as Pacemaker and libvirt see them: the VirtualDomain primitives of a
parsed CIB (their config file, hypervisor URI, migration settings), the domain name in a
domain's XML, and `virsh list --all` (every domain libvirt knows on a node, its state).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


@dataclass(frozen=True)
class DoubleRun:
    """A VM's domain running on two nodes, or where Pacemaker does not place it: what
    Pacemaker exists to prevent (two QEMUs writing one disk)."""

    resource: str
    domain: str
    running: tuple[str, ...]
    placed: tuple[str, ...]

    @property
    def message(self) -> str:
        """The alarm in words."""
        where = " and ".join(self.running)
        placed = ", ".join(self.placed) or "nowhere (stopped)"
        return (
            f"DOUBLE RUN: VM {self.resource}'s domain {self.domain} runs on {where}; "
            f"Pacemaker places it on {placed}. Two copies can corrupt its disk."
        )

    def as_json(self) -> dict[str, object]:
        """As stored and shown."""
        return {
            "resource": self.resource,
            "domain": self.domain,
            "running": list(self.running),
            "placed": list(self.placed),
            "message": self.message,
        }


def double_runs(
    domains: Mapping[str, str],
    placed: Mapping[str, tuple[str, ...]],
    listed: Mapping[str, Mapping[str, str]],
) -> list[DoubleRun]:
    """The double runs among VMs (resource -> domain name), given where Pacemaker runs
    each (resource -> nodes) and libvirt's domains on each node read (node -> domain ->
    state). A node not read says nothing: it is never counted either way."""
    found = []
    for resource, domain in sorted(domains.items()):
        running = tuple(sorted(n for n, ds in listed.items() if ds.get(domain) == "running"))
        where = placed.get(resource, ())
        if len(running) > 1 or any(n not in where for n in running):
            found.append(DoubleRun(resource, domain, running, tuple(sorted(where))))
    return found
