"""VMs and DRBD as every node sees them now, next to what Pacemaker says (the mirror).

`vms()`: each VirtualDomain resource of the CIB, its domain name (from its config file on
the shared storage), where Pacemaker runs it, and libvirt's state of that domain on every
node (`virsh list --all`); a domain running where Pacemaker does not place it, or on two
nodes, is a double run. `drbd()`: each DRBD resource per node and volume
(`drbdsetup status --json --verbose --statistics` on every node). A node that could not
be read is listed with the reason, never shown as having nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hacore.commands import pacemaker, shell, virt
from hacore.drbd import DrbdState, PeerVolume, Volume, parse_status_json
from hacore.libvirt import VmConfig, domain_name, parse_virsh_list, virtual_domains
from hacore.pacemaker.cib import Cib, parse_cib
from hacore.pacemaker.constraints import Constraint, parse_constraints
from hacore.pacemaker.model import ClusterStatus
from hacore.pacemaker.status import parse_crm_mon
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine
from operations.directory import ClusterRef
from operations.errors import OperationError
from operations.executor import NodeSession
from operations.fanout import NodeRead, run_on_each

Json = dict[str, Any]
_HEALTH = ("StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe", "NetworkFailure")


def vms(cluster: ClusterRef, user: Any) -> list[Json]:
    """Every VM: its resource, domain, Pacemaker's placement (crm_mon's, read just
    before libvirt's, with that time) and libvirt's state on every node."""
    return vms_in(cluster, user, context(cluster, user, status=True))


def vms_in(cluster: ClusterRef, user: Any, found: VmContext) -> list[Json]:
    """The same, the CIB and the status already read (`found`)."""
    read_at = timezone.now().isoformat()
    configs, names = found.configs, found.names
    uris = sorted({c.hypervisor for c in configs})
    reads = (
        run_on_each(
            cluster, user, "read.vms", "list libvirt domains", [virt.virsh_list(u) for u in uris]
        )
        if configs
        else []
    )
    placed = {c.resource: _placement(found.status, c.resource, read_at) for c in configs}
    return [_vm(c, names.get(c.resource, ""), placed.get(c.resource), uris, reads) for c in configs]


@dataclass(frozen=True)
class VmContext:
    """What one node said of the VMs: the CIB, its constraints, the VirtualDomain
    resources and each one's domain name ("" when its config could not be read), and
    crm_mon's status when it was asked for."""

    cib: Cib
    constraints: tuple[Constraint, ...]
    configs: list[VmConfig]
    names: dict[str, str]
    status: ClusterStatus | None = None

    def find(self, name: str) -> VmConfig | None:
        """The VM called name (its domain name or its resource id)."""
        return next(
            (c for c in self.configs if name in (c.resource, self.names.get(c.resource))), None
        )


async def domain_names(session: NodeSession, configs: list[VmConfig]) -> dict[str, str]:
    """Each VM's domain name, from its config file as the node reads it (resource ->
    name; "" when the file cannot be read or names no domain; VMs without one left out).
    The file is recorded by its size only: a definition may hold a VNC or SPICE password."""
    names = {}
    for c in configs:
        if not c.config:
            continue
        found = await session.run(shell.cat(c.config), check=False, cib=True)
        try:
            names[c.resource] = domain_name(found.stdout) if found.ok else ""
        except ParseError:
            names[c.resource] = ""
    return names


def context(cluster: ClusterRef, user: Any, status: bool = False) -> VmContext:
    """The VirtualDomain resources and each one's domain name, read on one node (with
    crm_mon's status if asked), recorded as one dry-run operation."""

    async def work(session: NodeSession) -> VmContext:
        xml = await session.query_cib()
        try:
            cib = parse_cib(xml)
            configs, constraints = virtual_domains(cib), parse_constraints(xml)
            now = (
                parse_crm_mon((await session.run(pacemaker.CRM_MON_XML)).stdout) if status else None
            )
        except ParseError as exc:
            raise OperationError(f"unreadable CIB or status: {exc}") from exc
        return VmContext(cib, constraints, configs, await domain_names(session, configs), now)

    return engine.run_recorded(cluster, user, "read.vms", "read the VM resources", work)


def _placement(status: ClusterStatus | None, rid: str, read_at: str) -> Json | None:
    """Where crm_mon shows rid active, and in what role."""
    resource = next((r for r in status.all_resources() if r.id == rid), None) if status else None
    if resource is None:
        return None
    return {"nodes": list(resource.nodes), "role": str(resource.role), "confirmed": read_at}


def _vm(
    c: VmConfig, name: str, status: Json | None, uris: list[str], reads: list[NodeRead]
) -> Json:
    nodes = list((status or {}).get("nodes", []))
    domains: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for read in reads:
        if read.error and len(read.outputs) <= uris.index(c.hypervisor):
            errors[read.node] = read.error
            continue
        try:
            listed = parse_virsh_list(read.outputs[uris.index(c.hypervisor)])
        except ParseError as exc:
            errors[read.node] = str(exc)
            continue
        domains[read.node] = listed.get(name) if name else None
    running = sorted(n for n, state in domains.items() if state == "running")
    elsewhere = [n for n in running if n not in nodes]
    return {
        "name": name or None,
        "resource": c.resource,
        "node": nodes[0] if len(nodes) == 1 else None,
        "nodes": nodes,
        "role": (status or {}).get("role"),
        "placement_read_at": (status or {}).get("confirmed"),
        "config": c.config,
        "hypervisor": c.hypervisor,
        "allow_migrate": c.allow_migrate,
        "migration_transport": c.migration_transport or None,
        "domains": domains,
        "read_errors": errors,
        "double_run": len(running) > 1 or bool(elsewhere),
        "running_outside_pacemaker": elsewhere,
    }


def drbd(cluster: ClusterRef, user: Any) -> list[Json]:
    """Every DRBD resource: per node its role and per volume its state towards its peers."""
    reads = run_on_each(cluster, user, "read.drbd", "read DRBD's state", [virt.DRBD_STATUS])
    found: dict[str, Json] = {}
    errors: dict[str, str] = {}
    for read in reads:
        if read.error:
            errors[read.node] = read.error
            continue
        try:
            states = parse_status_json(read.outputs[0])
        except ParseError as exc:
            errors[read.node] = str(exc)
            continue
        for state in states:
            entry = found.setdefault(state.name, {"name": state.name, "nodes": {}})
            entry["nodes"][read.node] = node_state(state)
    out = []
    for entry in sorted(found.values(), key=lambda e: str(e["name"])):
        volumes = [v for n in entry["nodes"].values() for v in n["volumes"]]
        entry["split_brain"] = any(v["split_brain"] for v in volumes)
        entry["read_errors"] = errors
        out.append(entry)
    return out


def node_state(state: DrbdState) -> Json:
    """One DRBD resource on one node as the API shows it: role, and each volume."""
    return {
        "role": state.role,
        "suspended": state.suspended,
        "volumes": [_volume(state.role, v) for v in state.volumes],
    }


def _volume(role: str, v: Volume) -> Json:
    """A volume on one node: the fields of the interface summarised over its peers (the
    least healthy connection, the most out of sync, the slowest resync), and each peer."""
    peers = list(v.peers)
    worst = min(peers, key=_health, default=None)
    syncing = [p.resync_percent for p in peers if p.resync_percent is not None]
    return {
        "volume": v.volume,
        "role": role,
        "disk_state": v.disk_state,
        "size": v.size,
        "connection_state": worst.connection_state if worst else None,
        "replication_state": worst.replication_state if worst else None,
        "out_of_sync": max((p.out_of_sync for p in peers), default=0),
        "resync_percent": min(syncing) if syncing else None,
        "split_brain": any(p.split_brain for p in peers),
        "peers": [p.as_dict() for p in peers],
    }


def _health(p: PeerVolume) -> int:
    """Lower is worse: a broken connection, then one not established, then a resync."""
    if p.connection_state in _HEALTH:
        return 0
    if p.connection_state != "Connected":
        return 1
    return 2 if p.replication_state.startswith("Sync") else 3
