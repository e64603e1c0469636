"""Reading a cluster's current state from whichever of its nodes answers first."""

from __future__ import annotations

from dataclasses import dataclass

from clusters.mirror import apply_status, mark_unreachable, publish
from clusters.models import Cluster
from clusters.services import record_host_key_mismatch
from hacore.pacemaker.status import ClusterStatus
from hacore.pacemaker.xmlsafe import ParseError
from hacore.reads import read_status
from hacore.runner import HostKeyMismatch, RemoteError, Session
from nodes.models import Node
from operations.engine import run_async, runner


class ClusterUnreachable(RemoteError):
    """No node of the cluster answered; the message lists why, node by node."""

    def __init__(self, detail: str) -> None:
        super().__init__("cluster", detail)

    def describe(self) -> str:
        """Why, node by node."""
        return self.reason


@dataclass(frozen=True)
class StatusRead:
    """A status read from one node."""

    node: str
    status: ClusterStatus


async def _read_from(nodes: list[Node]) -> tuple[StatusRead | None, dict[str, Exception]]:
    failures: dict[str, Exception] = {}
    async with runner() as remote:
        for node in nodes:
            try:
                status = await read_status(Session(remote, node.target(), node.name))
                return StatusRead(node.name, status), failures
            except (RemoteError, ParseError) as exc:
                failures[node.name] = exc
    return None, failures


def refresh_status(cluster: Cluster) -> StatusRead:
    """Read crm_mon from the first node that answers and mirror it; raise if none does."""
    nodes = [n for n in cluster.nodes.select_related("cluster__credential") if n.host_key]
    read, failures = run_async(_read_from(nodes), fresh=True)  # host keys checked anew
    for node in nodes:
        exc = failures.get(node.name)
        if isinstance(exc, HostKeyMismatch):
            record_host_key_mismatch(node, exc)
    if read is None:
        detail = "; ".join(f"{name}: {exc}" for name, exc in failures.items()) or "no node"
        publish(mark_unreachable(cluster.pk, detail))
        raise ClusterUnreachable(detail)
    publish(apply_status(cluster.pk, read.status, read.node))
    return read
