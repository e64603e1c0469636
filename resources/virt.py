"""VMs and DRBD as every node sees them now, next to what Pacemaker says (the mirror).

`vms()`: each VirtualDomain resource of the CIB, its domain name (from its config file on
the shared storage), where Pacemaker runs it, and libvirt's state of that domain on every
node (`virsh list --all`); a domain running where Pacemaker does not place it, or on two
nodes, is a double run. `drbd()`: each DRBD resource per node and volume
(`drbdsetup status --json --verbose --statistics` on every node). A node that could not
be read is listed with the reason, never shown as having nothing.
"""

from __future__ import annotations

from typing import Any

from hacore.commands import pacemaker, shell, virt
from hacore.drbd import DrbdState, PeerVolume, Volume, parse_status_json
from hacore.libvirt import VmConfig, domain_name, parse_virsh_list, virtual_domains
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine
from operations.directory import ClusterRef
from operations.errors import OperationError
from operations.executor import NodeSession
from operations.fanout import NodeRead, run_on_each
from resources.models import Resource

Json = dict[str, Any]
_HEALTH = ("StandAlone", "Disconnecting", "Unconnected", "Timeout", "BrokenPipe", "NetworkFailure")


def vms(cluster: ClusterRef, user: Any) -> list[Json]:
    """Every VM: its resource, domain, Pacemaker's placement (the mirror's, with its age)
    and libvirt's state on every node."""
    configs, names = _configs(cluster, user)
    uris = sorted({c.hypervisor for c in configs})
    reads = (
        run_on_each(
            cluster, user, "read.vms", "list libvirt domains", [virt.virsh_list(u) for u in uris]
        )
        if configs
        else []
    )
    placed = {
        r.rid: {"nodes": r.nodes, "role": r.role, "confirmed": r.confirmed.isoformat()}
        for r in Resource.objects.filter(
            cluster_id=cluster.id, rid__in=[c.resource for c in configs]
        )
    }
    return [_vm(c, names.get(c.resource, ""), placed.get(c.resource), uris, reads) for c in configs]


def _configs(cluster: ClusterRef, user: Any) -> tuple[list[VmConfig], dict[str, str]]:
    """The VirtualDomain resources and each one's domain name (or the error reading it)."""

    async def work(session: NodeSession) -> tuple[list[VmConfig], dict[str, str]]:
        # the whole CIB, recorded by its size only (it holds the fence devices' secrets)
        cib = (await session.run(pacemaker.CIB_QUERY, cib=True)).stdout
        try:
            configs = virtual_domains(parse_cib(cib))
        except ParseError as exc:
            raise OperationError(f"unreadable CIB: {exc}") from exc
        names = {}
        for c in configs:
            if not c.config:
                continue
            found = await session.run(shell.cat(c.config), check=False)
            try:
                names[c.resource] = domain_name(found.stdout) if found.ok else ""
            except ParseError:
                names[c.resource] = ""
        return configs, names

    return engine.run_recorded(cluster, user, "read.vms", "read the VM resources", work)


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
            entry["nodes"][read.node] = _node_state(state)
    out = []
    for entry in sorted(found.values(), key=lambda e: str(e["name"])):
        volumes = [v for n in entry["nodes"].values() for v in n["volumes"]]
        entry["split_brain"] = any(v["split_brain"] for v in volumes)
        entry["read_errors"] = errors
        out.append(entry)
    return out


def _node_state(state: DrbdState) -> Json:
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
