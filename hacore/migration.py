"""Whether a VM can live-migrate to a node now: every blocker, each with its reason.

A live migration is a Pacemaker move of a VirtualDomain resource whose transition is a
`migrate` (migrate_to on the source, migrate_from on the target) rather than a stop and
a start. It needs, on the target: a member online, not in standby or maintenance; what
the VM depends on running there (what it is colocated with, what it is ordered after,
the libvirtd clone, each in the role the constraint names); its DRBD disk UpToDate and
Primary (both nodes hold the disk open during the move); no constraint keeping it off.
And Pacemaker's own word: the simulated transition must show the migration.

Each check is a pure function of what was read (the CIB, crm_mon, drbdsetup status on
the target, crm_simulate's actions), so the console's pre-check and its tests share it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from hacore.drbd import DrbdState
from hacore.libvirt import VmConfig
from hacore.pacemaker.cib import Cib
from hacore.pacemaker.constraints import Constraint
from hacore.pacemaker.model import ClusterStatus, ResourceStatus
from hacore.pacemaker.simulate import PlannedAction

Json = dict[str, Any]
DRBD_AGENT = "ocf:linbit:drbd"
_MANDATORY = ("INFINITY", "+INFINITY")
_LEGACY_ROLES = {"Master": "Promoted", "Slave": "Unpromoted"}


@dataclass(frozen=True)
class Blocker:
    """One reason the migration cannot happen now: a stable code and the words for it."""

    code: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return asdict(self)


def _role(value: str | None) -> str:
    return _LEGACY_ROLES.get(value or "", value or "")


def dependencies(resource: str, constraints: tuple[Constraint, ...]) -> dict[str, str]:
    """What resource needs where it runs: resource id -> role it must have there ("" for
    any). Followed transitively through mandatory colocations (resource with X) and,
    from the resource itself, mandatory orders (X then resource)."""
    needed: dict[str, str] = {}
    todo = [resource]
    for c in constraints:
        if (
            c.type == "order"
            and c.resources[1:] == (resource,)
            and c.options.get("kind", "Mandatory") == "Mandatory"
            and not c.score.startswith("-")
        ):
            needed.setdefault(c.resources[0], "")
            todo.append(c.resources[0])
    seen = set(todo)
    while todo:
        current = todo.pop()
        for c in constraints:
            if c.type != "colocation" or len(c.resources) != 2 or c.resources[0] != current:
                continue
            if c.score not in _MANDATORY:
                continue
            other = c.resources[1]
            needed[other] = needed.get(other) or _role(c.options.get("with-rsc-role"))
            if other not in seen:
                seen.add(other)
                todo.append(other)
    needed.pop(resource, None)
    return needed


def libvirtd_clones(cib: Cib) -> list[str]:
    """The top-level resources that run libvirtd (lsb:, systemd: or service:libvirtd)."""
    return [
        top.id
        for top in cib.resources
        if any((r.agent or "").endswith(":libvirtd") for r in top.walk())
    ]


def drbd_primitives(cib: Cib) -> dict[str, str]:
    """DRBD resource name -> the ocf:linbit:drbd primitive that drives it."""
    every = (r for top in cib.resources for r in top.walk())
    return {
        name: r.id
        for r in every
        if r.agent == DRBD_AGENT and (name := dict(r.params).get("drbd_resource"))
    }


def drbd_resources(cib: Cib, rids: list[str]) -> list[str]:
    """The DRBD resource names (drbd_resource=) of the linbit:drbd primitives in rids."""
    names = []
    for rid in rids:
        top = cib.resource(rid)
        for r in top.walk() if top is not None else ():
            name = dict(r.params).get("drbd_resource") if r.agent == DRBD_AGENT else None
            if name and name not in names:
                names.append(name)
    return names


def _instances(status: ClusterStatus, rid: str) -> tuple[ResourceStatus, ...]:
    found = next((r for r in status.all_resources() if r.id == rid), None)
    if found is None:
        return ()
    return tuple(r for r in found.walk() if not r.children)


def runs_on(status: ClusterStatus, rid: str, node: str, role: str = "") -> bool:
    """Whether an instance of rid is active (and not failed) on node, in role if given."""
    return any(
        node in r.nodes and r.active and not r.failed and (not role or r.role == role)
        for r in _instances(status, rid)
    )


def node_blockers(target: str, status: ClusterStatus) -> list[Blocker]:
    """The target as crm_mon shows it: a member, online, not standby nor maintenance."""
    node = status.node(target)
    if node is None:
        return [Blocker("unknown_node", f"{target} is not a node of this cluster")]
    found = []
    if not node.online:
        found.append(Blocker("node_offline", f"{target} is not online"))
    if node.standby:
        found.append(Blocker("node_standby", f"{target} is in standby: it runs no resources"))
    if node.maintenance:
        found.append(Blocker("node_maintenance", f"{target} is in maintenance"))
    if status.summary.maintenance_mode:
        found.append(Blocker("cluster_maintenance", "the cluster is in maintenance mode"))
    return found


def vm_blockers(vm: VmConfig, target: str, status: ClusterStatus) -> list[Blocker]:
    """The VM's own resource: allowed to migrate, managed, running, not already there."""
    found = []
    if not vm.allow_migrate:
        found.append(
            Blocker(
                "migration_not_allowed",
                f"{vm.resource} has allow-migrate off: Pacemaker would stop and start it",
            )
        )
    instances = _instances(status, vm.resource)
    if any(not r.managed for r in instances):
        found.append(Blocker("vm_unmanaged", f"{vm.resource} is not managed by Pacemaker"))
    running = sorted({n for r in instances if r.active for n in r.nodes})
    if not running:
        found.append(Blocker("vm_not_running", f"{vm.resource} is not running: start it"))
    elif target in running:
        found.append(Blocker("same_node", f"{vm.resource} already runs on {target}"))
    return found


def dependency_blockers(
    vm: VmConfig, target: str, cib: Cib, constraints: tuple[Constraint, ...], status: ClusterStatus
) -> list[Blocker]:
    """What the VM needs (its colocations and orders, the libvirtd clone), not running
    on the target in the role it needs."""
    needed = dependencies(vm.resource, constraints)
    for rid in libvirtd_clones(cib):
        needed.setdefault(rid, "")
    found = []
    for rid, role in needed.items():
        if not runs_on(status, rid, target, role):
            what = _agent(cib, rid)
            in_role = f" {role}" if role else ""
            found.append(
                Blocker(
                    "dependency_not_running",
                    f"{rid}{what} is not running{in_role} on {target}",
                )
            )
    return found


def _agent(cib: Cib, rid: str) -> str:
    top = cib.resource(rid)
    agents = sorted({r.agent for r in top.walk() if r.agent}) if top is not None else []
    return f" ({', '.join(agents)})" if agents else ""


def constraint_blockers(
    vm: VmConfig, target: str, constraints: tuple[Constraint, ...]
) -> list[Blocker]:
    """Location constraints keeping the VM off the target (a ban, a negative score)."""
    return [
        Blocker(
            "constraint_against",
            f"location constraint {c.id} keeps {vm.resource} off {target} (score {c.score})",
        )
        for c in constraints
        if c.type == "location"
        and c.resources[:1] == (vm.resource,)
        and c.node == target
        and c.score.startswith("-")
    ]


def storage_blockers(target: str, names: list[str], states: list[DrbdState]) -> list[Blocker]:
    """Each DRBD resource under the VM on the target: up, UpToDate, Primary."""
    by_name = {s.name: s for s in states}
    found = []
    for name in names:
        state = by_name.get(name)
        if state is None:
            found.append(Blocker("drbd_down", f"DRBD resource {name} is not up on {target}"))
            continue
        stale = sorted({v.disk_state for v in state.volumes if v.disk_state != "UpToDate"})
        if stale:
            found.append(
                Blocker(
                    "drbd_not_uptodate",
                    f"DRBD resource {name} is {'/'.join(stale)} on {target}, not UpToDate",
                )
            )
        if state.role != "Primary":
            found.append(
                Blocker(
                    "drbd_not_primary",
                    f"DRBD resource {name} is {state.role} on {target}: a live migration "
                    "needs the disk Primary on both nodes at once (dual-primary)",
                )
            )
    return found


def disk_blockers(target: str, disks: list[Json]) -> list[Blocker]:
    """Each disk of the running domain (hacore.libvirt_info.place_disk) on neither a DRBD
    device nor a cluster filesystem: the target cannot reach it (a CD-ROM's image the
    target may have at the same path: the console cannot tell, so it asks for it shared
    or ejected)."""
    found = []
    for d in disks:
        if d["storage"]["kind"] != "local":
            continue
        where = (
            f"disk {d['target']} ({d['source']}) is on neither a DRBD device nor a "
            "cluster filesystem"
        )
        if d["device"] == "cdrom":
            why = f"{target} must have the image at the same path: eject it or share it"
        else:
            why = f"{target} cannot reach it, and libvirt refuses to live-migrate an unshared disk"
        found.append(Blocker("disk_not_shared", f"{where}: {why}"))
    return found


def disk_drbd(disks: list[Json]) -> list[str]:
    """The DRBD resources the domain's disks are on directly (block devices)."""
    return sorted({d["storage"]["resource"] for d in disks if d["storage"]["kind"] == "drbd"})


def simulation_blockers(
    resource: str, target: str, actions: tuple[PlannedAction, ...]
) -> list[Blocker]:
    """Pacemaker's own plan for the move: it must migrate the resource to the target."""
    mine = [a for a in actions if a.resource.split(":", 1)[0] == resource]
    if any(a.action.lower() == "migrate" and a.on == target for a in mine):
        return []
    planned = "; ".join(a.text() for a in mine) or "nothing"
    return [
        Blocker(
            "no_live_migration",
            f"crm_simulate plans {planned} for {resource}, not a live migration to {target}",
        )
    ]
