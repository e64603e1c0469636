"""VM actions, always through Pacemaker: start, stop, and a live migration to a chosen
node behind a pre-check that lists every blocker with its reason.

The pre-check reads the CIB and crm_mon on one node and DRBD's state on the target
(hacore.migration judges them), then plans the move on a copy of the CIB: the plan's
crm_simulate must show a `migrate`, and the plan refuses what a live `pcs resource move`
would refuse (the Hold). A migration with no blocker is queued on that very plan, so the
worker applies it only on the CIB it was checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from hacore import migration
from hacore.commands import virt
from hacore.drbd import DrbdState, parse_status_json
from hacore.errors import ConsoleError, NotFound
from hacore.libvirt import VmConfig
from hacore.migration import Blocker
from hacore.pacemaker.ids import check_id
from hacore.pacemaker.simulate import PlannedAction
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine, service
from operations.change import Body, Change
from operations.directory import ClusterRef
from operations.engine import PlanFailed
from operations.errors import OperationError
from operations.models import Plan
from resources import changes, vm_details
from resources.virt import VmContext, context
from resources.vm_details import Where

Json = dict[str, Any]
_ACTION_FIELDS = {f.name for f in fields(PlannedAction)}


class MigrationBlocked(ConsoleError):
    """The pre-check found blockers: nothing was changed."""

    code = "migration_blocked"
    http_status = 409

    def __init__(self, check: Precheck) -> None:
        reasons = "; ".join(b.reason for b in check.blockers)
        super().__init__(f"{check.vm.resource} cannot live-migrate to {check.node}: {reasons}")
        self.check = check

    def extra(self) -> dict[str, Any]:
        """Every blocker, and the plan when one was made."""
        return {
            "blockers": [b.as_dict() for b in self.check.blockers],
            "plan": self.check.plan.pk if self.check.plan else None,
        }


@dataclass(frozen=True)
class Precheck:
    """The pre-check's answer: the VM, the target, every blocker, and the plan."""

    vm: VmConfig
    name: str
    node: str
    blockers: tuple[Blocker, ...]
    change: Change
    plan: Plan | None

    def as_json(self) -> Json:
        """The API's answer."""
        return {
            "vm": self.name or self.vm.resource,
            "resource": self.vm.resource,
            "node": self.node,
            "ok": not self.blockers,
            "blockers": [b.as_dict() for b in self.blockers],
            "plan": self.plan.pk if self.plan else None,
            "actions": self.plan.actions if self.plan else [],
        }


def vm_migrate(rid: str, node: object, body: Body) -> Change:
    """A live migration: Pacemaker's move of the VirtualDomain resource (pcs removes its
    move constraint once the VM runs there, unless body keeps it)."""
    move = changes.resource_move(rid, node, body=body)
    return replace(move, kind="vm.migrate", summary=move.summary.replace("move", "live-migrate", 1))


def _vm(found: VmContext, name: str) -> VmConfig:
    vm = found.find(name)
    if vm is None:
        raise NotFound(f"no VM {name[:80]!r} on this cluster")
    return vm


def precheck(cluster: ClusterRef, user: Any, name: str, body: Body) -> Precheck:
    """Every reason the VM cannot live-migrate to body["node"] now, and the plan."""
    node = check_id(body.get("node"), "node")
    found = context(cluster, user, status=True)
    vm = _vm(found, name)
    change = vm_migrate(vm.resource, node, body)
    now = found.status
    if now is None:
        raise OperationError("crm_mon's status was not read")
    blockers = [
        *migration.vm_blockers(vm, node, now),
        *migration.node_blockers(node, now),
        *migration.dependency_blockers(vm, node, found.cib, found.constraints, now),
        *migration.constraint_blockers(vm, node, found.constraints),
    ]
    blockers += _storage_blockers(cluster, user, found, vm, node)
    plan = None
    try:
        plan = service.make_plan(cluster, change, user)
    except PlanFailed as exc:
        stderr = exc.operation.stderr.strip()
        blockers.append(Blocker(exc.code, f"{exc}" + (f" ({stderr})" if stderr else "")))
    if plan is not None:
        actions = tuple(
            PlannedAction(**{k: v for k, v in a.items() if k in _ACTION_FIELDS})
            for a in plan.actions
        )
        blockers += migration.simulation_blockers(vm.resource, node, actions)
    return Precheck(vm, found.names.get(vm.resource, ""), node, tuple(blockers), change, plan)


def _storage_blockers(
    cluster: ClusterRef, user: Any, found: VmContext, vm: VmConfig, node: str
) -> list[Blocker]:
    """The domain's disks: each reachable from node; the DRBD resources under the VM
    (through its constraints, and its disks' devices) UpToDate and Primary there."""
    placed = _disks(cluster, user, found, vm)
    on_disks = [] if isinstance(placed, Blocker) else placed
    blockers = [placed] if isinstance(placed, Blocker) else migration.disk_blockers(node, placed)
    needed = list(migration.dependencies(vm.resource, found.constraints))
    drbd = sorted({*migration.drbd_resources(found.cib, needed), *migration.disk_drbd(on_disks)})
    if drbd:
        states = _drbd_on(cluster, user, node)
        if isinstance(states, Blocker):
            blockers.append(states)
        else:
            blockers += migration.storage_blockers(node, drbd, states)
    return blockers


def _disks(cluster: ClusterRef, user: Any, found: VmContext, vm: VmConfig) -> list[Json] | Blocker:
    """The running domain's disks, placed on the cluster's storage; [] when it runs on no
    single node (other blockers say so); the blocker when libvirt could not tell."""
    status = found.status
    nodes = [r.nodes for r in status.all_resources() if r.id == vm.resource] if status else []
    here = nodes[0] if nodes and len(nodes[0]) == 1 else ()
    domain = found.names.get(vm.resource, "")
    if not here or not domain:
        return []
    shown = vm_details.details(cluster, user, Where(here[0], domain, vm.hypervisor), found.cib)
    if shown["error"]:
        return Blocker("disks_unreadable", f"the VM's disks could not be read: {shown['error']}")
    disks: list[Json] = shown["disks"]
    return disks


def _drbd_on(cluster: ClusterRef, user: Any, node: str) -> list[DrbdState] | Blocker:
    """DRBD's state on the node, or the blocker saying why it could not be read."""
    try:
        (text,) = engine.run_reads(
            cluster,
            user,
            "read.drbd",
            f"read DRBD's state on {node}",
            [virt.DRBD_STATUS],
            only=node,
        )
        return parse_status_json(text)
    except (PlanFailed, ParseError) as exc:
        return Blocker("drbd_unreadable", f"DRBD's state on {node} could not be read: {exc}")


def migrate(cluster: ClusterRef, user: Any, name: str, body: Body) -> tuple[Change, Plan]:
    """The migration and its plan, after a pre-check that found no blocker
    (MigrationBlocked otherwise)."""
    check = precheck(cluster, user, name, body)
    if check.blockers or check.plan is None:
        raise MigrationBlocked(check)
    return check.change, check.plan


POWER_VERBS = ("start", "stop", "restart")


def vm_power(cluster: ClusterRef, user: Any, name: str, verb: str) -> Change:
    """Start (enable), stop (disable) or restart the VM's resource: Pacemaker starts and
    stops it, never virsh behind its back."""
    if verb not in POWER_VERBS:
        raise NotFound(f"no VM action {verb[:60]!r}")
    vm = _vm(context(cluster, user), name)
    if verb == "start":
        change = changes.resource_enable(vm.resource)
    elif verb == "stop":
        change = changes.resource_disable(vm.resource)
    else:
        change = changes.resource_restart(vm.resource, {})
    return replace(change, kind=f"vm.{verb}", summary=f"{verb} VM {vm.resource}")
