"""What the advisor reads of libvirt on every node, for the rules that catch VMs started
behind Pacemaker's back (hacore/advice/virt.py): each VM's domain name (from its config
file on the shared storage), and on every online node the domains libvirt autostarts
whether libvirt-guests is enabled, and each VM's config file as that node has it (read
with `cat`, recorded by its size only, kept as digests: it may hold a VNC password). A
node whose libvirt cannot be read is left out: it is never shown as fine."""

from __future__ import annotations

from typing import Any

from hacore.advice.model import Facts, NodeLibvirt
from hacore.commands import shell, virt
from hacore.libvirt import virtual_domains
from hacore.libvirt_definition import Parts, definition_parts
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import RemoteError
from operations.errors import OperationError
from operations.executor import NodeSession
from resources.virt import domain_names

ENABLED = ("enabled", "enabled-runtime")
DISABLED = ("disabled", "masked", "not-found")


async def read_libvirt(session: NodeSession, facts: Facts) -> dict[str, Any]:
    """The libvirt facts (`libvirt`, `vm_domains`), or none when the CIB has no VM."""
    vms = virtual_domains(facts.cib)
    if not vms:
        return {}
    domains = {rid: name for rid, name in (await domain_names(session, vms)).items() if name}
    uris = sorted({vm.hypervisor for vm in vms})
    configs = sorted({vm.config for vm in vms if vm.config})
    nodes = {}
    for node in facts.online():
        seen = await _node(session, node, uris, configs)
        if seen is not None:
            nodes[node] = seen
    return {"libvirt": nodes, "vm_domains": domains}


async def _node(
    session: NodeSession, node: str, uris: list[str], configs: list[str]
) -> NodeLibvirt | None:
    """One node's libvirt facts; None when its libvirt does not answer (or the node)."""
    try:
        there = session.peer(node)
        autostart: set[str] = set()
        for uri in uris:
            listed = await there.run(virt.virsh_autostart(uri), check=False)
            if not listed.ok:
                return None  # no libvirtd there: unknown
            autostart |= {line.strip() for line in listed.stdout.splitlines() if line.strip()}
        guests = await there.run(virt.LIBVIRT_GUESTS_ENABLED, check=False)
        missing, definitions = [], {}
        for config in configs:
            read = await there.run(shell.cat(config), check=False, cib=True)  # by size only
            if read.ok:
                definitions[config] = _parts(read.stdout)
            else:
                missing.append(config)
    except (RemoteError, OperationError):
        return None
    state = guests.stdout.strip()
    enabled = True if state in ENABLED else False if state in DISABLED or not state else None
    return NodeLibvirt(frozenset(autostart), enabled, frozenset(missing), definitions)


def _parts(xml: str) -> Parts:
    """The definition's parts; one part "definition" that says so when it is unreadable."""
    try:
        return definition_parts(xml)
    except ParseError:
        return (("definition", "unreadable"),)
