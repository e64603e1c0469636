"""The role matrix, generated from its one table (operations.access.MATRIX): every route
that touches a cluster, as every role, answers as the table says (none: 404 as if the
cluster did not exist; below the level: 403; at or above it: past the check). Every
route the URLconf has is in the table, every action verb too. Roles given on one
cluster do not reach another.

Nothing here reaches a node: the cluster's nodes have no pinned host key, so a request
that gets past the check fails with 422/502/400, never 401/403/404.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group, User
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from clusters.models import Cluster, ClusterRole, Drain
from console.asgi import application
from fencing.api.actions import DeviceActionView
from nodes.changes import NODE_ACTIONS
from operations.access import (
    FENCE_VERBS,
    MATRIX,
    NODE_VERBS,
    RESOURCE_VERBS,
    VM_VERBS,
    Level,
    route_key,
)
from operations.api.base import ClusterView
from operations.change import OPERATE
from operations.models import Operation, Plan
from resources.changes import RESOURCE_ACTIONS
from resources.models import Resource
from tests.sockets import refusal

pytestmark = pytest.mark.django_db

ROLES = {
    "none": Level.NONE,
    "viewer": Level.VIEWER,
    "operator": Level.OPERATOR,
    "admin": Level.ADMIN,
    "superuser": Level.ADMIN,
}
GROUP = {"viewer": "viewers", "operator": "operators", "admin": "administrators"}
HTTP_KEYS = sorted(k for k in MATRIX if not k.startswith("WS "))


def user_as(role: str, name: str | None = None) -> User:
    """A user with the role on every cluster (through the global group)."""
    name = name or f"u-{role}"
    # No password: hashing one costs more than a whole request here (force_login is used).
    user = User.objects.create(username=name, is_superuser=role == "superuser")
    if role in GROUP:
        user.groups.add(Group.objects.get(name=GROUP[role]))
    return user


@pytest.fixture
def world(cluster: Cluster) -> dict[str, Any]:
    """What the routes name: the cluster, a resource, a plan, an operation."""
    Resource.objects.create(
        cluster=cluster, rid="dummy1", kind="primitive", confirmed=timezone.now()
    )
    change = {
        "kind": "node.standby",
        "target": "node2",
        "summary": "standby node2",
        "permission": OPERATE,
        "stage": [["node", "standby", "node2"]],
        "live": [],
    }
    plan = Plan.objects.create(
        cluster=cluster,
        kind="node.standby",
        summary="standby node2",
        change=change,
        base_version="0:1",
    )
    op = Operation.objects.create(cluster=cluster, kind="node.standby", summary="s", change=change)
    away = Operation.objects.create(cluster=cluster, kind="node.drain", summary="d", change={})
    Drain.objects.create(cluster=cluster, node="node1", operation=away)
    return {"cluster": cluster, "plan": plan.pk, "operation": op.pk}


def url_of(key: str, world: dict[str, Any]) -> tuple[str, str]:
    """The method and the URL a MATRIX key names, in this world."""
    method, template = key.split(" ", 1)
    cluster_id = (
        world["operation"] if template.startswith("/api/v1/operations/") else (world["cluster"].pk)
    )
    path = template.format(
        id=cluster_id,
        name="node1",
        rid="dummy1",
        res="r0",
        agent="ocf:heartbeat:Dummy",
        cid="c1",
        gid="g1",
        dev="fence1",
        plan_id=world["plan"],
    )
    query = "?plan=1" if method in ("POST", "DELETE") and path.startswith("/api/") else ""
    return method, path + query


def answer(client: APIClient, method: str, url: str) -> int:
    send = getattr(client, method.lower())
    return int(
        send(url, {}, format="json").status_code if method != "GET" else send(url).status_code
    )


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("key", HTTP_KEYS)
def test_role_matrix(world: dict[str, Any], role: str, key: str) -> None:
    client = APIClient()
    client.force_login(user_as(role))
    method, url = url_of(key, world)
    status = answer(client, method, url)
    if ROLES[role] >= MATRIX[key]:
        assert status not in (401, 403, 404), f"{role} refused {status} on {key}"
    elif ROLES[role] == Level.NONE:
        assert status == 404, f"no role must look like no cluster: {status} on {key}"
    else:
        assert status == 403, f"{role} got {status} on {key}, needs {MATRIX[key].role}"


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


VERBS: dict[str, Mapping[str, object]] = {
    "nodes": NODE_VERBS,
    "resources": RESOURCE_VERBS,
    "fence-devices": FENCE_VERBS,
    "vms": dict.fromkeys(VM_VERBS),
}


def test_every_cluster_route_and_action_is_in_the_table() -> None:
    assert set(NODE_ACTIONS) == set(NODE_VERBS)
    assert set(RESOURCE_ACTIONS) == set(RESOURCE_VERBS)
    missing = []
    for route, callback in _routes(get_resolver()):
        view = getattr(callback, "cls", None)
        if view is None or not issubclass(view, ClusterView):
            continue
        for method in ("get", "post", "delete"):
            if not hasattr(view, method):
                continue
            if "<str:verb>" in route:
                kind = next(k for k in VERBS if f"/{k}/" in route)
                keys = [route_key(method, route, {"verb": v}) for v in VERBS[kind]]
            else:
                keys = [route_key(method, route, {})]
            missing += [k for k in keys if k not in MATRIX]
    assert missing == []
    assert DeviceActionView.post is not None


def test_a_role_on_one_cluster_does_not_reach_another(world: dict[str, Any]) -> None:
    mine = world["cluster"]
    other = Cluster.objects.create(name="c2", credential=mine.credential)
    user = user_as("none", "alice")
    ClusterRole.objects.create(cluster=mine, user=user, role="operator")
    client = APIClient()
    client.force_login(user)
    standby = "/api/v1/clusters/{}/nodes/node1/standby/?plan=1"
    assert answer(client, "POST", standby.format(mine.pk)) == 422, "past the check: no node"
    assert answer(client, "POST", standby.format(other.pk)) == 404, "nothing on the other"
    assert [c["name"] for c in client.get("/api/v1/clusters/").json()["results"]] == ["c1"]
    who = client.get("/api/v1/whoami/").json()
    assert (who["role"], who["clusters"]) == (
        "none",
        [{"id": mine.pk, "name": "c1", "role": "operator"}],
    )


def test_a_group_role_on_one_cluster(world: dict[str, Any]) -> None:
    mine = world["cluster"]
    team = Group.objects.create(name="team-c1")
    user = user_as("none", "bob")
    user.groups.add(team)
    client = APIClient()
    client.force_login(user)
    fence = f"/api/v1/clusters/{mine.pk}/nodes/node1/fence/?plan=1"
    assert answer(client, "POST", fence) == 404
    ClusterRole.objects.create(cluster=mine, group=team, role="admin")
    assert answer(client, "POST", fence) == 400, "admin now: past the check (confirm missing)"


def test_lists_show_only_the_clusters_of_ones_roles(world: dict[str, Any]) -> None:
    client = APIClient()
    client.force_login(user_as("none"))
    for path in ["/api/v1/clusters/", "/api/v1/resources/", "/api/v1/operations/"]:
        assert client.get(path).json()["results"] == [], path
    client.force_login(user_as("viewer"))
    shown = {"/api/v1/clusters/": 1, "/api/v1/resources/": 1, "/api/v1/operations/": 2}
    for path, count in shown.items():  # the world's operations: a standby and a drain
        assert len(client.get(path).json()["results"]) == count, path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("role", "opens"), [("none", False), ("viewer", True)])
async def test_cluster_socket_needs_a_viewer(world: dict[str, Any], role: str, opens: bool) -> None:
    user = await sync_to_async(user_as)(role)
    comm = WebsocketCommunicator(
        application,
        f"/ws/clusters/{world['cluster'].pk}/",
        headers=[(b"origin", b"https://127.0.0.1:2224"), (b"host", b"127.0.0.1:2224")],
    )
    comm.scope["user"] = user
    code = await refusal(comm)
    assert code == (None if opens else 4403)
    await comm.disconnect()


def test_the_page_shows_ones_role_and_only_what_it_allows(world: dict[str, Any]) -> None:
    cluster_id = world["cluster"].pk
    client = APIClient()
    client.force_login(user_as("viewer"))
    page = client.get(f"/clusters/{cluster_id}/").content.decode()
    assert "Your role: <strong>viewer</strong>" in page
    assert "Read state now" not in page
    assert "New resource" not in page
    client.force_login(user_as("admin"))
    page = client.get(f"/clusters/{cluster_id}/").content.decode()
    assert "Your role: <strong>admin</strong>" in page
    assert "Read state now" in page
    assert "New resource" in page
