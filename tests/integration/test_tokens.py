"""Personal API tokens: shown once, stored hashed, named, expiring, scoped (read-only or
read-write, some clusters), revocable, with their last use; kiosk tokens are read-only
tokens of the same kind that open no API. Tokens made before (DRF's, the kiosk's, in
clear) are hashed by the migration and keep working."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from clusters.models import ApiToken, Cluster, KioskToken
from tests.tokens import token_for

pytestmark = pytest.mark.django_db


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def operator() -> User:
    user = User.objects.create_user("olga", password="olga-pass-123-long")
    user.groups.add(Group.objects.get(name="operators"))
    return user


def test_auth_token_issues_a_hashed_expiring_token_shown_once(cluster: Cluster) -> None:
    operator()
    answer = APIClient().post(
        "/api/v1/auth/token/", {"username": "olga", "password": "olga-pass-123-long"}
    )
    assert answer.status_code == 200
    body = answer.json()
    key = body["token"]
    row = ApiToken.objects.get(pk=body["id"])
    assert len(key) > 40
    assert row.prefix == key[:12], "only the first characters are kept in clear"
    assert key not in f"{row.salt}{row.digest}{row.name}"
    days = (row.expires - timezone.now()).days if row.expires else None
    assert days in (89, 90), "the default expiry: HACONSOLE_TOKEN_DAYS"
    assert with_key(key).get("/api/v1/clusters/").status_code == 200
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bearer.get("/api/v1/whoami/").json()["username"] == "olga"
    listed = with_key(key).get("/api/v1/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [row.pk]
    assert "token" not in listed[0], "never shown again"
    row.refresh_from_db()
    assert row.last_used is not None


@pytest.mark.parametrize(
    "spoil",
    [
        {"revoked": timezone.now()},
        {"expires": timezone.now() - datetime.timedelta(seconds=1)},
    ],
)
def test_revoked_and_expired_tokens_are_refused(spoil: dict[str, Any]) -> None:
    user = operator()
    key = token_for(user)
    assert with_key(key).get("/api/v1/clusters/").status_code == 200, "positive control"
    ApiToken.objects.filter(user=user).update(**spoil)
    assert with_key(key).get("/api/v1/clusters/").status_code == 401


def test_a_token_of_an_inactive_user_is_refused() -> None:
    user = operator()
    key = token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert with_key(key).get("/api/v1/clusters/").status_code == 401


def test_a_read_only_token_changes_nothing(cluster: Cluster) -> None:
    user = operator()
    standby = f"/api/v1/clusters/{cluster.pk}/nodes/node1/standby/?plan=1"
    assert with_key(token_for(user)).post(standby).status_code == 422, "read-write: past"
    read_only = with_key(token_for(user, read_only=True))
    assert read_only.get(f"/api/v1/clusters/{cluster.pk}/").status_code == 200
    assert read_only.post(standby).status_code == 403
    assert read_only.post("/api/v1/clusters/", {}).status_code == 403
    who = read_only.get("/api/v1/whoami/").json()
    assert who["clusters"] == [{"id": cluster.pk, "name": "c1", "role": "viewer"}]


def test_a_token_limited_to_some_clusters_sees_only_those(cluster: Cluster) -> None:
    other = Cluster.objects.create(name="c2", credential=cluster.credential)
    user = operator()
    token = ApiToken(user=user, name="c2 only", all_clusters=False)
    token.save()
    token.clusters.set([other])
    client = with_key(token.key)
    assert [c["name"] for c in client.get("/api/v1/clusters/").json()["results"]] == ["c2"]
    assert client.get(f"/api/v1/clusters/{cluster.pk}/status/").status_code == 404
    assert client.get(f"/api/v1/clusters/{other.pk}/status/").status_code == 200


def test_tokens_are_made_from_a_session_shown_once_and_revoked(cluster: Cluster) -> None:
    user = operator()
    session = APIClient()
    session.force_login(user)
    body = {
        "name": "backup script",
        "scope": "read-only",
        "clusters": [cluster.pk],
        "expires_in_days": 7,
    }
    made = session.post("/api/v1/tokens/", body, format="json")
    assert made.status_code == 201
    issued = made.json()
    assert (issued["read_only"], issued["all_clusters"], issued["clusters"]) == (
        True,
        False,
        [cluster.pk],
    )
    key = issued["token"]
    assert with_key(key).get("/api/v1/clusters/").status_code == 200
    assert with_key(key).post("/api/v1/tokens/", body, format="json").status_code == 403, (
        "a token cannot make tokens"
    )
    assert session.delete(f"/api/v1/tokens/{issued['id']}/").status_code == 204
    assert with_key(key).get("/api/v1/clusters/").status_code == 401
    assert ApiToken.objects.get(pk=issued["id"]).revoked is not None


def test_a_token_cannot_name_clusters_beyond_ones_roles(cluster: Cluster) -> None:
    user = User.objects.create_user("nobody", password="nobody-pass-123")
    session = APIClient()
    session.force_login(user)
    body = {"name": "x", "clusters": [cluster.pk]}
    assert session.post("/api/v1/tokens/", body, format="json").status_code == 400
    user.groups.add(Group.objects.get(name="viewers"))
    assert session.post("/api/v1/tokens/", body, format="json").status_code == 201


def test_one_sees_only_ones_own_tokens() -> None:
    mine, theirs = operator(), User.objects.create_user("tom", password="tom-pass-123-long")
    token_for(theirs)
    key = token_for(mine)
    assert len(with_key(key).get("/api/v1/tokens/").json()["results"]) == 1


def test_a_kiosk_token_opens_the_wall_but_no_api(client: Client, cluster: Cluster) -> None:
    kiosk = KioskToken(name="NOC")
    kiosk.save()
    kiosk.clusters.set([cluster])
    assert client.get(f"/wall/?token={kiosk.key}").status_code == 200
    assert with_key(kiosk.key).get("/api/v1/clusters/").status_code == 401
    row = ApiToken.objects.get(pk=kiosk.pk)
    assert (row.kind, row.read_only, row.all_clusters) == ("kiosk", True, False)


def test_tokens_made_before_are_hashed_and_keep_working(transactional_db: None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("clusters", "0009_cluster_roles")])
    old = executor.loader.project_state([("clusters", "0009_cluster_roles")]).apps
    user = old.get_model("auth", "User").objects.create(username="script")
    credential = old.get_model("nodes", "SshCredential").objects.create(username="root")
    cluster = old.get_model("clusters", "Cluster").objects.create(name="c1", credential=credential)
    wall = old.get_model("clusters", "KioskToken").objects.create(name="NOC", key="k" * 43)
    wall.clusters.add(cluster)
    drf_key = "0123456789abcdef" * 2 + "01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz,"
            " user_id integer)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [drf_key, user.pk])
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(list(executor.loader.graph.leaf_nodes()))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone() == (0,), "no key left in clear"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE authtoken_token")
    assert with_key(drf_key).get("/api/v1/whoami/").json()["username"] == "script"
    assert ApiToken.objects.get(kind="personal").expires is not None, "no longer forever"
    kiosk = KioskToken.active_key("k" * 43)
    assert kiosk is not None
    assert kiosk.cluster_ids() == frozenset({cluster.pk})
