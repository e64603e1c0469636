"""The mirror (PostgreSQL) and the WebSocket streams (Channels on the real Redis)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connections
from rest_framework.test import APIClient

from clusters.mirror import (
    apply_partitions,
    apply_status,
    apublish,
    cluster_message,
    mark_unreachable,
    mark_unreadable,
)
from clusters.models import Cluster, Event, KioskToken
from clusters.monitor import MirrorSink
from console.asgi import application
from fencing.models import FenceDevice
from hacore.pacemaker.partitions import Partition
from nodes.models import Node
from operations.engine import publish_operation
from operations.models import Operation, OperationStatus
from resources.models import DrbdDevice, Resource, VirtualMachine
from tests.sockets import refusal
from tests.statusfactory import fence, in_contact, lab_like, node, primitive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def close_thread_connections() -> AsyncIterator[None]:
    """Close the DB connection sync_to_async's thread opened, so the test DB can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


def test_first_read_mirrors_without_events(cluster: Cluster) -> None:
    in_contact(cluster.pk)
    message = apply_status(cluster.pk, lab_like(), "node1")
    assert message["seq"] == 1
    assert message["health"] == "green"
    assert message["tile"]["nodes_online"] == 3
    assert message["events"] == []
    assert Event.objects.count() == 0
    rows = {r.rid: r for r in Resource.objects.filter(cluster=cluster)}
    assert sorted(rows) == ["dummy1", "dummy2", "lab-fence"]
    assert rows["dummy1"].nodes == ["node3"]
    assert rows["dummy1"].active is True
    [device] = FenceDevice.objects.filter(cluster=cluster)
    assert (device.rid, device.agent, device.nodes) == (
        "lab-fence",
        "stonith:fence_haconsole_lab",
        ["node1"],
    )
    assert Node.objects.get(cluster=cluster, name="node1").is_dc is True


def test_changes_become_events_and_rows_follow(cluster: Cluster, api: APIClient) -> None:
    apply_status(cluster.pk, lab_like(), "node1")
    crashed = lab_like(
        nodes=(node("node1", is_dc=True), node("node2"), node("node3", online=False)),
        resources=(
            primitive("lab-fence", "node1", agent="stonith:fence_haconsole_lab"),
            primitive("dummy1", "node2"),
            primitive("dummy2", "node2"),
        ),
        fence_history=(fence("node3"),),
    )
    in_contact(cluster.pk)
    message = apply_status(cluster.pk, crashed, "node1")
    assert message["seq"] == 2
    assert [e["kind"] for e in message["events"]] == ["node_lost", "node_fenced", "resource_moved"]
    assert message["health"] == "red"
    assert Resource.objects.get(cluster=cluster, rid="dummy1").nodes == ["node2"]
    assert Node.objects.get(cluster=cluster, name="node3").online is False
    listed = api.get(f"/api/v1/events/?cluster={cluster.pk}&kind=node_fenced").json()["results"]
    assert [e["message"] for e in listed] == ["node3 fenced (reboot) by node1"]
    assert listed[0]["node"] == "node3"
    by_resource = api.get("/api/v1/events/?resource=dummy1").json()["results"]
    assert [e["kind"] for e in by_resource] == ["resource_moved"]
    snapshot = api.get(f"/api/v1/clusters/{cluster.pk}/status/").json()
    assert snapshot["seq"] == 2
    assert snapshot["status"]["nodes"][2]["online"] is False
    on_node2 = api.get(f"/api/v1/resources/?cluster={cluster.pk}&node=node2").json()["results"]
    assert sorted(r["id"] for r in on_node2) == ["dummy1", "dummy2"]
    devices = api.get("/api/v1/fence-devices/").json()["results"]
    assert [d["id"] for d in devices] == ["lab-fence"]


def test_a_read_writes_only_what_changed_and_confirms_every_row(
    cluster: Cluster, django_assert_max_num_queries: Any
) -> None:
    def many(count: int, moved: int | None = None) -> Any:
        prims = [primitive(f"r{i}", "node3" if i == moved else "node2") for i in range(count)]
        fencing = primitive("lab-fence", "node1", agent="stonith:fence_haconsole_lab")
        return lab_like(resources=(fencing, *prims))

    apply_status(cluster.pk, many(60), "node1")
    before = Resource.objects.get(cluster=cluster, rid="r5").confirmed
    with django_assert_max_num_queries(16):  # not one per resource
        apply_status(cluster.pk, many(60, moved=5), "node1")
    rows = Resource.objects.filter(cluster=cluster)
    assert rows.get(rid="r5").nodes == ["node3"]
    assert len({row.confirmed for row in rows}) == 1
    assert rows.get(rid="r6").confirmed > before
    assert FenceDevice.objects.get(cluster=cluster).confirmed == rows.get(rid="r6").confirmed
    assert {n.status_confirmed for n in Node.objects.filter(cluster=cluster)} == {
        rows.get(rid="r6").confirmed
    }


def test_removed_resource_leaves_the_mirror(cluster: Cluster) -> None:
    apply_status(cluster.pk, lab_like(), "node1")
    apply_status(cluster.pk, lab_like(resources=(primitive("dummy1", "node3"),)), "node1")
    assert list(Resource.objects.filter(cluster=cluster).values_list("rid", flat=True)) == [
        "dummy1"
    ]
    assert not FenceDevice.objects.exists()


def test_unreachable_once_then_regained(cluster: Cluster) -> None:
    apply_status(cluster.pk, lab_like(), "node1")
    lost = mark_unreachable(cluster.pk, "node1: timeout")
    assert lost is not None
    assert lost["reachable"] is False
    assert lost["health"] == "grey", "old data, not a cluster that is down"
    assert lost["warnings"][0]["code"] == "unreachable"
    assert lost["status"]["nodes"]  # the last data is kept, with its age
    assert mark_unreachable(cluster.pk, "again") is None
    back = apply_status(cluster.pk, lab_like(), "node2")
    assert [e["kind"] for e in back["events"]] == ["contact_regained"]
    kinds = list(
        Event.objects.filter(cluster=cluster).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["contact_lost", "contact_regained"]


def communicator(path: str, user: Any = None) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(
        application,
        path,
        headers=[(b"origin", b"https://127.0.0.1:2224"), (b"host", b"127.0.0.1:2224")],
    )
    comm.scope["user"] = user or AnonymousUser()
    return comm


def test_drbd_and_vm_resources_get_their_placeholder_rows(cluster: Cluster) -> None:
    with_guests = lab_like(
        resources=(
            primitive("drbd-r0", "node1", agent="ocf:linbit:drbd"),
            primitive("vm-web", "node2", agent="ocf:heartbeat:VirtualDomain"),
            primitive("dummy1", "node3"),
        )
    )
    apply_status(cluster.pk, with_guests, "node1")
    assert DrbdDevice.objects.get().resource.rid == "drbd-r0"
    assert VirtualMachine.objects.get().resource.rid == "vm-web"
    apply_status(cluster.pk, lab_like(), "node1")  # both gone from the cluster
    assert not DrbdDevice.objects.exists()
    assert not VirtualMachine.objects.exists()


async def test_anonymous_websocket_refused(cluster: Cluster, admin_user: User) -> None:
    for path, code in (
        (f"/ws/clusters/{cluster.pk}/", 4401),
        ("/ws/clusters/", 4401),
        ("/ws/wall/?token=nope", 4403),
    ):
        comm = communicator(path)
        assert await refusal(comm) == code, path
        await comm.disconnect()
    token = await sync_to_async(KioskToken.objects.create)(name="wall")
    for path, user in (
        (f"/ws/clusters/{cluster.pk}/", admin_user),
        ("/ws/clusters/", admin_user),
        (f"/ws/wall/?token={token.key}", None),
    ):
        comm = communicator(path, user)
        connected, _ = await comm.connect()
        assert connected, f"the positive control: {path} with a user or a valid token"
        await comm.disconnect()


async def test_foreign_origin_refused(cluster: Cluster, admin_user: User) -> None:
    comm = WebsocketCommunicator(
        application, f"/ws/clusters/{cluster.pk}/", headers=[(b"origin", b"https://evil.example")]
    )
    comm.scope["user"] = admin_user
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()
    comm = communicator(f"/ws/clusters/{cluster.pk}/", admin_user)  # this console's origin
    assert (await comm.connect())[0]
    await comm.disconnect()


async def test_cluster_stream_sends_current_then_changes(
    cluster: Cluster, admin_user: User
) -> None:
    await sync_to_async(apply_status)(cluster.pk, lab_like(), "node1")
    comm = communicator(f"/ws/clusters/{cluster.pk}/", admin_user)
    connected, _ = await comm.connect()
    assert connected
    first = await comm.receive_json_from(timeout=5)
    assert (first["type"], first["seq"]) == ("cluster.status", 1)
    standby = lab_like(
        nodes=(node("node1", is_dc=True), node("node2", standby=True), node("node3"))
    )
    await apublish(await sync_to_async(apply_status)(cluster.pk, standby, "node1"))
    second = await comm.receive_json_from(timeout=5)
    assert second["seq"] == 2
    assert second["status"]["nodes"][1]["standby"] is True
    assert [e["kind"] for e in second["events"]] == ["node_standby"]
    await comm.disconnect()


async def test_operation_updates_reach_the_cluster_stream(
    cluster: Cluster, admin_user: User
) -> None:
    await sync_to_async(apply_status)(cluster.pk, lab_like(), "node1")
    comm = communicator(f"/ws/clusters/{cluster.pk}/", admin_user)
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=5)  # the current status
    op = await sync_to_async(Operation.objects.create)(
        cluster=cluster, kind="node.standby", target="node2", summary="standby node2", change={}
    )
    op.record(
        {"argv": ["pcs", "node", "standby", "node2"], "exit_status": 0, "stdout": "", "stderr": ""}
    )
    await sync_to_async(publish_operation)(op)
    update = await comm.receive_json_from(timeout=5)
    assert update["type"] == "operation.update"
    assert update["operation"]["id"] == op.pk
    assert update["operation"]["argv"] == [["pcs", "node", "standby", "node2"]]
    # the stream is still open for the next status
    await apublish(await sync_to_async(mark_unreachable)(cluster.pk, "test"))
    assert (await comm.receive_json_from(timeout=5))["type"] == "cluster.status"
    await comm.disconnect()


async def test_operation_updates_are_numbered_from_the_queued_one(
    cluster: Cluster, admin_user: User, api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("operations.tasks.run_operation.delay", lambda *args: None)
    comm = communicator(f"/ws/clusters/{cluster.pk}/", admin_user)
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=5)  # the current status
    answer = await sync_to_async(api.post)(f"/api/v1/clusters/{cluster.pk}/nodes/node2/standby/")
    assert answer.status_code == 202
    queued = (await comm.receive_json_from(timeout=5))["operation"]
    assert (queued["id"], queued["status"], queued["seq"]) == (answer.json()["id"], "queued", 1)
    assert answer.json()["seq"] == 1  # the 202 answer is the queued update
    op = await sync_to_async(Operation.objects.get)(pk=queued["id"])
    op.status = OperationStatus.RUNNING
    await sync_to_async(publish_operation)(op)
    await sync_to_async(publish_operation)(op)
    updates = [(await comm.receive_json_from(timeout=5)) for _ in range(2)]
    assert [u["type"] for u in updates] == ["operation.update"] * 2
    assert [(u["operation"]["status"], u["operation"]["seq"]) for u in updates] == [
        ("running", 2),
        ("running", 3),
    ]
    fetched = await sync_to_async(api.get)(f"/api/v1/operations/{op.pk}/")
    assert fetched.json()["seq"] == 3
    await comm.disconnect()


async def test_wall_token_sees_only_its_clusters(cluster: Cluster) -> None:
    other = await sync_to_async(Cluster.objects.create)(name="c2", credential=cluster.credential)
    token = await sync_to_async(KioskToken.objects.create)(name="wall")
    await sync_to_async(token.clusters.add)(cluster)
    await sync_to_async(apply_status)(cluster.pk, lab_like(), "node1")
    comm = communicator(f"/ws/wall/?token={token.key}")
    connected, _ = await comm.connect()
    assert connected
    tile = await comm.receive_json_from(timeout=5)
    assert tile["type"] == "cluster.tile"
    assert tile["cluster"]["name"] == "c1"
    assert "status" not in tile
    assert await comm.receive_nothing(timeout=0.3)
    await apublish(await sync_to_async(mark_unreachable)(other.pk, "x"))
    assert await comm.receive_nothing(timeout=0.5)  # c2 is not this token's
    await apublish(await sync_to_async(mark_unreachable)(cluster.pk, "x"))
    update = await comm.receive_json_from(timeout=5)
    assert (update["cluster"]["name"], update["health"]) == ("c1", "grey")
    assert update["warnings"][0]["code"] == "unreachable"
    await comm.disconnect()
    token.revoked = token.created
    await sync_to_async(token.save)()
    comm = communicator(f"/ws/wall/?token={token.key}")
    assert await refusal(comm) == 4403
    await comm.disconnect()  # lets the refused consumer end before the loop closes


def test_a_status_without_live_contact_is_stale_and_grey_never_red(cluster: Cluster) -> None:
    crashed = lab_like(
        nodes=(node("node1", is_dc=True), node("node2"), node("node3", online=False))
    )
    in_contact(cluster.pk, ago=30)
    old = apply_status(cluster.pk, crashed, "node1")
    assert old["contact"]["stale"] is True
    assert old["contact"]["node"] == "node1"
    assert old["health"] == "grey", "no contact for 30 s: the console cannot say it is down"
    in_contact(cluster.pk, "node2")
    fresh = cluster_message(Cluster.objects.get(pk=cluster.pk))
    assert fresh["contact"]["stale"] is False
    assert fresh["contact"]["node"] == "node2"
    assert fresh["health"] == "red", "with live contact the lost node is what it is"


async def test_a_heartbeat_reaches_the_cluster_page_and_the_wall(cluster: Cluster) -> None:
    token = await sync_to_async(KioskToken.objects.create)(name="wall")
    await sync_to_async(token.clusters.add)(cluster)
    await sync_to_async(apply_status)(cluster.pk, lab_like(), "node1")
    user = await sync_to_async(User.objects.create_user)("watcher")
    viewers = await sync_to_async(Group.objects.get)(name="viewers")
    await sync_to_async(user.groups.add)(viewers)
    page, wall = (
        communicator(f"/ws/clusters/{cluster.pk}/", user),
        communicator(f"/ws/wall/?token={token.key}"),
    )
    for comm in (page, wall):
        assert (await comm.connect())[0]
        await comm.receive_json_from(timeout=5)  # the current state
    sink = MirrorSink(cluster.pk)
    await sink.contact("node2")
    seq = (await sync_to_async(Cluster.objects.get)(pk=cluster.pk)).status_seq
    assert seq > 0
    for comm in (page, wall):
        beat = await comm.receive_json_from(timeout=5)
        assert beat["type"] == "cluster.contact"
        assert (beat["contact"]["node"], beat["contact"]["stale"]) == ("node2", False)
        # the current status_seq: a page that lost the last status learns it is behind
        assert beat["seq"] == seq
        await comm.disconnect()
    await sink.redis.aclose()


def test_an_unreadable_status_keeps_the_last_good_one_says_why_once_then_recovers(
    cluster: Cluster,
) -> None:
    in_contact(cluster.pk)
    apply_status(cluster.pk, lab_like(), "node1")
    why = "node1: crm_mon failed: Connection to cluster failed: Transport endpoint"
    failed = mark_unreadable(cluster.pk, why)
    assert failed is not None
    assert failed["read_error"] == why
    assert failed["health"] == "grey"
    assert failed["warnings"][0]["code"] == "read_failed"
    assert why in failed["warnings"][0]["message"]
    assert failed["status"]["nodes"], "the last good read stays"
    assert [e["kind"] for e in failed["events"]] == ["read_failed"]
    assert mark_unreadable(cluster.pk, why) is None, "the same failure is recorded once"
    back = apply_status(cluster.pk, lab_like(), "node1")
    assert back["read_error"] is None
    assert [e["kind"] for e in back["events"]] == ["read_recovered"]
    assert back["health"] == "green"


def test_a_split_is_recorded_once_shown_as_critical_and_its_healing_too(cluster: Cluster) -> None:
    in_contact(cluster.pk)
    apply_status(cluster.pk, lab_like(), "node1")
    ours = Partition(("node1", "node2"), "node2", True, "node1")
    theirs = Partition(("node3",), "node3", False, "node3")
    split = apply_partitions(cluster.pk, [ours, theirs])
    assert split is not None
    assert [e["message"] for e in split["events"]] == [
        "split: node1, node2 (DC node2, quorum) | node3 (DC node3, no quorum); reading from node1"
    ]
    assert split["partitions"][1] == {
        "nodes": ["node3"],
        "dc": "node3",
        "quorate": False,
        "read_from": "node3",
    }
    assert split["warnings"][0]["code"] == "split"
    assert "The console reads from node1" in split["warnings"][0]["message"]
    assert apply_partitions(cluster.pk, [ours, theirs]) is None, "recorded once"
    healed = apply_partitions(
        cluster.pk, [Partition(("node1", "node2", "node3"), "node2", True, "node1")]
    )
    assert healed is not None
    assert [e["kind"] for e in healed["events"]] == ["partitions_healed"]
    assert healed["partitions"] == []
    whole = Partition(("node1", "node2"), "node2", True, "node1")
    assert apply_partitions(cluster.pk, [whole]) is None, "a node merely offline is no split"
