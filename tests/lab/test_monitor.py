"""The monitor against the real lab: changes reach the mirror and a WebSocket within 2 s,
a crash reads lost -> fenced -> moved, and losing the watched node is not "cluster down"."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.db import connections

from clusters.models import Cluster, Event
from clusters.services import AddClusterRequest, add_cluster
from console.asgi import application
from nodes.hostkeys import trusted_fingerprints
from nodes.models import Node
from operations.models import Operation
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
async def close_thread_connections() -> AsyncIterator[None]:
    yield
    await sync_to_async(connections.close_all)()


def add_lab(the_lab: Lab) -> Cluster:
    trusted = trusted_fingerprints(None, the_lab.known_hosts)
    req = AddClusterRequest(the_lab.nodes[0].address, 22, "root", the_lab.private_key, trusted)
    return add_cluster(req)


async def wait_for(check: Callable[[], Any], timeout: float, step: float = 0.05) -> float:
    """Poll check() (a sync DB read) until it is true; return how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await sync_to_async(check)():
            return time.monotonic() - started
        await _sleep(step)
    raise AssertionError(f"not true after {timeout} s")


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def watched(cluster_id: int) -> str:
    """Wait until the monitor has read the cluster; the node it reads from."""
    await wait_for(lambda: Cluster.objects.get(pk=cluster_id).status_seq >= 2, 30)
    return str(await sync_to_async(lambda: Cluster.objects.get(pk=cluster_id).status_node)())


async def test_standby_reaches_mirror_and_websocket_within_2s(
    the_lab: Lab, monitor: subprocess.Popen[bytes], admin_user: User
) -> None:
    cluster = await sync_to_async(add_lab)(the_lab)
    await watched(cluster.pk)
    comm = WebsocketCommunicator(
        application, f"/ws/clusters/{cluster.pk}/", headers=[(b"origin", b"https://127.0.0.1:2224")]
    )
    comm.scope["user"] = admin_user
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=5)  # the current state
    try:
        started = time.monotonic()
        await sync_to_async(lab)("exec", "1", "pcs", "node", "standby", "node2")
        seen_by_socket = None
        while seen_by_socket is None:
            message = await comm.receive_json_from(timeout=5)
            if "status" not in message:
                continue  # a heartbeat (cluster.contact) between two statuses
            node2 = next(n for n in message["status"]["nodes"] if n["name"] == "node2")
            if node2["standby"]:
                seen_by_socket = time.monotonic() - started
        assert seen_by_socket < 2.0, seen_by_socket
        assert await sync_to_async(
            lambda: Node.objects.get(cluster=cluster, name="node2").standby
        )()
        assert await sync_to_async(
            Event.objects.filter(cluster=cluster, kind="node_standby", node__name="node2").exists
        )()
    finally:
        await sync_to_async(lab)("exec", "1", "pcs", "node", "unstandby", "node2")
        await comm.disconnect()
    await wait_for(lambda: Node.objects.get(cluster=cluster, name="node2").standby is False, 10)


def where(resource: str) -> str:
    out = lab("exec", "1", "crm_resource", "--locate", "--resource", resource).stdout
    return out.strip().rsplit(" ", 1)[-1] if "is running on" in out else ""


async def test_killed_node_reads_lost_fenced_moved(
    the_lab: Lab, monitor: subprocess.Popen[bytes]
) -> None:
    cluster = await sync_to_async(add_lab)(the_lab)
    reader = await watched(cluster.pk)
    victim = next(n for n in ("node3", "node2") if n != reader)
    number = victim[-1]
    if await sync_to_async(where)("dummy1") != victim:
        await sync_to_async(lab)(
            "exec", "1", "crm_resource", "--move", "--resource", "dummy1", "--node", victim
        )
    try:
        await wait_for(lambda: where("dummy1") == victim, 20, step=0.5)
        await wait_for(lambda: Cluster.objects.get(pk=cluster.pk).snapshot is not None, 5)
        await _sleep(1)
        last = await sync_to_async(lambda: Event.objects.order_by("-id").first())()
        since = last.pk if last else 0
        await sync_to_async(lab)("kill-node", number)
        moved = ["resource_moved", "resource_started"]
        await wait_for(
            lambda: Event.objects.filter(
                cluster=cluster, resource="dummy1", kind__in=moved, pk__gt=since
            ).exists(),
            60,
            step=0.5,
        )
        events = await sync_to_async(
            lambda: list(
                Event.objects.filter(cluster=cluster, pk__gt=since)
                .order_by("id")
                .values_list("kind", "node__name", "resource")
            )
        )()
        assert ("node_lost", victim, "") in events, events
        assert ("node_fenced", victim, "") in events, events
        lost = events.index(("node_lost", victim, ""))
        fenced = events.index(("node_fenced", victim, ""))
        moved_at = next(i for i, (k, _, r) in enumerate(events) if k in moved and r == "dummy1")
        assert lost < fenced < moved_at, events
    finally:
        await sync_to_async(lab)("exec", "1", "crm_resource", "--clear", "--resource", "dummy1")
        await sync_to_async(the_lab.wait_online)(int(number))


async def test_losing_the_watched_node_is_not_cluster_down(
    the_lab: Lab, monitor: subprocess.Popen[bytes]
) -> None:
    cluster = await sync_to_async(add_lab)(the_lab)
    reader = await watched(cluster.pk)
    number = reader[-1]
    try:
        started = time.monotonic()
        await sync_to_async(lab)("kill-node", number)
        await wait_for(
            lambda: Cluster.objects.get(pk=cluster.pk).status_node not in ("", reader), 15
        )
        switched_after = time.monotonic() - started
        assert switched_after < 8, switched_after
        fresh = await sync_to_async(Cluster.objects.get)(pk=cluster.pk)
        assert fresh.reachable is True
        assert not await sync_to_async(
            Event.objects.filter(cluster=cluster, kind="contact_lost").exists
        )()
        assert await sync_to_async(
            Event.objects.filter(cluster=cluster, kind="monitor_switched").exists
        )()
        # the audit summarises the watches: the lost node's ended with why, the new one runs
        watches = await sync_to_async(
            lambda: {
                w.node: w for w in Operation.objects.filter(cluster=cluster, kind="monitor.watch")
            }
        )()
        assert watches[reader].status == "failed"
        assert watches[reader].error
        assert "crm_mon reads" in watches[reader].stdout
        assert watches[fresh.status_node].status == "running"
    finally:
        await sync_to_async(the_lab.wait_online)(int(number))
