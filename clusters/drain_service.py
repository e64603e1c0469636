"""A node's drain, as the API and the pages drive it: start, stop, resume, return; and
`run`, the worker's side (clusters/tasks.py), which runs one phase under the cluster's
operation lock (clusters/drain.py has the steps).

One drain at a time per cluster: a second node drained while the first is away could
leave a two-node cluster with nothing to run on. Its operation (kind node.drain) is
queued, running, paused (drained, stopped, or waiting for consent), succeeded (back),
failed or interrupted; a paused, failed or interrupted drain resumes where the cluster
now stands.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from clusters import drain as steps
from clusters.api.serializers import DrainSerializer
from clusters.drain_model import Drain, Phase
from hacore.errors import Conflict, ConsoleError, InvalidInput
from hacore.pacemaker.ids import check_id
from hacore.runner import RemoteError
from operations import lock
from operations.change import OPERATE, Body, Change
from operations.directory import ClusterRef, directory
from operations.engine import finish, lock_wait, publish_operation
from operations.feed import cluster_group, send
from operations.models import Operation, OperationStatus

ACTIVE = (OperationStatus.QUEUED, OperationStatus.RUNNING)
RESUMABLE = (OperationStatus.PAUSED, OperationStatus.FAILED, OperationStatus.INTERRUPTED)


def publish(drain: Drain) -> None:
    """Push the drain's state to its cluster's page."""
    message = {"type": "drain.update", "drain": dict(DrainSerializer(drain).data)}
    send([(cluster_group(drain.cluster_id), message)])


def _flag(body: Body, name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false")
    return value


def _who(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


def start(cluster: ClusterRef, user: Any, node: str, body: Body) -> Drain:
    """Queue a new drain of node (Conflict while another drain of the cluster is not
    done). body: stop_unmovable (consent to stop VMs that cannot move), to (a node)."""
    to = check_id(body["to"], "node") if body.get("to") else ""
    if to == node:
        raise InvalidInput(f"the VMs cannot be moved to {node}, the node being drained")
    if to:
        cluster.node(to)
    stop_unmovable = _flag(body, "stop_unmovable")
    with transaction.atomic():
        busy = (
            Drain.objects.select_for_update()
            .filter(cluster_id=cluster.id)
            .exclude(phase=Phase.DONE)
            .first()
        )
        if busy is not None:
            raise Conflict(
                f"the drain of {busy.node} (#{busy.pk}) is not done: return or resume it first"
            )
        change = Change("node.drain", node, f"drain {node}", OPERATE)
        op = Operation.objects.create(
            cluster_id=cluster.id,
            user=_who(user),
            kind=change.kind,
            target=node,
            summary=change.summary,
            change=change.as_json(),
        )
        drain = Drain.objects.create(
            cluster_id=cluster.id,
            node=node,
            operation=op,
            user=_who(user),
            stop_unmovable=stop_unmovable,
            to=to,
        )
        _queue(drain)
    return drain


def _queue(drain: Drain) -> None:
    """Publish the drain queued and hand it to a worker once committed."""
    publish_operation(drain.operation)
    publish(drain)
    transaction.on_commit(lambda: run_drain.delay(drain.pk))


def _said(drain: Drain, user: Any, what: str) -> None:
    """A line of the live view saying who asked for what, and when."""
    who = getattr(_who(user), "username", "") or "an API client"
    now = timezone.now().isoformat()
    line = {"title": f"{who} asked to {what}", "state": "done", "detail": "", "started": now}
    drain.steps = [*drain.steps, {**line, "finished": now}]


def stop(drain: Drain, user: Any) -> Drain:
    """Ask a queued or running drain to stop after its current step."""
    if drain.operation.status not in ACTIVE:
        raise Conflict(f"the drain of {drain.node} is not running ({drain.operation.status})")
    Drain.objects.filter(pk=drain.pk).update(stop_requested=True)
    drain.stop_requested = True
    publish(drain)
    return drain


def resume(drain: Drain, user: Any, body: Body) -> Drain:
    """Go on with a stopped, failed, interrupted or waiting drain from where the cluster
    now stands; body["stop_unmovable"]: consent to stop the VMs that cannot move."""
    if drain.phase in (Phase.DRAINED, Phase.DONE) or drain.operation.status not in RESUMABLE:
        raise Conflict(
            f"the drain of {drain.node} cannot be resumed ({drain.phase}, "
            f"{drain.operation.status})"
            + (": return the node" if drain.phase == Phase.DRAINED else "")
        )
    if _flag(body, "stop_unmovable"):
        drain.stop_unmovable = True
    _said(drain, user, "resume" + (" and stop what cannot move" if drain.stop_unmovable else ""))
    return _requeue(drain)


def back(drain: Drain, user: Any, body: Body) -> Drain:
    """Bring a drained node back; body["move_back"]: move each VM back to it."""
    if drain.phase != Phase.DRAINED or drain.operation.status not in RESUMABLE:
        raise Conflict(f"{drain.node} is not drained ({drain.phase}, {drain.operation.status})")
    drain.move_back = _flag(body, "move_back")
    drain.phase = Phase.BACK
    _said(drain, user, "return the node" + (" and move its VMs back" if drain.move_back else ""))
    return _requeue(drain)


def _requeue(drain: Drain) -> Drain:
    op = drain.operation
    with transaction.atomic():
        if not Operation.objects.filter(pk=op.pk, status__in=RESUMABLE).update(
            status=OperationStatus.QUEUED, error="", finished=None
        ):
            raise Conflict(f"the drain of {drain.node} changed meanwhile: reload it")
        op.status, op.error, op.finished = OperationStatus.QUEUED, "", None
        drain.stop_requested, drain.note = False, ""
        drain.save()
        _queue(drain)
    return drain


@shared_task(name="clusters.run_drain", acks_late=True, max_retries=0)
def run_drain(drain_id: int) -> str:
    """Run a queued drain's current phase (never twice: only a queued one runs)."""
    return run(drain_id)


def run(drain_id: int) -> str:
    """The worker's side: run the drain's current phase under the cluster's lock (never
    twice: only a queued drain runs); its operation's status after."""
    drain = Drain.objects.select_related("operation", "user").filter(pk=drain_id).first()
    if drain is None:
        return "gone"
    op = drain.operation
    if op.status != OperationStatus.QUEUED:
        return str(op.status)
    held = lock.ClusterLock(op.cluster_id, op.pk)
    if not held.acquire(wait=lock_wait()):
        _end(drain, OperationStatus.FAILED, "another operation held the cluster for too long")
        return str(op.status)
    try:
        with held.kept():
            started = op.started or timezone.now()
            if not Operation.objects.filter(pk=op.pk, status=OperationStatus.QUEUED).update(
                status=OperationStatus.RUNNING, started=started
            ):
                return "skipped"
            op.status, op.started = OperationStatus.RUNNING, started
            publish_operation(op)
            _run(drain)
    finally:
        held.release()
    return str(op.status)


def _run(drain: Drain) -> None:
    job = steps.Job(drain, drain.operation, directory().cluster(drain.cluster_id), publish)
    try:
        steps.run_phase(job)
    except steps.Stopped:
        _end(drain, OperationStatus.PAUSED, "stopped at the operator's request: resume it to go on")
    except steps.Paused as waiting:
        _end(drain, OperationStatus.PAUSED, str(waiting))
    except (ConsoleError, RemoteError) as exc:
        _end(drain, OperationStatus.FAILED, str(exc))
    else:
        _end(drain, OperationStatus.SUCCEEDED, f"{drain.node} is back")


def _end(drain: Drain, status: OperationStatus, note: str) -> None:
    """Close this run: the note on the drain, the status on its operation."""
    drain.note, drain.stop_requested = note, False
    drain.save()
    finish(drain.operation, status, note if status == OperationStatus.FAILED else "")
    publish(drain)
