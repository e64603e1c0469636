"""The Celery side of operations: run one, reconcile the ones a dead worker left.

An operation task is never retried: it is acknowledged late, so a message whose worker
died before starting it is delivered again, and the task does nothing unless the
operation is still queued. A worker that dies mid-run leaves the operation running with
no live lock; `mark_interrupted` finds it and `reconcile_operation` reads the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib

from asgiref.sync import sync_to_async
from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from hacore.runner import RemoteError
from operations import executor, lock
from operations.change import Change
from operations.directory import directory
from operations.engine import finish, lock_wait, on_cluster, publish_operation, run_async
from operations.errors import OperationError
from operations.models import Operation, OperationStatus, seal_if_secret
from operations.reconcile import mark_interrupted, reconcile


@shared_task(name="clusters.run_operation", acks_late=True, max_retries=0)
def run_operation(operation_id: int) -> str:
    """Run a queued operation under its cluster's lock; its final status."""
    op = Operation.objects.select_related("plan").filter(pk=operation_id).first()
    if op is None:
        return "gone"  # its cluster was removed before a worker took it
    if op.status != OperationStatus.QUEUED:
        return str(op.status)  # delivered again after a worker died: never run twice
    held = lock.ClusterLock(op.cluster_id, op.pk)
    if not held.acquire(wait=lock_wait()):
        finish(op, OperationStatus.FAILED, "another operation held the cluster for too long")
        return str(op.status)
    try:
        started = timezone.now()
        if not Operation.objects.filter(pk=op.pk, status=OperationStatus.QUEUED).update(
            status=OperationStatus.RUNNING, started=started
        ):
            return "skipped"
        op.status, op.started = OperationStatus.RUNNING, started
        publish_operation(op)
        run_async(_execute(op, held))
    finally:
        held.release()
    return str(op.status)


async def _execute(op: Operation, held: lock.ClusterLock) -> None:
    change = Change.from_json(op.change)
    expected = op.plan.base_version if op.plan is not None else None
    heartbeat = asyncio.create_task(_keep(held))
    save = sync_to_async(_save)

    async def record(step: executor.Step) -> None:
        op.record(step)
        await save(op)

    async def staged_on(base: str) -> None:
        op.cib_before = base
        await save(op)

    try:
        places = await sync_to_async(directory().places)(
            op.cluster_id, change.on_node, change.avoid
        )
        op.node, result = await on_cluster(
            places, record, lambda s: executor.apply(s, change, expected), staged_on
        )
    except (OperationError, RemoteError) as exc:
        await sync_to_async(finish)(op, OperationStatus.FAILED, str(exc))
    else:
        op.cib_before, op.cib_after = result.before, result.after
        op.cib_diff = op.redactor.text(result.diff)
        op.revert_patch = seal_if_secret(result.revert_patch, op.redactor)
        await sync_to_async(finish)(op, OperationStatus.SUCCEEDED)
    finally:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat


def _save(op: Operation) -> None:
    op.save()
    publish_operation(op)


async def _keep(held: lock.ClusterLock) -> None:
    while True:
        await asyncio.sleep(lock.RENEW)
        await asyncio.to_thread(held.renew)


@shared_task(name="clusters.reconcile_operation")
def reconcile_operation(operation_id: int) -> str:
    """Read the cluster an interrupted operation was changing; record what was found."""
    return reconcile(operation_id)


@shared_task(name="clusters.mark_interrupted")
def mark_interrupted_task() -> list[int]:
    """Find running operations whose worker is gone (also run when a worker starts)."""
    found = mark_interrupted()
    for pk in found:
        reconcile_operation.delay(pk)
    return found


@worker_ready.connect
def _on_worker_ready(**_: object) -> None:
    mark_interrupted_task.delay()
