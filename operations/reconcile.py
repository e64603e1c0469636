"""Operations whose worker died: marked interrupted, then checked against the cluster."""

from __future__ import annotations

from django.utils import timezone

from hacore.runner import RemoteError
from operations import lock
from operations.directory import directory
from operations.engine import PlanFailed, current_version, publish_operation
from operations.models import Operation, OperationStatus


def mark_interrupted() -> list[int]:
    """Running operations that no live worker holds the lock for: now interrupted."""
    found = []
    conn = lock.client()
    for op in Operation.objects.filter(status=OperationStatus.RUNNING, dry_run=False):
        if lock.holder(op.cluster_id, conn) == str(op.pk):
            continue
        interrupted = Operation.objects.filter(pk=op.pk, status=OperationStatus.RUNNING).update(
            status=OperationStatus.INTERRUPTED,
            finished=timezone.now(),
            error="the worker running this operation stopped before it ended",
        )
        if interrupted:
            op.refresh_from_db()
            publish_operation(op)
            found.append(op.pk)
    return found


def reconcile(operation_id: int) -> str:
    """Re-read the cluster (status mirror and CIB version) and say what it shows."""
    op = Operation.objects.get(pk=operation_id)
    try:
        cluster = directory().cluster(op.cluster_id)
        version = current_version(cluster)
        read_from = directory().refresh(op.cluster_id)
    except (RemoteError, PlanFailed) as exc:
        note = f"could not read the cluster to reconcile: {exc}"
    else:
        if not op.cib_before:
            moved = "it is unknown whether the change was made (the run ended before staging)"
        elif version == op.cib_before:
            moved = "the CIB configuration is unchanged: the change was not made"
        else:
            moved = "the CIB configuration changed: check the cluster page for the result"
        note = (
            f"{timezone.now():%Y-%m-%d %H:%M:%S %Z}: read from {read_from}; CIB version "
            f"{version} (before the operation: {op.cib_before or 'not read'}); {moved}"
        )
        op.cib_after = version
    op.reconciliation = note
    op.save(update_fields=["reconciliation", "cib_after"])
    publish_operation(op)
    return note
