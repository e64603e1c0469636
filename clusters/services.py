"""Cluster verbs: add a cluster, trust a node's host key, record what was read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncssh
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from clusters.choices import EventKind, Severity
from clusters.discovery import (
    Discovery,
    NotAClusterNode,
    SeenHostKey,
    check_trust,
    read_cluster,
    seed_host_key,
    verify_nodes,
    with_key,
)
from clusters.mirror import apply_status, publish, record_tools
from clusters.models import Cluster, Event
from hacore.errors import ConsoleError
from hacore.runner import (
    AuthenticationFailed,
    HostKey,
    HostKeyMismatch,
    RemoteError,
    Target,
    fetch_host_key,
)
from nodes.models import Node, SshCredential
from operations.engine import run_async, runner

User = AbstractBaseUser | AnonymousUser | None


class AddClusterError(ConsoleError):
    """Adding a cluster failed; `code` is stable for scripts, the message is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class HostKeysUnconfirmed(ConsoleError):
    """Nothing was saved: the operator must first trust these host keys."""

    code = "host_keys_unconfirmed"
    http_status = 409

    def __init__(self, cluster_name: str | None, host_keys: list[SeenHostKey]) -> None:
        super().__init__("confirm the host key fingerprints before the cluster is added")
        self.cluster_name = cluster_name
        self.host_keys = host_keys

    def describe(self) -> str:
        """How to confirm them."""
        return (
            "Confirm these host key fingerprints (check them on the nodes, e.g. "
            "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`), then send the request again "
            "with trusted_fingerprints {address: fingerprint} or known_hosts. Nothing was saved."
        )

    def extra(self) -> dict[str, Any]:
        """The cluster's name (when read) and every node's presented key."""
        keys = [
            {
                "node": s.node,
                "address": s.address,
                "port": s.port,
                "algorithm": s.key.algorithm if s.key else None,
                "fingerprint": s.key.fingerprint if s.key else None,
                "trusted": s.trusted,
                "error": s.error,
            }
            for s in self.host_keys
        ]
        return {"cluster_name": self.cluster_name, "host_keys": keys}


@dataclass(frozen=True)
class AddClusterRequest:
    """What the operator gives: one node's address, SSH user and key, trusted fingerprints."""

    address: str
    port: int
    username: str
    private_key: str
    trusted: Mapping[str, str]


def _user(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None


def add_cluster(req: AddClusterRequest, user: User = None) -> Cluster:
    """Discover the cluster behind req.address and save it, or raise and save nothing."""
    _check_key_readable(req.private_key)
    node = Node.objects.select_related("cluster").filter(address=req.address, port=req.port).first()
    if node is not None:
        raise AddClusterError(
            "duplicate", f"{req.address} is already node {node.name} of cluster {node.cluster}"
        )
    seed = Target(req.address, req.username, req.private_key, None, req.port)
    discovery = run_async(_discover(seed, req.trusted), fresh=True)
    if Cluster.objects.filter(name=discovery.cluster_name).exists():
        raise AddClusterError("duplicate", f"cluster {discovery.cluster_name!r} is already added")
    seen = _trust_all(discovery, req)
    _verify(seed, seen)
    return _save(discovery, seen, req, user)


def _check_key_readable(private_key: str) -> None:
    try:
        asyncssh.import_private_key(private_key)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise AddClusterError("bad_key", f"the SSH private key cannot be read: {exc}") from exc


async def _discover(seed: Target, trusted: Mapping[str, str]) -> Discovery:
    timeout = settings.SSH_CONNECT_TIMEOUT
    try:
        seen = await seed_host_key(seed.address, seed.port, trusted, timeout)
        if not seen.trusted:
            raise HostKeysUnconfirmed(None, [seen])
        async with runner() as remote:
            return await read_cluster(remote, with_key(seed, seen.key), timeout)
    except HostKeyMismatch as exc:
        raise AddClusterError("host_key_mismatch", str(exc)) from exc
    except AuthenticationFailed as exc:
        raise AddClusterError("auth_failed", str(exc)) from exc
    except RemoteError as exc:
        raise AddClusterError("unreachable", str(exc)) from exc
    except NotAClusterNode as exc:
        raise AddClusterError("not_a_cluster_node", str(exc)) from exc


def _trust_all(discovery: Discovery, req: AddClusterRequest) -> list[SeenHostKey]:
    """Each node's presented key against the trusted set; unconfirmed ones stop here."""
    seen: list[SeenHostKey] = []
    for node in discovery.nodes:
        if node.key is None:
            seen.append(SeenHostKey(node.name, node.address, req.port, None, False, node.error))
            continue
        try:
            seen.append(check_trust(node.name, node.address, req.port, node.key, req.trusted))
        except HostKeyMismatch as exc:
            raise AddClusterError("host_key_mismatch", str(exc)) from exc
    if any(s.key is not None and not s.trusted for s in seen):
        raise HostKeysUnconfirmed(discovery.cluster_name, seen)
    return seen


def _verify(seed: Target, seen: list[SeenHostKey]) -> None:
    """Every reachable node must accept the key and answer to its corosync name."""
    targets = {
        s.node or s.address: Target(s.address, seed.username, seed.private_key, s.key, s.port)
        for s in seen
        if s.key is not None
    }
    try:
        problems = run_async(_verify_all(targets), fresh=True)  # a new login on each node
    except HostKeyMismatch as exc:
        raise AddClusterError("host_key_mismatch", str(exc)) from exc
    failed = {name: err for name, err in problems.items() if err}
    if failed:
        detail = "; ".join(f"{name}: {err}" for name, err in sorted(failed.items()))
        raise AddClusterError("node_check_failed", f"nodes failed the login check: {detail}")


async def _verify_all(targets: Mapping[str, Target]) -> dict[str, str | None]:
    async with runner() as remote:
        return await verify_nodes(remote, targets)


@transaction.atomic
def _save(
    discovery: Discovery, seen: list[SeenHostKey], req: AddClusterRequest, user: User
) -> Cluster:
    credential = SshCredential(username=req.username)
    credential.set_private_key(req.private_key)
    credential.public_key = (
        asyncssh.import_private_key(req.private_key).export_public_key("openssh").decode().strip()
    )
    credential.save()
    cluster = Cluster.objects.create(
        name=discovery.cluster_name, credential=credential, added_by=_user(user)
    )
    now = timezone.now()
    by_name = {n.name: n for n in discovery.nodes}
    for entry in seen:
        name = entry.node or entry.address
        node = Node(cluster=cluster, name=name, address=entry.address, port=entry.port)
        node.node_id = by_name[name].nodeid if name in by_name else None
        if entry.key is not None:
            node.pin(entry.key)
            node.host_key_trusted_at, node.host_key_trusted_by = now, _user(user)
        node.save()
    message = apply_status(cluster.pk, discovery.status, discovery.seed_node)
    if discovery.pcs is not None:
        record_tools(cluster.pk, discovery.pcs, discovery.status.summary.dc_version or "")
    transaction.on_commit(lambda: publish(message))
    Event.objects.create(
        cluster=cluster,
        kind=EventKind.CLUSTER_ADDED,
        user=_user(user),
        message=f"cluster {cluster.name} added from {discovery.seed_address} "
        f"with {len(seen)} nodes",
    )
    return cluster


def record_host_key_mismatch(node: Node, exc: HostKeyMismatch) -> None:
    """A node presented another key than the pinned one: keep that on the timeline."""
    Event.objects.create(
        cluster=node.cluster,
        node=node,
        kind=EventKind.HOST_KEY_MISMATCH,
        severity=Severity.CRITICAL,
        message=str(exc),
    )


def trust_host_key(node: Node, fingerprint: str, user: User = None) -> HostKey:
    """Pin the key the node presents now, if it has the fingerprint the operator confirmed."""
    key = run_async(fetch_host_key(node.address, node.port, settings.SSH_CONNECT_TIMEOUT))
    if key.fingerprint != fingerprint:
        raise HostKeyMismatch(f"{node.address}:{node.port}", fingerprint, key.fingerprint)
    previous = node.host_key_fingerprint or "none"
    node.pin(key)
    node.host_key_trusted_at, node.host_key_trusted_by = timezone.now(), _user(user)
    node.save()
    Event.objects.create(
        cluster=node.cluster,
        node=node,
        kind=EventKind.HOST_KEY_TRUSTED,
        user=_user(user),
        message=f"{node.name}: host key {key.fingerprint} trusted (was {previous})",
    )
    return key
