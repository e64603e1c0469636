"""Reading a cluster's current state from whichever of its nodes answers first."""

from __future__ import annotations

from dataclasses import dataclass

from clusters.mirror import apply_status, mark_unreachable, publish
from clusters.models import Cluster
from clusters.services import new_pool, record_host_key_mismatch, run_async
from hacore.pacemaker.status import CRM_MON_XML, ClusterStatus, parse_crm_mon
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import HostKeyMismatch, RemoteError
from nodes.models import Node


class ClusterUnreachable(Exception):
    """No node of the cluster answered; the message lists why, node by node."""


@dataclass(frozen=True)
class StatusRead:
    """A status read from one node."""

    node: str
    status: ClusterStatus


async def _read_from(nodes: list[Node]) -> tuple[StatusRead | None, dict[str, Exception]]:
    failures: dict[str, Exception] = {}
    async with new_pool() as pool:
        for node in nodes:
            try:
                result = await pool.run(node.target(), CRM_MON_XML)
                if not result.ok:
                    raise RemoteError(node.address, f"crm_mon failed: {result.stderr.strip()}")
                return StatusRead(node.name, parse_crm_mon(result.stdout)), failures
            except (RemoteError, ParseError) as exc:
                failures[node.name] = exc
    return None, failures


def refresh_status(cluster: Cluster) -> StatusRead:
    """Read crm_mon from the first node that answers and mirror it; raise if none does."""
    nodes = [n for n in cluster.nodes.select_related("cluster__credential") if n.host_key]
    read, failures = run_async(_read_from(nodes))
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
