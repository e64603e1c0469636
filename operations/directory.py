"""What the engine needs to know of clusters, without importing the apps above it.

The clusters app provides it at start-up (ClustersConfig.ready -> provide()): which
cluster an id names, where its commands can run (nodes with a pinned host key, as
runner targets, best first), how to re-read its status into the mirror, and which role a
user has on it (operations/access.py asks, clusters/access.py answers). So the engine
depends on this interface, never on clusters/ or nodes/ code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from hacore.errors import NotFound
from hacore.runner import Target


@dataclass(frozen=True)
class ClusterRef:
    """A cluster as the engine and the domain views know it."""

    id: int
    name: str
    nodes: tuple[str, ...]
    pcs_version: str = ""
    capabilities: frozenset[str] | None = None  # None: not read yet

    def has_node(self, name: str) -> bool:
        """Whether the cluster has a node called name."""
        return name in self.nodes

    def node(self, name: str) -> str:
        """name, if the cluster has such a node; else NotFound."""
        if name not in self.nodes:
            raise NotFound(f"no node {name[:60]!r} in cluster {self.name}")
        return name


@dataclass(frozen=True)
class Place:
    """A node commands can run on: its name and how the runner reaches it."""

    name: str
    target: Target


class Directory(Protocol):
    """The clusters the console knows (implemented by clusters/directory.py)."""

    def cluster(self, cluster_id: int) -> ClusterRef:
        """The cluster with this id, or NotFound."""

    def places(self, cluster_id: int, only: str = "", avoid: str = "") -> list[Place]:
        """Where to run: the node the monitor reads from, then online ones, then the
        rest (only: that node alone; avoid: any node but that one); nodes without a
        pinned host key are left out."""

    def refresh(self, cluster_id: int) -> str:
        """Read the cluster's status now into the mirror; the node it was read from
        (a RemoteError if no node answered)."""

    def level(self, user: Any, cluster_id: int, token: Any = None) -> int:
        """The user's role on the cluster as an operations.access.Level value (0: none),
        capped by the token's scope."""

    def visible(self, user: Any, token: Any = None) -> frozenset[int] | None:
        """The ids of the clusters the user (through the token) may see; None: all."""


_provided: list[Directory] = []


def provide(directory: Directory) -> None:
    """Install the directory (the clusters app does it once, at start-up)."""
    _provided[:] = [directory]


def directory() -> Directory:
    """The installed directory."""
    if not _provided:
        raise RuntimeError("no cluster directory: is the clusters app installed?")
    return _provided[0]


def cluster(cluster_id: int) -> ClusterRef:
    """The cluster with this id, or NotFound."""
    return directory().cluster(cluster_id)
