"""Partitions: when the nodes a console can reach disagree about who is in the cluster.

Each node's crm_mon shows its own partition: the members it sees online, its DC and
whether it has quorum. Read from the watched node and from the nodes it sees offline but
the console can still reach, these views say whether the cluster is split, into what,
and which side the console is reading from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hacore.pacemaker.model import ClusterStatus


@dataclass(frozen=True)
class Partition:
    """One partition as seen from inside it (read_from: the node whose crm_mon said so)."""

    nodes: tuple[str, ...]
    dc: str | None
    quorate: bool | None
    read_from: str

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "nodes": list(self.nodes),
            "dc": self.dc,
            "quorate": self.quorate,
            "read_from": self.read_from,
        }


def partition_of(status: ClusterStatus, read_from: str) -> Partition:
    """The partition read_from is in, from its own crm_mon."""
    members = tuple(sorted(n.name for n in status.nodes if n.online and n.node_type == "member"))
    return Partition(members, status.dc, status.quorate, read_from)


def offline_members(status: ClusterStatus) -> list[str]:
    """The cluster nodes this view does not see online (candidates for another side)."""
    return [n.name for n in status.nodes if not n.online and n.node_type == "member"]


def distinct(views: list[Partition]) -> list[Partition]:
    """The partitions the views show: one per member set (the first view of each kept),
    the watched side first. A view that does not include its own node is not a side."""
    seen: dict[tuple[str, ...], Partition] = {}
    for view in views:
        if view.read_from in view.nodes:
            seen.setdefault(view.nodes, view)
    return list(seen.values())
