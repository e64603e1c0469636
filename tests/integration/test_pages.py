"""The live pages: each renders the stored status message for its script; the wall's access."""

from __future__ import annotations

import datetime
import html
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from clusters.mirror import apply_status, mark_unreachable
from clusters.models import Cluster, ClusterRole, Event, KioskToken
from hacore.pacemaker.model import (
    ClusterStatus,
    FailedAction,
    FenceEvent,
    NodeStatus,
    OperationRecord,
    ResourceKind,
    ResourceStatus,
    Role,
    Summary,
)
from nodes.models import Node, SshCredential
from tests.statusfactory import in_contact, node, primitive

pytestmark = pytest.mark.django_db
WHEN = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)
NAMES = ("node1", "node2", "node3")


# --- building a cluster and its status -------------------------------------------------


def node_status(name: str, **flags: Any) -> NodeStatus:
    defaults: dict[str, Any] = {
        "is_dc": name == "node1",
        "resources_running": 1,
        "attributes": (("site", "paris"),),
    }
    return node(name, **(defaults | flags))


def promotable_clone() -> ResourceStatus:
    roles = {"node1": Role.PROMOTED, "node2": Role.UNPROMOTED, "node3": Role.UNPROMOTED}
    instances = tuple(
        primitive("db", name, agent="ocf:pacemaker:Stateful", role=role)
        for name, role in roles.items()
    )
    return ResourceStatus(
        id="db-clone",
        kind=ResourceKind.CLONE,
        promotable=True,
        active=True,
        role=Role.PROMOTED,
        nodes=NAMES,
        children=instances,
    )


def web_group(*nodes: str) -> ResourceStatus:
    members = (primitive("web-ip", *nodes), primitive("web-server", *nodes))
    return ResourceStatus(
        id="web", kind=ResourceKind.GROUP, role=Role.STARTED, active=True, children=members
    )


def a_status(*, dummy1_on: tuple[str, ...] = ("node1",), offline: str = "") -> ClusterStatus:
    """Three nodes, a fence device, dummy1, a group, a promotable clone, one failure."""
    summary = Summary(
        stack="corosync",
        dc="node1",
        dc_version="2.1.5",
        quorate=True,
        last_change=WHEN,
        last_change_user="root",
        nodes_configured=3,
        resources_configured=7,
        stonith_enabled=True,
    )
    failure = FailedAction(
        op_key="dummy2_monitor_10000",
        node="node2",
        resource="dummy2",
        task="monitor",
        interval_ms=10000,
        exitstatus="not running",
        exitcode=7,
        exitreason="pid file vanished",
        status="complete",
        call=12,
        last_rc_change=WHEN,
    )
    history = OperationRecord(
        node="node1",
        resource="dummy1",
        task="monitor",
        call=7,
        interval_ms=10000,
        rc=0,
        rc_text="ok",
        last_rc_change=WHEN,
        exec_time_ms=12,
        queue_time_ms=0,
    )
    fenced = FenceEvent("node3", "reboot", "success", "node1", "pacemaker-controld", "node1", WHEN)
    return ClusterStatus(
        summary=summary,
        nodes=tuple(node_status(n, online=n != offline) for n in NAMES),
        resources=(
            primitive("lab-fence", "node1", agent="stonith:fence_haconsole_lab"),
            primitive("dummy1", *dummy1_on),
            primitive("dummy2", "node2", failed=True),
            web_group("node3"),
            promotable_clone(),
        ),
        failures=(failure,),
        history=(history,),
        fence_history=(fenced,),
    )


def make_cluster(name: str, status: ClusterStatus | None = None) -> Cluster:
    """A cluster with a credential and three nodes (keys pinned), its status applied."""
    credential = SshCredential(username="root")
    credential.set_private_key("unused in these tests")
    credential.save()
    cluster = Cluster.objects.create(name=name, credential=credential)
    for i, node_name in enumerate(NAMES, 1):
        node = Node(cluster=cluster, name=node_name, node_id=i, address=f"198.51.100.{10 + i}")
        node.host_key_algorithm, node.host_key = "ssh-ed25519", "AAAA"
        node.host_key_fingerprint = f"SHA256:{name}-key-{i}"
        node.save()
    apply_status(cluster.pk, status or a_status(), "node1")
    in_contact(cluster.pk)
    return cluster


def embedded(page: bytes, element_id: str) -> Any:
    """The JSON a page embedded with json_script."""
    pattern = rf'<script id="{element_id}" type="application/json">(.*?)</script>'
    found = re.search(pattern, page.decode(), re.DOTALL)
    assert found, f"no json_script {element_id}"
    return json.loads(found.group(1))


def script_src(page: bytes) -> list[str]:
    return re.findall(r'<script type="module" src="([^"]+)"', page.decode())


@pytest.fixture
def lab() -> Cluster:
    return make_cluster("lab")


# --- login -----------------------------------------------------------------------------


PAGES = pytest.mark.parametrize(
    "path",
    ["/", "/clusters/{id}/", "/clusters/{id}/nodes/node1/", "/clusters/{id}/resources/dummy1/"],
)


@PAGES
def test_pages_need_login(client: Client, lab: Cluster, path: str) -> None:
    url = path.format(id=lab.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@PAGES
def test_the_same_pages_open_after_login(admin_client: Client, lab: Cluster, path: str) -> None:
    assert admin_client.get(path.format(id=lab.pk)).status_code == 200


def test_wall_without_token_or_login_goes_to_login(client: Client, lab: Cluster) -> None:
    response = client.get("/wall/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/wall/"
    assert client.get(f"/wall/?token={kiosk(lab).key}").status_code == 200


# --- overview --------------------------------------------------------------------------


def test_overview_tiles(admin_client: Client, lab: Cluster) -> None:
    response = admin_client.get("/")
    assert response.status_code == 200
    [tile] = embedded(response.content, "tiles-data")
    assert tile["type"] == "cluster.tile"
    assert "status" not in tile  # the overview gets tiles, not the whole status
    assert tile["cluster"] == {"id": lab.pk, "name": "lab"}
    assert tile["tile"]["nodes_online"] == 3
    assert tile["tile"]["resources_total"] == 8
    assert tile["health"] == "amber"  # a failed action
    assert tile["read_at"]
    members = embedded(response.content, "members-data")
    assert [n["name"] for n in members[str(lab.pk)]] == list(NAMES)
    assert script_src(response.content) == ["/static/frontend/overview.js"]


def test_overview_queries_do_not_grow_with_clusters(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(6):
        make_cluster(f"c{i}", a_status(offline="node3" if i % 2 else ""))
    # 4, and 3 for noting the session's last request (at most every 30 s: idle timeout).
    with django_assert_max_num_queries(7):
        response = admin_client.get("/")
    tiles = embedded(response.content, "tiles-data")
    assert [t["cluster"]["name"] for t in tiles] == [f"c{i}" for i in range(6)]
    assert [t["health"] for t in tiles] == ["amber", "red"] * 3


def test_overview_marks_unreachable(admin_client: Client, lab: Cluster) -> None:
    mark_unreachable(lab.pk, "node1: timeout")
    [tile] = embedded(admin_client.get("/").content, "tiles-data")
    assert tile["reachable"] is False
    assert tile["health"] == "grey", "old data, not a cluster that is down"
    assert tile["read_at"]  # the age of the last data is still there


# --- cluster, node, resource pages -----------------------------------------------------


def test_cluster_page(admin_client: Client, lab: Cluster) -> None:
    apply_status(lab.pk, a_status(dummy1_on=()), "node1")
    response = admin_client.get(f"/clusters/{lab.pk}/")
    assert response.status_code == 200
    message = embedded(response.content, "status-message")
    assert message["type"] == "cluster.status"
    assert message["seq"] == 2
    assert [n["name"] for n in message["status"]["nodes"]] == list(NAMES)
    assert message["status"]["failures"][0]["exitreason"] == "pid file vanished"
    page = embedded(response.content, "page-data")
    assert page["cluster"] == {"id": lab.pk, "name": "lab"}
    assert page["nodes"][0] == {
        "name": "node1",
        "node_id": 1,
        "address": "198.51.100.11",
        "port": 22,
        "fingerprint": "SHA256:lab-key-1",
        "algorithm": "ssh-ed25519",
    }
    assert [e["message"] for e in page["events"]] == ["dummy1 stopped on node1"]
    text = response.content.decode()
    assert "Read state now" in text
    assert f'action="/clusters/{lab.pk}/refresh/"' in text
    assert script_src(response.content) == [
        "/static/frontend/cluster.js",
        "/static/frontend/config.js",
    ]


def test_cluster_page_lists_latest_50_events(admin_client: Client, lab: Cluster) -> None:
    Event.objects.bulk_create(
        Event(cluster=lab, kind="status_read", message=f"read {i}") for i in range(60)
    )
    page = embedded(admin_client.get(f"/clusters/{lab.pk}/").content, "page-data")
    assert len(page["events"]) == 50
    assert page["events"][0]["message"] == "read 59"


def test_cluster_page_escapes_what_it_embeds(admin_client: Client) -> None:
    cluster = make_cluster("</script><b>x")
    text = admin_client.get(f"/clusters/{cluster.pk}/").content.decode()
    assert "</script><b>x" not in text
    assert html.escape("</script><b>x") in text


def test_unknown_cluster_is_404(admin_client: Client, lab: Cluster) -> None:
    assert admin_client.get("/clusters/999999/").status_code == 404
    assert admin_client.get(f"/clusters/{lab.pk}/").status_code == 200


def test_node_page(admin_client: Client, lab: Cluster) -> None:
    response = admin_client.get(f"/clusters/{lab.pk}/nodes/node1/")
    assert response.status_code == 200
    assert embedded(response.content, "page-data")["node"] == "node1"
    message = embedded(response.content, "status-message")
    assert message["status"]["history"][0]["resource"] == "dummy1"
    assert script_src(response.content) == ["/static/frontend/node.js"]
    assert admin_client.get(f"/clusters/{lab.pk}/nodes/node9/").status_code == 404


@pytest.mark.parametrize("rid", ["dummy1", "web", "web-ip", "db-clone", "db", "lab-fence"])
def test_resource_page(admin_client: Client, lab: Cluster, rid: str) -> None:
    response = admin_client.get(f"/clusters/{lab.pk}/resources/{rid}/")
    assert response.status_code == 200
    assert embedded(response.content, "page-data")["resource"] == rid
    assert script_src(response.content) == ["/static/frontend/resource.js"]


def test_unknown_resource_is_404(admin_client: Client, lab: Cluster) -> None:
    assert admin_client.get(f"/clusters/{lab.pk}/resources/nope/").status_code == 404
    assert admin_client.get(f"/clusters/{lab.pk}/resources/dummy1/").status_code == 200


def test_static_scripts_are_served(admin_client: Client) -> None:
    names = ("overview", "cluster", "node", "resource", "wall", "live", "dom", "tiles", "page")
    for name in (*names, "ops", "http", "urls"):
        response = admin_client.get(f"/static/frontend/{name}.js")
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert b"http://" not in body
        assert b"https://" not in body  # no CDN: everything from this console


# --- status wall -----------------------------------------------------------------------


def kiosk(*clusters: Cluster, revoked: bool = False) -> KioskToken:
    token = KioskToken.objects.create(name="NOC wall")
    token.clusters.set(clusters)
    if revoked:
        token.revoked = timezone.now()
        token.save()
    return token


def test_wall_with_token_shows_only_its_clusters(client: Client, lab: Cluster) -> None:
    other = make_cluster("other", a_status(offline="node2"))
    make_cluster("hidden")
    Event.objects.create(cluster=other, kind="node_lost", severity="critical", message="x lost")
    Event.objects.create(cluster=lab, kind="node_lost", severity="critical", message="secret")
    token = kiosk(other)
    response = client.get(f"/wall/?token={token.key}")
    assert response.status_code == 200
    tiles = embedded(response.content, "tiles-data")
    assert [t["cluster"]["name"] for t in tiles] == ["other"]
    assert tiles[0]["health"] == "red"
    assert "status" not in tiles[0]
    wall = embedded(response.content, "wall-data")
    assert wall["token"] == token.key
    assert [e["message"] for e in wall["events"]] == ["x lost"]
    assert script_src(response.content) == ["/static/frontend/wall.js"]


def test_wall_never_shows_controls(client: Client, lab: Cluster) -> None:
    text = client.get(f"/wall/?token={kiosk(lab).key}").content.decode()
    for control in ("<form", "<button", "<a ", "<input", "Log out", "csrfmiddlewaretoken"):
        assert control not in text


@pytest.mark.parametrize("key", ["revoked", "unknown"])
def test_wall_refuses_bad_tokens(client: Client, lab: Cluster, key: str) -> None:
    token = kiosk(lab, revoked=True).key if key == "revoked" else "no-such-token"
    response = client.get(f"/wall/?token={token}")
    assert response.status_code == 403
    assert b"lab" not in response.content.split(b"<body", 1)[1]
    assert b"Access denied" in response.content
    shown = client.get(f"/wall/?token={kiosk(lab).key}")  # the positive control
    assert shown.status_code == 200
    assert b"lab" in shown.content.split(b"<body", 1)[1]


def _wall_of(user: User) -> list[str]:
    client = Client()
    client.force_login(user)
    response = client.get("/wall/")
    assert response.status_code == 200
    assert embedded(response.content, "wall-data")["token"] == ""
    return [t["cluster"]["name"] for t in embedded(response.content, "tiles-data")]


def test_wall_for_a_user_shows_the_clusters_of_their_roles(lab: Cluster) -> None:
    make_cluster("other")
    viewer = User.objects.create_user("viewer", password="viewer-pass-123")
    viewer.groups.add(Group.objects.get(name="viewers"))
    assert _wall_of(viewer) == ["lab", "other"], "viewers: every cluster"
    one = User.objects.create_user("one", password="one-pass-123")
    ClusterRole.objects.create(cluster=lab, user=one, role="operator")
    assert _wall_of(one) == ["lab"], "a role on one cluster: that cluster only"
    nobody = User.objects.create_user("nobody", password="nobody-pass-123")
    assert _wall_of(nobody) == [], "no role: nothing"


def test_wall_state_for_a_token(client: Client, lab: Cluster) -> None:
    other = make_cluster("other")
    Event.objects.create(cluster=other, kind="node_lost", severity="critical", message="x lost")
    Event.objects.create(cluster=lab, kind="node_lost", severity="critical", message="secret")
    response = client.get(f"/wall/state/?token={kiosk(other).key}")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    state = response.json()
    assert [t["cluster"]["name"] for t in state["tiles"]] == ["other"]
    assert "status" not in state["tiles"][0]
    assert [e["message"] for e in state["events"]] == ["x lost"]


def test_wall_state_refuses(client: Client, lab: Cluster) -> None:
    revoked = kiosk(lab, revoked=True).key
    for url in ("/wall/state/", f"/wall/state/?token={revoked}", "/wall/state/?token=nope"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "tiles" not in response.json()
    shown = client.get(f"/wall/state/?token={kiosk(lab).key}")  # the positive control
    assert shown.status_code == 200
    assert [t["cluster"]["name"] for t in shown.json()["tiles"]] == ["lab"]


def test_wall_state_for_a_user(admin_client: Client, lab: Cluster) -> None:
    make_cluster("other")
    state = admin_client.get("/wall/state/").json()
    assert [t["cluster"]["name"] for t in state["tiles"]] == ["lab", "other"]
