"""The engine's verbs for the API: plan a change on a copy of the CIB, or queue it for a
worker. (Running and recording work is engine.py; the worker's side is tasks.py.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from operations import engine, executor, tasks
from operations.change import Change
from operations.directory import ClusterRef
from operations.models import Operation, OperationStatus, Plan


def make_plan(cluster: ClusterRef, change: Change, user: Any) -> Plan:
    """Try the change on a copy of the CIB; PlanFailed if the cluster refuses it."""
    change = change.with_secrets()
    op = engine.dry_run(cluster, user, change.kind, f"plan: {change.summary}", change)
    result = engine.run_on(op, lambda s: executor.plan(s, change))
    op.cib_before, op.cib_diff = result.base, op.redactor.text(result.diff)
    engine.finish(op, OperationStatus.SUCCEEDED)
    return Plan.objects.create(
        cluster_id=cluster.id,
        user=op.user,
        kind=change.kind,
        target=change.target,
        summary=change.summary,
        change=change.as_json(),
        base_version=result.base,
        actions=[a.as_dict() for a in result.actions],
        cib_diff=op.cib_diff,
    )


def enqueue(cluster_id: int, change: Change, user: Any, plan: Plan | None = None) -> Operation:
    """Write the operation (queued) and hand it to a worker once the row is committed."""
    change = change.with_secrets()
    with transaction.atomic():
        op = Operation.objects.create(
            cluster_id=cluster_id,
            user=user if user is not None and user.is_authenticated else None,
            kind=change.kind,
            target=change.target,
            summary=change.summary,
            change=change.as_json(),
            plan=plan,
        )
        if plan is not None:
            plan.applied_by = op
            plan.save(update_fields=["applied_by"])
        # Published before the worker can see the row: "queued" is always the first update.
        engine.publish_operation(op)
        transaction.on_commit(lambda: tasks.run_operation.delay(op.pk))
    return op
