"""A node's guided drain, run by a worker step by step (clusters/drain_service.py starts,
stops, resumes and returns it).

Leaving (phase out): each VM Pacemaker runs on the node live-migrates away, one by one,
through the same pre-check and plan as a migration from the VM card (the first node with
no blocker, or the one the operator named); a VM that cannot move is listed with its
blockers and stopped only with the operator's consent (the drain waits otherwise); then
the node goes to standby, and the drain waits until the cluster settles and checks that
the node runs nothing. The node is then drained: the job waits for its operator.

Returning (phase back): unstandby, wait for the cluster to settle and for every DRBD
volume on the node to be UpToDate; if asked, each VM moves back to the node it left
(recorded when it left); the VMs stopped on the way start again; every move constraint
made on the way is removed (those there before the drain are left alone).

Each step re-reads the cluster before it acts, so a drain stopped, failed or cut short
by a dead worker resumes where the cluster now stands. Every command is recorded on the
drain's one operation; the drain holds its cluster's operation lock while it runs.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from clusters.drain_model import Drain, Phase
from hacore.commands import pacemaker, virt
from hacore.drbd import parse_status_json
from hacore.errors import ConsoleError
from hacore.libvirt import VmConfig
from hacore.pacemaker.constraints import parse_constraints
from hacore.pacemaker.model import ClusterStatus
from hacore.pacemaker.status import parse_crm_mon
from hacore.runner import RemoteError
from nodes import changes as node_changes
from operations import executor
from operations.change import Change
from operations.directory import ClusterRef, directory
from operations.engine import Work, on_cluster, publish_operation, run_async
from operations.errors import OperationError
from operations.models import Operation, Plan
from resources import changes as resource_changes
from resources import constraint_changes, vm_actions
from resources.virt import VmContext, context

T = TypeVar("T")
log = logging.getLogger(__name__)
MOVES = ("cli-prefer-", "cli-ban-")


class Paused(Exception):
    """The drain stops here and waits for its operator; the message says why."""


class Stopped(Exception):
    """The operator asked the drain to stop: it did, between two steps."""


@dataclass
class Job:
    """One run of a drain: its row, its operation, and the publisher of both."""

    drain: Drain
    op: Operation
    cluster: ClusterRef
    publish: Callable[[Drain], None]

    @property
    def node(self) -> str:
        """The node being drained."""
        return self.drain.node

    def save(self) -> None:
        """Store and push the drain and its operation."""
        self.op.save()
        publish_operation(self.op)
        # Never stop_requested: the operator sets it while the job runs.
        self.drain.save(update_fields=["phase", "vms", "steps", "moves_before", "updated"])
        self.publish(self.drain)

    def check_stop(self) -> None:
        """Stopped, if the operator asked since the last step."""
        if Drain.objects.filter(pk=self.drain.pk, stop_requested=True).exists():
            raise Stopped()

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[dict[str, Any]]:
        """One step of the live view: running while the block runs, then done (or what
        the block set), or failed with the error."""
        self.check_stop()
        step: dict[str, Any] = {"title": title, "state": "running", "detail": "", "started": _now()}
        self.drain.steps = [*self.drain.steps, step]
        self.save()
        try:
            yield step
        except Exception as exc:
            step.update(state="failed", detail=str(exc) or type(exc).__name__, finished=_now())
            self.save()
            raise
        if step["state"] == "running":
            step["state"] = "done"
        step["finished"] = _now()
        self.save()

    def run(self, work: Work[T], only: str = "") -> T:
        """Work on a node of the cluster (only: that node; else never the drained one,
        which may go to standby under it), every command recorded on the operation."""

        async def record(step: executor.Step) -> None:
            self.op.record(step)

        places = directory().places(self.cluster.id, only, "" if only else self.node)
        _, result = run_async(on_cluster(places, record, work))
        return result

    def apply(self, change: Change, expected: str | None = None) -> executor.ApplyResult:
        """Make one change of the drain (recorded on its operation)."""
        return self.run(lambda s: executor.apply(s, change.with_secrets(), expected))

    def read(self) -> VmContext:
        """The CIB, crm_mon's status and the VMs, read now."""
        return context(self.cluster, self.drain.user, status=True)

    def status(self) -> ClusterStatus:
        """crm_mon's status, read now (after the cluster settled: no pending action)."""
        timeout = int(settings.DRAIN_SETTLE_TIMEOUT)

        async def work(session: executor.NodeSession) -> str:
            await session.run(pacemaker.settle(timeout), timeout=timeout + 30)
            return (await session.run(pacemaker.CRM_MON_XML)).stdout

        return parse_crm_mon(self.run(work))


def _now() -> str:
    return timezone.now().isoformat()


def vms_on(found: VmContext, node: str) -> list[VmConfig]:
    """The VMs crm_mon shows active on node."""
    status = found.status
    if status is None:
        raise OperationError("crm_mon's status was not read")
    active = {r.id for r in status.all_resources() if r.active and node in r.nodes}
    return [vm for vm in found.configs if vm.resource in active]


def active_on(status: ClusterStatus, node: str) -> list[str]:
    """The resources crm_mon shows active on node."""
    return sorted({r.id for r in status.all_resources() if r.active and node in r.nodes})


def moves(found: VmContext) -> list[str]:
    """The ids of the move constraints (cli-prefer-*, cli-ban-*) in the CIB."""
    return sorted(c.id for c in found.constraints if c.id.startswith(MOVES))


def leave(job: Job) -> None:
    """Phase out: the VMs away, the node in standby and empty; Paused when it is drained
    or when a VM cannot move without the operator's consent to stop it."""
    drain = job.drain
    with job.step(f"find the VMs on {job.node}") as step:
        found = job.read()
        if drain.moves_before is None:
            drain.moves_before = moves(found)
        here = vms_on(found, job.node)
        step["detail"] = ", ".join(vm.resource for vm in here) or "none"
    present = {vm.resource for vm in here}
    for left in drain.vms:
        if left["state"] in ("pending", "blocked") and left["resource"] not in present:
            left.update(state="gone", reason=f"no longer on {job.node} when the drain went on")
    for vm in here:
        if drain.vm(vm.resource) is None:
            record = {"resource": vm.resource, "origin": job.node, "to": "", "reason": ""}
            drain.vms = [*drain.vms, {**record, "state": "pending"}]
        record = drain.vm(vm.resource) or {}
        with job.step(f"live-migrate {vm.resource} away from {job.node}") as step:
            _migrate_away(job, vm, record, step)
    blocked = [v for v in drain.vms if v["state"] == "blocked"]
    if blocked and not drain.stop_unmovable:
        names = ", ".join(f"{v['resource']} ({v['reason']})" for v in blocked)
        raise Paused(
            f"{len(blocked)} VM(s) cannot live-migrate away from {job.node}: {names}. "
            "Resume with consent to stop them, or move them and resume."
        )
    for record in blocked:
        with job.step(f"stop {record['resource']}: it cannot move (stopped with consent)"):
            job.apply(resource_changes.resource_disable(record["resource"]))
            record["state"] = "stopped"
    _standby(job)
    drain.phase = Phase.DRAINED
    raise Paused(
        f"{job.node} is drained: in standby, running nothing. Return it when its work is done."
    )


def _migrate_away(job: Job, vm: VmConfig, record: dict[str, Any], step: dict[str, Any]) -> None:
    """Move one VM to the first node the pre-check passes (or the operator's), recording
    where it went or why it cannot go (the online members as crm_mon shows them now)."""
    status = job.status()
    candidates = (
        [job.drain.to]
        if job.drain.to
        else [
            n.name
            for n in status.nodes
            if n.online and not (n.standby or n.maintenance) and n.name != job.node
        ]
    )
    reasons = []
    for node in candidates:
        check = vm_actions.precheck(job.cluster, job.drain.user, vm.resource, _kept(node))
        if check.blockers or check.plan is None:
            reasons.append(f"{node}: " + "; ".join(b.reason for b in check.blockers))
            continue
        _apply_plan(job, check.change, check.plan)
        _check_moved(job, vm.resource, node)
        record.update(state="moved", to=node, reason="")
        step["detail"] = f"now on {node}"
        return
    record.update(state="blocked", reason=" | ".join(reasons) or "no other node is online")
    step.update(state="blocked", detail=record["reason"])


def _kept(node: str) -> dict[str, Any]:
    """A migration whose move constraint stays until the drain ends: the VM does not
    come back on its own when the node returns (the constraint is removed at the end)."""
    return {"node": node, "keep_constraint": True}


def _check_moved(job: Job, resource: str, node: str) -> None:
    """Once the cluster settled, the resource must run on node alone."""
    found = next((r for r in job.status().all_resources() if r.id == resource), None)
    nodes = list(found.nodes) if found is not None and found.active else []
    if nodes != [node]:
        where = ", ".join(nodes) or "nowhere"
        raise OperationError(f"{resource} runs on {where} after the move, not on {node}")


def _apply_plan(job: Job, change: Change, plan: Plan) -> None:
    """Apply a planned change on the CIB version it was planned on; the plan records that
    the drain's operation applied it."""
    job.apply(change, plan.base_version)
    plan.applied_by = job.op
    plan.save(update_fields=["applied_by"])


def _standby(job: Job) -> None:
    with job.step(f"standby {job.node}") as step:
        status = job.status()
        if _node(status, job.node).standby:
            step["detail"] = "already in standby"
        else:
            job.apply(node_changes.node_standby(job.node))
    with job.step(f"wait until {job.node} runs nothing") as step:
        left = active_on(job.status(), job.node)
        if left:
            raise OperationError(f"still active on {job.node}: {', '.join(left)}")
        step["detail"] = "nothing runs there"


def _node(status: ClusterStatus, name: str) -> Any:
    node = next((n for n in status.nodes if n.name == name), None)
    if node is None:
        raise OperationError(f"crm_mon does not list {name}")
    return node


def come_back(job: Job) -> None:
    """Phase back: unstandby, DRBD UpToDate, VMs back (if asked), stopped VMs started,
    the drain's move constraints removed."""
    drain = job.drain
    with job.step(f"unstandby {job.node}") as step:
        if not _node(job.status(), job.node).standby:
            step["detail"] = "not in standby"
        else:
            job.apply(node_changes.node_unstandby(job.node))
    with job.step("wait for the cluster to settle") as step:
        node = _node(job.status(), job.node)
        step["detail"] = f"{job.node} runs {node.resources_running} resource(s)"
    with job.step(f"wait for DRBD UpToDate on {job.node}") as step:
        step["detail"] = _wait_drbd(job)
    for record in drain.vms:
        if record["state"] == "moved" and drain.move_back and record["origin"] == job.node:
            with job.step(f"live-migrate {record['resource']} back to {job.node}") as step:
                _migrate_back(job, record, step)
        if record["state"] == "stopped":
            with job.step(f"start {record['resource']} again"):
                job.apply(resource_changes.resource_enable(record["resource"]))
                record["state"] = "started"
    with job.step("remove the move constraints made on the way") as step:
        step["detail"] = _clear_moves(job)
    drain.phase = Phase.DONE


def _migrate_back(job: Job, record: dict[str, Any], step: dict[str, Any]) -> None:
    """The VM back to the node it left, once the pre-check passes: the stack under it
    may come back over several transitions, so the pre-check is tried again for
    DRAIN_RETURN_WAIT; after that the VM stays where it is, with the reasons (clones
    that took their instances elsewhere while the node was away stay there)."""
    resource = record["resource"]
    deadline = time.monotonic() + float(settings.DRAIN_RETURN_WAIT)
    while True:
        job.status()  # settled
        check = vm_actions.precheck(job.cluster, job.drain.user, resource, _kept(job.node))
        if (not check.blockers and check.plan is not None) or time.monotonic() > deadline:
            break
        step["detail"] = "waiting: " + "; ".join(b.reason for b in check.blockers)
        job.save()
        job.check_stop()
        time.sleep(float(settings.DRAIN_POLL))
    if check.blockers or check.plan is None:
        record.update(state="stayed", reason="; ".join(b.reason for b in check.blockers))
        step.update(state="blocked", detail=f"stays on {record['to']}: {record['reason']}")
        return
    _apply_plan(job, check.change, check.plan)
    _check_moved(job, resource, job.node)
    record["state"] = "returned"
    step["detail"] = f"now on {job.node}"


def _wait_drbd(job: Job) -> str:
    """Until every DRBD volume on the node is UpToDate (DRAIN_SYNC_TIMEOUT at most)."""
    deadline = time.monotonic() + float(settings.DRAIN_SYNC_TIMEOUT)

    async def work(session: executor.NodeSession) -> str:
        return (await session.run(virt.DRBD_STATUS)).stdout

    while True:
        states = parse_status_json(job.run(work, only=job.node))
        waiting = [
            f"{s.name}/{v.volume}: {v.disk_state}"
            for s in states
            for v in s.volumes
            if v.disk_state != "UpToDate"
        ]
        if not waiting:
            return f"{len(states)} DRBD resource(s) UpToDate" if states else "no DRBD resource here"
        if time.monotonic() > deadline:
            raise OperationError(f"DRBD not UpToDate on {job.node} in time: {', '.join(waiting)}")
        job.check_stop()
        time.sleep(float(settings.DRAIN_POLL))


def _clear_moves(job: Job) -> str:
    """Remove the move constraints on the drain's VMs that were not there before it."""
    drain = job.drain
    ours = {v["resource"] for v in drain.vms}

    async def work(session: executor.NodeSession) -> str:
        return (await session.run(pacemaker.CIB_CONSTRAINTS)).stdout

    made = [
        c.id
        for c in parse_constraints(job.run(work))
        if c.id.startswith(MOVES)
        and c.id not in (drain.moves_before or [])
        and set(c.resources) & ours
    ]
    for cid in made:
        job.apply(constraint_changes.delete(cid))
    return f"removed {', '.join(made)}" if made else "none was left"


def run_phase(job: Job) -> None:
    """Run the drain's current phase to its end (Paused, Stopped or an error otherwise)."""
    try:
        if job.drain.phase == Phase.OUT:
            leave(job)
        elif job.drain.phase == Phase.BACK:
            come_back(job)
    except (Paused, Stopped):
        raise
    except (ConsoleError, RemoteError):
        raise
    except Exception as exc:  # never leave a drain running behind a bug: fail, say why
        log.exception("drain %s failed", job.drain.pk)
        raise OperationError(f"the drain stopped on an unexpected error: {exc}") from exc
