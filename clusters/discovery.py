"""Finding out what a cluster is from one of its nodes (no database here).

The steps follow what an operator does by hand with `ssh`: read the seed node's host
key and let the operator trust it; only then log in and read the cluster name and the
node list; then read every other node's host key for the operator to trust; then check
that each node accepts the key and says the name corosync gave it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace

from hacore.commands import corosync as cmap
from hacore.commands.pacemaker import CRM_NODE_NAME
from hacore.pacemaker import corosync
from hacore.pacemaker.pcs import PcsTools
from hacore.pacemaker.status import ClusterStatus, StatusUnreadable
from hacore.pacemaker.xmlsafe import ParseError
from hacore.reads import ReadFailed, checked, read_pcs, read_status
from hacore.runner import (
    HostKey,
    HostKeyMismatch,
    RemoteError,
    Runner,
    Session,
    Target,
    fetch_host_key,
)


class NotAClusterNode(Exception):
    """The seed answered over SSH but is not a running Pacemaker/Corosync node."""


@dataclass(frozen=True)
class SeenHostKey:
    """A node's address and the host key it presented, and whether the operator trusts it."""

    node: str | None
    address: str
    port: int
    key: HostKey | None
    trusted: bool
    error: str | None = None


@dataclass(frozen=True)
class DiscoveredNode:
    """A node of the discovered cluster, its address and the host key it presented."""

    name: str
    nodeid: int | None
    address: str
    key: HostKey | None
    error: str | None


@dataclass(frozen=True)
class Discovery:
    """The cluster as read from the seed: name, nodes, and crm_mon's view of them."""

    cluster_name: str
    seed_address: str
    nodes: tuple[DiscoveredNode, ...]
    status: ClusterStatus
    pcs: PcsTools | None = None

    @property
    def seed_node(self) -> str:
        """The name of the node that was read (the seed)."""
        return next(
            (n.name for n in self.nodes if n.address == self.seed_address), self.seed_address
        )


def check_trust(
    node: str | None, address: str, port: int, key: HostKey, trusted: Mapping[str, str]
) -> SeenHostKey:
    """Compare a presented key with the fingerprint the operator trusts for that address.

    A different fingerprint for the same address is a mismatch and raises: that is
    never something to ask about, it is refused.
    """
    expected = trusted.get(address) or trusted.get(f"[{address}]:{port}")
    if expected is not None and expected != key.fingerprint:
        raise HostKeyMismatch(f"{address}:{port}", expected, key.fingerprint)
    return SeenHostKey(node, address, port, key, trusted=expected is not None)


async def seed_host_key(
    address: str, port: int, trusted: Mapping[str, str], timeout: float
) -> SeenHostKey:
    """Read the seed's host key and say whether the operator already trusts it."""
    key = await fetch_host_key(address, port, timeout)
    return check_trust(None, address, port, key, trusted)


async def read_cluster(remote: Runner, seed: Target, timeout: float) -> Discovery:
    """Log in to the seed (its key pinned) and read cluster name, nodes and status."""
    session = Session(remote, seed)
    try:
        name_out, nodes_out, status, pcs = await asyncio.gather(
            checked(session, cmap.CMAP_CLUSTER_NAME),
            checked(session, cmap.CMAP_NODELIST),
            read_status(session),
            read_pcs(session),
        )
        name = corosync.cluster_name(name_out.stdout)
        members = corosync.nodelist(nodes_out.stdout)
    except ReadFailed as exc:
        raise NotAClusterNode(f"{seed.address}: {exc.reason}") from exc
    except StatusUnreadable as exc:  # crm_mon answered, in its own words
        raise NotAClusterNode(f"{seed.address}: {exc}") from exc
    except (corosync.CmapError, ParseError) as exc:
        raise NotAClusterNode(f"{seed.address}: unexpected output: {exc}") from exc
    if not members:
        raise NotAClusterNode(f"{seed.address}: corosync's nodelist is empty")
    nodes = await asyncio.gather(*(_node_key(m, seed, timeout) for m in members))
    return Discovery(name, seed.address, tuple(nodes), status, pcs)


async def _node_key(member: corosync.CorosyncNode, seed: Target, timeout: float) -> DiscoveredNode:
    address = member.addresses[0] if member.addresses else member.name
    if address == seed.address and seed.host_key is not None:
        return DiscoveredNode(member.name, member.nodeid, address, seed.host_key, None)
    try:
        key: HostKey | None = await fetch_host_key(address, seed.port, timeout)
        error = None
    except RemoteError as exc:
        key, error = None, exc.reason
    return DiscoveredNode(member.name, member.nodeid, address, key, error)


async def verify_nodes(remote: Runner, targets: Mapping[str, Target]) -> dict[str, str | None]:
    """Log in to each node (pinned key) and check it calls itself by its corosync name.

    Returns node name -> error text, None where the node is fine.
    """

    async def one(name: str, target: Target) -> tuple[str, str | None]:
        try:
            result = await remote.run(target, CRM_NODE_NAME)
        except HostKeyMismatch:
            raise
        except RemoteError as exc:
            return name, exc.reason
        said = result.stdout.strip()
        if not result.ok:
            return name, f"crm_node --name failed: {result.stderr.strip()}"
        if said != name:
            return name, f"the node at {target.address} calls itself {said!r}, not {name!r}"
        return name, None

    pairs = await asyncio.gather(*(one(n, t) for n, t in targets.items()))
    return dict(pairs)


def with_key(target: Target, key: HostKey | None) -> Target:
    """The same target with another pinned host key."""
    return replace(target, host_key=key)
