"""Reads run on every node of a cluster at once (libvirt, DRBD: each node has its own
view), recorded as one dry-run operation. A node that cannot be reached or whose command
fails is in the answer with the reason in the tool's own words, never left out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hacore.commands import Argv
from hacore.errors import ConsoleError
from hacore.reads import failure
from hacore.runner import ConnectError, Runner
from operations import engine, executor
from operations.directory import ClusterRef, Place, directory
from operations.models import OperationStatus


class NoNodeRead(ConsoleError):
    """No node could be read: each one's reason, in the tools' own words."""

    code = "failed_on_cluster"
    http_status = 422

    def __init__(self, reasons: str, operation: int) -> None:
        super().__init__(reasons)
        self.operation = operation

    def extra(self) -> dict[str, Any]:
        """The operation that recorded every command."""
        return {"operation": self.operation}


@dataclass(frozen=True)
class NodeRead:
    """One node's answer: the outputs of the commands in order, or why it has none."""

    node: str
    outputs: tuple[str, ...] = ()
    error: str = ""


def run_on_each(
    cluster: ClusterRef, user: Any, kind: str, summary: str, commands: Sequence[Argv]
) -> list[NodeRead]:
    """Run the read-only commands on every node at once; one NodeRead per node.
    NoNodeRead when no node answered (the operation fails with every reason)."""
    op = engine.dry_run(cluster, user, kind, summary)

    async def record(step: executor.Step) -> None:
        op.record(step)

    async def each(remote: Runner, place: Place) -> NodeRead:
        try:
            await remote.connect(place.target)
        except ConnectError as exc:
            return NodeRead(place.name, error=f"not reachable: {exc}")
        session = executor.NodeSession(remote, place.target, record, None, place.name)
        outputs: list[str] = []
        for argv in commands:
            result = await session.run(argv, check=False)
            if not result.ok:
                return NodeRead(place.name, tuple(outputs), failure(result))
            outputs.append(result.stdout)
        return NodeRead(place.name, tuple(outputs))

    places = directory().places(cluster.id)

    async def fan_out() -> list[NodeRead]:
        async with engine.runner() as remote:
            return list(await asyncio.gather(*(each(remote, p) for p in places)))

    reads = engine.run_async(fan_out())
    answered = [r for r in reads if not r.error]
    errors = "; ".join(f"{r.node}: {r.error}" for r in reads if r.error)
    if answered:
        engine.finish(op, OperationStatus.SUCCEEDED, errors)
        return reads
    errors = errors or "no node with a trusted host key to read from"
    engine.finish(op, OperationStatus.FAILED, errors)
    raise NoNodeRead(errors, op.pk)
