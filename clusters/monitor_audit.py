"""The monitor's reads in the audit trail, summarised: one row per watch of a node
(which commands, how many reads and probes, from when to when), not one per read."""

from __future__ import annotations

from django.utils import timezone

from operations.models import Operation, OperationStatus

KIND = "monitor.watch"


def open_watch(cluster_id: int, node: str, commands: list[list[str]]) -> int:
    """Start the row of a watch from node; rows a killed monitor left open are closed."""
    Operation.objects.filter(
        cluster_id=cluster_id, kind=KIND, status=OperationStatus.RUNNING
    ).update(
        status=OperationStatus.INTERRUPTED,
        finished=timezone.now(),
        error="the monitor process ended without closing this watch",
    )
    op = Operation.objects.create(
        cluster_id=cluster_id,
        kind=KIND,
        target=node,
        node=node,
        summary=f"monitor watching from {node}",
        change={},
        dry_run=True,
        status=OperationStatus.RUNNING,
        argv=commands,
        started=timezone.now(),
    )
    return op.pk


def note_watch(op_id: int, reads: int, probes: int, ended: bool = False, error: str = "") -> None:
    """Record the counts so far; ended: close the row (error: why the watch stopped)."""
    op = Operation.objects.get(pk=op_id)
    since = f"{op.started:%Y-%m-%d %H:%M:%S %Z}" if op.started else "the start"
    op.stdout = f"{reads} crm_mon reads, {probes} CIB version probes since {since}\n"
    if ended:
        op.status = OperationStatus.FAILED if error else OperationStatus.SUCCEEDED
        op.error = error
        op.finished = timezone.now()
    op.save(update_fields=["stdout", "status", "error", "finished"])
