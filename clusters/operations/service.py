"""Plans and operations: validated changes turned into rows, runs and results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from celery import current_app
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clusters.mirror import cluster_group
from clusters.models import Cluster
from clusters.operations import executor
from clusters.operations.changes import Change
from clusters.operations.executor import VERSION_ARGV
from clusters.operations.models import Operation, OperationStatus, Plan
from clusters.operations.serializers import OperationSerializer
from clusters.services import new_pool, run_async
from hacore.pacemaker.cib import cib_version
from hacore.runner import ConnectError, RemoteError
from nodes.models import Node

RUN_TASK = "clusters.run_operation"
T = TypeVar("T")
Work = Callable[[executor.NodeSession], Awaitable[T]]


class PlanFailed(Exception):
    """Making a plan failed on the cluster; the dry-run operation says how."""

    def __init__(self, operation: Operation) -> None:
        super().__init__(operation.error)
        self.operation = operation


class NoNodeAnswers(RemoteError):
    """No node of the cluster could be reached."""


def ordered_nodes(cluster: Cluster, only: str = "") -> list[Node]:
    """The nodes to run on: the one the monitor reads from, then online ones, then others
    (only: that node alone)."""
    nodes = [
        n
        for n in cluster.nodes.select_related("cluster__credential")
        if n.host_key and (not only or n.name == only)
    ]
    return sorted(nodes, key=lambda n: (n.name != cluster.status_node, n.online is not True))


async def on_cluster(
    nodes: list[Node],
    on_step: Callable[[executor.Step], Awaitable[None]],
    work: Work[T],
    on_base: Callable[[str], Awaitable[None]] | None = None,
) -> tuple[str, T]:
    """Run work on the first node that accepts a connection; (node name, result).

    Only connecting moves on to the next node: once a command ran, a failure is final,
    so a change is never made twice.
    """
    failures = []
    async with new_pool() as pool:
        for node in nodes:
            target = node.target()
            try:
                await pool.connection(target)
            except ConnectError as exc:
                failures.append(f"{node.name}: {exc}")
                continue
            session = executor.NodeSession(pool, target, on_step, on_base, node.name)
            return node.name, await work(session)
    raise NoNodeAnswers("cluster", "; ".join(failures) or "no node with a trusted host key")


def make_plan(cluster: Cluster, change: Change, user: Any) -> Plan:
    """Try the change on a copy of the CIB; PlanFailed if the cluster refuses it."""
    op = _dry_run(cluster, user, change.kind, f"plan: {change.summary}", change)
    result = _run_recorded(op, ordered_nodes(cluster), lambda s: executor.plan(s, change))
    op.cib_before, op.cib_diff = result.base, result.diff
    finish(op, OperationStatus.SUCCEEDED)
    return Plan.objects.create(
        cluster=cluster,
        user=user,
        kind=change.kind,
        target=change.target,
        summary=change.summary,
        change=change.as_json(),
        base_version=result.base,
        actions=[a.as_dict() for a in result.actions],
        cib_diff=result.diff,
    )


def run_reads(
    cluster: Cluster, user: Any, kind: str, summary: str, commands: list[list[str]]
) -> list[str]:
    """Run read-only commands, recorded as a dry-run operation; their outputs.

    PlanFailed when one of them fails (the operation has its stderr).
    """

    async def work(session: executor.NodeSession) -> list[str]:
        return [(await session.run(argv)).stdout for argv in commands]

    return run_recorded(cluster, user, kind, summary, work)


def run_recorded(
    cluster: Cluster, user: Any, kind: str, summary: str, work: Work[T], *, only: str = ""
) -> T:
    """Run work on a node (only: that one) as a dry-run operation (reads, backups): its
    result, or PlanFailed with the operation that recorded the failing command."""
    op = _dry_run(cluster, user, kind, summary)
    result = _run_recorded(op, ordered_nodes(cluster, only), work)
    finish(op, OperationStatus.SUCCEEDED)
    return result


def _dry_run(
    cluster: Cluster, user: Any, kind: str, summary: str, change: Change | None = None
) -> Operation:
    """A running dry-run operation row: a plan (with its change) or a read."""
    return Operation.objects.create(
        cluster=cluster,
        user=user,
        kind=kind,
        target=change.target if change else "",
        summary=summary,
        change=change.as_json() if change else {},
        dry_run=True,
        status=OperationStatus.RUNNING,
        started=timezone.now(),
    )


def _run_recorded(op: Operation, nodes: list[Node], work: Work[T]) -> T:
    """Run work on the first node that answers, every step recorded on op; on failure
    op ends failed and PlanFailed is raised (success is left to the caller to close)."""

    async def record(step: executor.Step) -> None:
        op.record(step)

    try:
        op.node, result = run_async(on_cluster(nodes, record, work))
    except (executor.OperationError, RemoteError) as exc:
        finish(op, OperationStatus.FAILED, str(exc))
        raise PlanFailed(op) from exc
    return result


def current_version(cluster: Cluster, user: Any = None) -> str:
    """The live CIB's configuration version, read from a node now (recorded)."""
    (xml,) = run_reads(cluster, user, "read.version", "read the CIB version", [VERSION_ARGV])
    return cib_version(xml)


def enqueue(cluster: Cluster, change: Change, user: Any, plan: Plan | None = None) -> Operation:
    """Write the operation (queued) and hand it to a worker once the row is committed."""
    with transaction.atomic():
        op = Operation.objects.create(
            cluster=cluster,
            user=user,
            kind=change.kind,
            target=change.target,
            summary=change.summary,
            change=change.as_json(),
            plan=plan,
        )
        if plan is not None:
            plan.applied_by = op
            plan.save(update_fields=["applied_by"])
        transaction.on_commit(lambda: current_app.send_task(RUN_TASK, args=[op.pk]))
    publish_operation(op)
    return op


def finish(op: Operation, status: OperationStatus, error: str = "") -> None:
    """Close the operation with its final status and publish it."""
    op.status = status
    op.error = error
    op.finished = timezone.now()
    op.save()
    publish_operation(op)


def publish_operation(op: Operation) -> None:
    """Push the operation's current state to its cluster's page."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        cluster_group(op.cluster_id), {"type": "operation.update", "operation": operation_json(op)}
    )


def operation_json(op: Operation) -> dict[str, Any]:
    """The API form of an operation (the one serializer)."""
    return dict(OperationSerializer(op).data)


def lock_wait() -> float:
    """How long an operation waits for the one before it on the same cluster."""
    return float(getattr(settings, "OPERATION_LOCK_WAIT", 300.0))
