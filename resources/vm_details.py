"""One VM in depth, for its card and `GET .../vms/<name>/`: what libvirt says of the
domain on the node that runs it (`virsh dominfo`, `domstate --reason`, `domblklist
--details`) and where each disk lives (a DRBD device, a cluster filesystem, or neither:
hacore/libvirt_info.py), read as one recorded operation on that node. A VM that runs on
no single node has no details (`null`, with the reason); a read that fails says so with
virsh's own words, never an empty list of disks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hacore.commands import virt
from hacore.drbd import DrbdState, parse_status_json
from hacore.libvirt_info import (
    cluster_filesystems,
    drbd_devices,
    parse_domblklist,
    parse_dominfo,
    parse_domstate,
    place_disk,
)
from hacore.pacemaker.cib import Cib
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine
from operations.directory import ClusterRef
from operations.engine import PlanFailed
from operations.errors import OperationError
from operations.executor import NodeSession
from resources.virt import context, vms_in

Json = dict[str, Any]


def vm(cluster: ClusterRef, user: Any, name: str) -> Json | None:
    """The VM called name (domain or resource id) with its `details`; None if none."""
    found = context(cluster, user, status=True)
    for entry in vms_in(cluster, user, found):
        if name in (entry["name"], entry["resource"]):
            where = Where(entry["node"], entry["name"], entry["hypervisor"])
            return entry | {"details": details(cluster, user, where, found.cib)}
    return None


@dataclass(frozen=True)
class Where:
    """The node Pacemaker runs the VM on (None: no single one), its domain name ("" when
    unknown) and its hypervisor URI."""

    node: str | None
    domain: str
    uri: str


def details(cluster: ClusterRef, user: Any, where: Where, cib: Cib) -> Json:
    """libvirt's description of the domain where Pacemaker runs it, with its disks."""
    node, domain, uri = where.node, where.domain, where.uri
    if not node or not domain:
        why = "it runs on no single node" if domain else "its domain name is unknown"
        return {"node": None, "error": f"no details: {why}"}
    filesystems = cluster_filesystems(cib)

    async def work(session: NodeSession) -> Json:
        info = await session.run(virt.virsh_domain(uri, "dominfo", domain))
        state = await session.run(virt.virsh_domain(uri, "domstate", domain))
        disks = await session.run(virt.virsh_domain(uri, "domblklist", domain))
        drbd = await session.run(virt.DRBD_STATUS, check=False)
        try:
            devices = drbd_devices(_drbd(drbd.stdout) if drbd.ok else [])
            shown = parse_dominfo(info.stdout)
            shown["state"], shown["reason"] = parse_domstate(state.stdout)
            shown["disks"] = [
                place_disk(d, filesystems, devices) for d in parse_domblklist(disks.stdout)
            ]
        except ParseError as exc:
            raise OperationError(f"unreadable virsh output: {exc}") from exc
        return shown

    read_at = timezone.now().isoformat()
    summary = f"read libvirt's description of {domain} on {node}"
    try:
        shown = engine.run_recorded(cluster, user, "read.vm", summary, work, only=node)
    except PlanFailed as exc:
        said = exc.operation.stderr.strip()
        return {
            "node": node,
            "read_at": read_at,
            "error": f"{exc}" + (f" ({said})" if said else ""),
        }
    return {"node": node, "read_at": read_at, "error": "", **shown}


def _drbd(text: str) -> list[DrbdState]:
    try:
        return parse_status_json(text)
    except ParseError:
        return []  # DRBD unreadable there: no disk is placed on it
