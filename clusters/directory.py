"""The clusters the operations engine may act on (operations/directory.py's Directory):
clusters and their nodes as the database knows them, and users' roles on them, installed
at start-up."""

from __future__ import annotations

from typing import Any

from clusters import access
from clusters.models import Cluster
from clusters.refresh import refresh_status
from hacore.errors import NotFound
from nodes.models import Node
from operations.directory import ClusterRef, Place

MAX_ID = 2**63 - 1  # a bigger id names no row (and would overflow the database's integer)


class ClusterDirectory:
    """Clusters, their nodes and their status, from the database."""

    def cluster(self, cluster_id: int) -> ClusterRef:
        """The cluster with this id, or NotFound."""
        found = (
            Cluster.objects.filter(pk=cluster_id).prefetch_related("nodes").first()
            if 0 < cluster_id <= MAX_ID
            else None
        )
        if found is None:
            raise NotFound(f"no cluster {cluster_id}")
        known = found.pcs_capabilities
        return ClusterRef(
            found.pk,
            found.name,
            tuple(n.name for n in found.nodes.all()),
            found.pcs_version,
            frozenset(known) if known is not None else None,
        )

    def places(self, cluster_id: int, only: str = "", avoid: str = "") -> list[Place]:
        """Nodes with a pinned key: the one the monitor reads from, then online ones."""
        nodes = [
            n
            for n in Node.objects.filter(cluster_id=cluster_id).select_related(
                "cluster__credential"
            )
            if n.host_key and (not only or n.name == only) and n.name != avoid
        ]
        nodes.sort(key=lambda n: (n.name != n.cluster.status_node, n.online is not True))
        return [Place(n.name, n.target()) for n in nodes]

    def refresh(self, cluster_id: int) -> str:
        """Read the status now into the mirror; the node it came from."""
        return refresh_status(Cluster.objects.get(pk=cluster_id)).node

    def level(self, user: Any, cluster_id: int, token: Any = None) -> int:
        """The user's role on the cluster, capped by the token (clusters/access.py)."""
        return access.level(user, cluster_id, token)

    def visible(self, user: Any, token: Any = None) -> frozenset[int] | None:
        """The clusters the user may see through the token (None: all)."""
        return access.visible(user, token)
