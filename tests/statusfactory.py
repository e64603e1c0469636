"""Building ClusterStatus values for tests (the dataclasses crm_mon parsing produces)."""

from __future__ import annotations

import datetime
import time
from dataclasses import replace
from typing import Any

import redis
from django.conf import settings

from clusters import contact
from hacore.pacemaker.model import (
    ClusterStatus,
    FailedAction,
    FenceEvent,
    NodeStatus,
    ResourceKind,
    ResourceStatus,
    Role,
    Summary,
)


def node(name: str, **flags: Any) -> NodeStatus:
    """An online, clean node unless flags say otherwise."""
    base = NodeStatus(
        name=name,
        node_id=name[-1],
        online=True,
        standby=False,
        maintenance=False,
        pending=False,
        unclean=False,
        shutdown=False,
        is_dc=False,
        resources_running=0,
    )
    return replace(base, **flags)


def primitive(
    rid: str, *nodes: str, agent: str = "ocf:heartbeat:Dummy", **extra: Any
) -> ResourceStatus:
    """A primitive active on nodes (stopped when none); extra overrides any field."""
    values: dict[str, Any] = {
        "agent": agent,
        "role": Role.STARTED if nodes else Role.STOPPED,
        "active": bool(nodes),
        "nodes": tuple(nodes),
    }
    return ResourceStatus(id=rid, kind=ResourceKind.PRIMITIVE, **(values | extra))


def clone(rid: str, member: str, roles: dict[str, Role], promotable: bool = True) -> ResourceStatus:
    """A clone of `member` with one instance per node in roles."""
    instances = tuple(
        ResourceStatus(
            id=member,
            kind=ResourceKind.PRIMITIVE,
            agent="ocf:pacemaker:Stateful",
            role=role,
            active=True,
            nodes=(n,),
        )
        for n, role in roles.items()
    )
    return ResourceStatus(
        id=rid,
        kind=ResourceKind.CLONE,
        promotable=promotable,
        active=True,
        nodes=tuple(roles),
        children=instances,
    )


def fence(target: str, status: str = "success", minute: int = 0) -> FenceEvent:
    """A fencing action on target."""
    when = datetime.datetime(2026, 11, 25, 15, minute, tzinfo=datetime.UTC)
    return FenceEvent(
        target=target,
        action="reboot",
        status=status,
        delegate="node1",
        client="pacemaker-controld",
        origin="node1",
        completed=when,
    )


def failure(rid: str, node_name: str, reason: str = "") -> FailedAction:
    """A failed monitor of rid on node_name."""
    return FailedAction(
        op_key=f"{rid}_monitor_10000",
        node=node_name,
        resource=rid,
        task="monitor",
        interval_ms=10000,
        exitstatus="not running",
        exitcode=7,
        exitreason=reason,
        status="complete",
        call=12,
        last_rc_change=None,
    )


def status(
    nodes: list[NodeStatus],
    resources: list[ResourceStatus] | None = None,
    quorate: bool = True,
    dc: str = "node1",
    stonith: bool = True,
    **extra: Any,
) -> ClusterStatus:
    """A cluster status."""
    summary = Summary(
        stack="corosync",
        dc=dc,
        quorate=quorate,
        stonith_enabled=stonith,
        nodes_configured=len(nodes),
    )
    return ClusterStatus(
        summary=summary, nodes=tuple(nodes), resources=tuple(resources or ()), **extra
    )


def lab_like(**changes: Any) -> ClusterStatus:
    """Three nodes, a fence device, dummy1 on node3, dummy2 on node2."""
    base = status(
        [node("node1", is_dc=True), node("node2"), node("node3")],
        [
            primitive("lab-fence", "node1", agent="stonith:fence_haconsole_lab"),
            primitive("dummy1", "node3"),
            primitive("dummy2", "node2"),
        ],
    )
    return replace(base, **changes)


def in_contact(cluster_id: int, node: str = "node1", ago: float = 0.0) -> None:
    """Note a live contact with the cluster ago seconds back, as its watcher does."""
    value = f"{time.time() - ago}|{node}"
    redis.Redis.from_url(settings.REDIS_URL).hset(contact.KEY, str(cluster_id), value)
