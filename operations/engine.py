"""Running work on a cluster and recording it: the engine's one path to the nodes.

`on_cluster` runs work on the first node that accepts a connection (never on a second
once a command ran there); `run_recorded` does it as a dry-run Operation row (plans,
reads, downloads) whose every command is kept; `finish` closes an operation and pushes it
to the cluster's page. The runner is made by `runner()` (the SSH pool from settings;
tests install a scripted one with `use_runner`). With `SSH_WARM`, work runs on the
process's warm loop and borrows its pool (operations/warm.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hacore.commands.pacemaker import CIB_VERSION
from hacore.errors import ConsoleError
from hacore.pacemaker.cib import cib_version
from hacore.runner import ConnectError, RemoteError, Runner, SshPool
from operations import executor, warm
from operations.api.serializers import OperationSerializer
from operations.change import SUMMARY_MAX, Change, fit
from operations.directory import ClusterRef, Place, directory
from operations.errors import OperationError, PlanRefused
from operations.feed import cluster_group, send
from operations.models import Operation, OperationStatus

T = TypeVar("T")
Work = Callable[[executor.NodeSession], Awaitable[T]]
Steps = Callable[[executor.Step], Awaitable[None]]


class NoNodeAnswers(RemoteError):
    """No node of the cluster could be reached."""


class PlanFailed(ConsoleError):
    """Work on the cluster failed (a plan, a read); the dry-run operation says how. A plan
    that refused its change (PlanRefused) answers with that refusal's code and fields."""

    code = "failed_on_cluster"
    http_status = 422

    def __init__(self, operation: Operation, cause: Exception | None = None) -> None:
        super().__init__(operation.error)
        self.operation = operation
        self.cause = cause if isinstance(cause, PlanRefused) else None
        if self.cause is not None:
            self.code, self.http_status = self.cause.code, self.cause.http_status

    def extra(self) -> dict[str, Any]:
        """The command's own stderr, and the operation that recorded it."""
        more = self.cause.extra() if self.cause is not None else {}
        return {"stderr": self.operation.stderr, "operation": self.operation.pk, **more}


def new_pool() -> SshPool:
    """An SshPool with the timeouts and limits from settings."""
    return SshPool(
        connect_timeout=settings.SSH_CONNECT_TIMEOUT,
        command_timeout=settings.SSH_COMMAND_TIMEOUT,
        max_channels=settings.SSH_MAX_CHANNELS,
        keepalive=settings.SSH_KEEPALIVE_INTERVAL,
    )


_factories: list[Callable[[], Runner]] = [new_pool]


def runner() -> Runner:
    """A runner for the running event loop (close it, or use it with async with): on
    the warm loop, its kept pool; otherwise a new one from the current factory."""
    here = warm.current()
    if _factories[-1] is new_pool and here is not None and here.running_here():
        return warm.Borrowed(here.pool)
    return _factories[-1]()


@contextlib.contextmanager
def use_runner(factory: Callable[[], Runner]) -> Iterator[None]:
    """Make runner() return factory()'s runners inside the with-block (tests)."""
    _factories.append(factory)
    try:
        yield
    finally:
        _factories.remove(factory)


def run_async(coro: Coroutine[Any, Any, T], *, fresh: bool = False) -> T:
    """Run a coroutine to completion from synchronous code (views, commands, tasks): on
    the process's warm loop when SSH_WARM and the runner is the SSH pool, otherwise on
    a loop of its own.

    fresh: on a loop of its own, so its runners open new connections: for the work that
    checks access itself (adding a cluster, a refresh the operator asked for). A kept
    connection was authenticated when it opened: a node's host key replaced since, or
    the console's key removed from it, shows only on a new handshake.
    """
    if settings.SSH_WARM and _factories[-1] is new_pool and not fresh:
        return warm.warm_loop(new_pool, settings.SSH_IDLE_CLOSE).run(coro)
    return asyncio.run(coro)


async def on_cluster(
    places: Sequence[Place],
    on_step: Steps,
    work: Work[T],
    on_base: Callable[[str], Awaitable[None]] | None = None,
) -> tuple[str, T]:
    """Run work on the first node that accepts a connection; (node name, result).

    Only connecting moves on to the next node: once a command ran, a failure is final,
    so a change is never made twice.
    """
    failures = []
    async with runner() as remote:
        for place in places:
            try:
                await remote.connect(place.target)
            except ConnectError as exc:
                failures.append(f"{place.name}: {exc}")
                continue
            peers = {p.name: p.target for p in places}
            session = executor.NodeSession(
                remote, place.target, on_step, on_base, place.name, peers
            )
            return place.name, await work(session)
    raise NoNodeAnswers("cluster", "; ".join(failures) or "no node with a trusted host key")


def dry_run(
    cluster: ClusterRef, user: Any, kind: str, summary: str, change: Change | None = None
) -> Operation:
    """A running dry-run operation row: a plan (with its change) or a read."""
    return Operation.objects.create(
        cluster_id=cluster.id,
        user=user if user is not None and user.is_authenticated else None,
        kind=kind,
        target=change.target if change else "",
        summary=fit(summary, SUMMARY_MAX),
        change=change.as_json() if change else {},
        dry_run=True,
        status=OperationStatus.RUNNING,
        started=timezone.now(),
    )


def run_on(op: Operation, work: Work[T], only: str = "") -> T:
    """Run work on the first node of op's cluster that answers, every step recorded on op;
    on failure op ends failed and PlanFailed is raised (success is the caller's to close)."""

    async def record(step: executor.Step) -> None:
        op.record(step)

    places = directory().places(op.cluster_id, only)
    try:
        op.node, result = run_async(on_cluster(places, record, work))
    except (OperationError, RemoteError) as exc:
        finish(op, OperationStatus.FAILED, str(exc))
        raise PlanFailed(op, exc) from exc
    return result


def run_recorded(
    cluster: ClusterRef, user: Any, kind: str, summary: str, work: Work[T], *, only: str = ""
) -> T:
    """Run work on a node (only: that one) as a dry-run operation (reads, backups): its
    result, or PlanFailed with the operation that recorded the failing command."""
    op = dry_run(cluster, user, kind, summary)
    result = run_on(op, work, only)
    finish(op, OperationStatus.SUCCEEDED)
    return result


def run_reads(
    cluster: ClusterRef,
    user: Any,
    kind: str,
    summary: str,
    commands: Sequence[Sequence[str]],
    *,
    only: str = "",
) -> list[str]:
    """Run read-only commands (only: on that node), recorded as a dry-run operation;
    their outputs (PlanFailed when one of them fails: the operation has its stderr)."""

    async def work(session: executor.NodeSession) -> list[str]:
        return [(await session.run(argv)).stdout for argv in commands]

    return run_recorded(cluster, user, kind, summary, work, only=only)


def current_version(cluster: ClusterRef, user: Any = None) -> str:
    """The live CIB's configuration version, read from a node now (recorded)."""
    (xml,) = run_reads(cluster, user, "read.version", "read the CIB version", [CIB_VERSION])
    return cib_version(xml)


def finish(op: Operation, status: OperationStatus, error: str = "") -> None:
    """Close the operation with its final status and publish it."""
    op.status = status
    op.error = op.redactor.text(error)
    op.finished = timezone.now()
    op.save()
    publish_operation(op)


def publish_operation(op: Operation) -> None:
    """Push the operation's current state to its cluster's page, numbered: its `seq` goes
    up by one in the database (atomically, whoever publishes), so a page that sees a
    number skipped knows it missed an update and fetches the operation."""
    with transaction.atomic():
        Operation.objects.filter(pk=op.pk).update(seq=F("seq") + 1)
        op.seq = Operation.objects.values_list("seq", flat=True).get(pk=op.pk)
    message = {"type": "operation.update", "operation": dict(OperationSerializer(op).data)}
    send([(cluster_group(op.cluster_id), message)])


def lock_wait() -> float:
    """How long an operation waits for the one before it on the same cluster."""
    return float(settings.OPERATION_LOCK_WAIT)
