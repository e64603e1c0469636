"""The list endpoints at scale: the number of queries a page of a list costs does not grow
with the clusters, nodes, resources, fence devices, events or operations behind it (no
query per row), for an administrator and for a user with roles on some clusters."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from clusters.mirror import apply_status
from clusters.models import Cluster, ClusterRole
from operations.models import Operation, OperationStatus
from tests.integration.test_pages import make_cluster
from tests.statusfactory import fence, node, primitive, status
from tests.tokens import token_for

pytestmark = pytest.mark.django_db
LISTS = (
    "/api/v1/clusters/",
    "/api/v1/resources/",
    "/api/v1/fence-devices/",
    "/api/v1/events/",
    "/api/v1/operations/",
    "/api/v1/resources/?cluster={cluster}&role=Started",
    "/api/v1/events/?cluster={cluster}",
)
MOST_QUERIES = 12  # per list request, whatever the size


def grow(clusters: int, resources: int, first: int = 0) -> list[Cluster]:
    """clusters clusters of three nodes, each with resources primitives (and one fence
    device), their events (every resource started) and three operations."""
    made = []
    for c in range(first, first + clusters):
        cluster = make_cluster(f"c{c:02d}")
        names = ("node1", "node2", "node3")
        prims = [primitive(f"r{i}", names[i % 3]) for i in range(resources)]
        prims.append(primitive("fence-all", "node1", agent="stonith:fence_ipmilan"))
        apply_status(
            cluster.pk,
            status([node(n) for n in names], prims, fence_history=(fence("node2"),)),
            "node1",
        )
        for i in range(3):
            Operation.objects.create(
                cluster=cluster, kind="node.standby", summary=f"standby {i}", change={},
                status=OperationStatus.SUCCEEDED, argv=[["pcs", "node", "standby", "node1"]],
            )  # fmt: skip
        made.append(cluster)
    return made


def queries(client: APIClient, url: str) -> int:
    """The queries one GET of url makes (it must answer 200)."""
    with CaptureQueriesContext(connection) as seen:
        answer = client.get(url)
    assert answer.status_code == 200, (url, answer.content[:300])
    return len(seen)


def counts(client: APIClient, cluster: Cluster) -> dict[str, int]:
    return {url: queries(client, url.format(cluster=cluster.pk)) for url in LISTS}


@pytest.mark.parametrize("who", ["admin", "operator of some"])
def test_list_queries_do_not_grow_with_the_data(
    who: str, django_assert_max_num_queries: Any
) -> None:
    client = APIClient()
    if who == "admin":
        user = User.objects.create_superuser("boss", password="boss-pass-123")
    else:
        user = User.objects.create_user("ops", password="ops-pass-123")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")

    def give_roles(clusters: list[Cluster]) -> None:
        if who != "admin":
            for cluster in clusters[::2]:
                ClusterRole.objects.get_or_create(cluster=cluster, user=user, role="operator")

    small = grow(2, 5)
    give_roles(small)
    client.get("/api/v1/clusters/")  # the token's first use is noted (an UPDATE), once
    before = counts(client, small[0])
    large = grow(18, 55, first=2)  # 20 clusters, over 1,000 resources in all
    give_roles(small + large)
    after = counts(client, small[0])
    assert after == before, "a list costs more queries with more rows behind it"
    for url in LISTS:
        with django_assert_max_num_queries(MOST_QUERIES):
            client.get(url.format(cluster=small[0].pk))


def test_a_limit_or_offset_beyond_any_number_is_capped_not_a_database_error(
    api: APIClient,
) -> None:
    make_cluster("c1")
    huge = "183309500328707940067311616"
    for query in (f"limit={huge}", f"offset={huge}", f"limit={huge}&offset={huge}"):
        answer = api.get(f"/api/v1/clusters/?{query}")
        assert answer.status_code == 200, (query, answer.content)
    assert len(api.get(f"/api/v1/clusters/?limit={huge}").json()["results"]) == 1
    assert api.get(f"/api/v1/clusters/?offset={huge}").json()["results"] == []
