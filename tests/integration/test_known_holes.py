"""A regression test for each class of hole pcsd and Hawk have shipped (named after its
CVE), and for each finding of the review behind issue 11. Each fails if the hole is
reopened; each refusal has its positive control beside it. The deeper tests of each
area are named in the docstrings."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import replace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework.test import APIClient

from clusters.mirror import apply_status
from clusters.models import ApiToken, Cluster, KioskToken
from hacore.runner import command_line
from hacore.secrets import DEFAULT
from operations.change import ADMINISTER
from operations.models import Plan
from resources.changes import resource_create
from tests.corpus import CANARY, INJECTION_CORPUS
from tests.integration.test_pages import a_status
from tests.statusfactory import primitive
from tests.tokens import token_for

pytestmark = pytest.mark.django_db


def member_of(group: str, name: str | None = None) -> User:
    user = User.objects.create_user(name or group, password=f"{group}-pass-123-long")
    user.groups.add(Group.objects.get(name=group))
    return user


def logged_in(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


# --- pcsd / Hawk CVE classes -------------------------------------------------------------


def test_cve_2015_1848_session_cookie_is_server_side_and_unforgeable(admin_user: User) -> None:
    """pcsd kept the session in a cookie signed with a weak secret. Here the cookie is a
    random key of a server-side session: a made-up one logs no one in."""
    client = Client()
    response = client.post("/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 302, "positive control: the real login works"
    assert client.get("/").status_code == 200
    forged = Client()
    forged.cookies[settings.SESSION_COOKIE_NAME] = "0" * 32
    assert forged.get("/").status_code == 302


def test_cve_2015_3983_session_cookie_is_not_readable_by_script(admin_user: User) -> None:
    """pcsd's session cookie lacked HttpOnly (and Secure)."""
    response = Client().post("/login/", {"username": "admin", "password": "password"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_cve_2016_0720_csrf(cluster: Cluster) -> None:
    """pcsd accepted cross-site POSTs. A session POST without the CSRF token is refused,
    on the API and on pages; with it, it gets past the check."""
    admin = User.objects.create_superuser("root2", password="root2-pass-123-long")
    strict = logged_in(admin, enforce_csrf_checks=True)
    standby = f"/api/v1/clusters/{cluster.pk}/nodes/node1/standby/?plan=1"
    assert strict.post(standby).status_code == 403
    assert strict.post(f"/clusters/{cluster.pk}/refresh/").status_code == 403
    strict.get("/")  # sets the CSRF cookie
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    assert strict.post(standby, HTTP_X_CSRFTOKEN=token).status_code == 422, "past the check"


def test_cve_2016_0721_session_does_not_survive_logout(admin_user: User) -> None:
    """pcsd's sessions stayed valid after logout. The cookie of a logged-out session
    opens nothing (its WebSockets close too: test_socket_close.py)."""
    client = Client()
    client.post("/login/", {"username": "admin", "password": "password"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/api/v1/whoami/").status_code == 200
    client.post("/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replay.get("/").status_code == 302
    assert replay.get("/api/v1/whoami/").status_code in (401, 403)


def test_cve_2017_2661_xss(admin_client: Client, cluster: Cluster) -> None:
    """pcsd rendered resource names into HTML. Names from the cluster are escaped, every
    page carries a CSP without inline script, and the data reaches scripts as JSON."""
    evil = "</script><script>alert(1)</script>"
    apply_status(cluster.pk, replace(a_status(), resources=(primitive(evil, "node1"),)), "node1")
    page = admin_client.get(f"/clusters/{cluster.pk}/", secure=True)
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content
    assert b"alert(1)" in page.content, "positive control: the name is there, escaped"
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_cve_2018_1079_privilege_escalation_by_rest_call(cluster: Cluster) -> None:
    """pcsd let any user change the cluster through its REST API. A viewer is refused
    every change; an operator cannot apply an administrator's plan; a token cannot
    name clusters beyond its user's roles or mint more tokens."""
    viewer = APIClient()
    viewer.force_login(member_of("viewers"))
    base = f"/api/v1/clusters/{cluster.pk}"
    for url in ["nodes/node1/standby/", "nodes/node1/fence/", "resources/", "properties/"]:
        assert viewer.post(f"{base}/{url}?plan=1", {}, format="json").status_code == 403, url
    assert viewer.get(f"{base}/").status_code == 200, "positive control: reading works"
    plan = Plan.objects.create(
        cluster=cluster,
        kind="resource.delete",
        summary="delete dummy1",
        base_version="0:1",
        change=resource_create("r1", "ocf:pacemaker:Dummy", {}, {}, []).as_json(),
    )
    assert plan.change["permission"] == ADMINISTER
    operator = APIClient()
    operator.force_login(member_of("operators"))
    assert operator.post(f"{base}/plans/{plan.pk}/apply/").status_code == 403
    key = token_for(User.objects.get(username="operators"))
    scoped = APIClient()
    scoped.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert scoped.post("/api/v1/tokens/", {"name": "more"}, format="json").status_code == 403


def test_cve_2018_1086_no_debug_leak(admin_client: Client) -> None:
    """pcsd ran with debug output on. DEBUG is off; a missing page or a bad API call
    shows no traceback, setting or secret."""
    assert settings.DEBUG is False
    for response in [admin_client.get("/no-such-page/"), admin_client.get("/api/v1/nope/")]:
        text = response.content.decode()
        assert response.status_code == 404
        assert "Traceback" not in text
        assert settings.SECRET_KEY not in text
        assert "DATABASES" not in text


def test_cve_2022_1049_expired_accounts(cluster: Cluster) -> None:
    """pcsd let an expired account in. A deactivated user can log in nowhere and their
    tokens stop working; while active, both work."""
    user = member_of("viewers", "ex")
    key = token_for(user)
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token.get("/api/v1/clusters/").status_code == 200
    assert (
        Client().post("/login/", {"username": "ex", "password": "viewers-pass-123-long"})[
            "Location"
        ]
        == "/"
    )
    user.is_active = False
    user.save()
    assert token.get("/api/v1/clusters/").status_code == 401
    refused = Client().post("/login/", {"username": "ex", "password": "viewers-pass-123-long"})
    assert refused.status_code == 200, "the login form again"
    issued = APIClient().post(
        "/api/v1/auth/token/", {"username": "ex", "password": "viewers-pass-123-long"}
    )
    assert issued.status_code == 400


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_cve_2020_35458_35459_shell_injection(hostile: str) -> None:
    """Hawk passed user input to a shell. Every value is one argv element, joined with
    shlex in one place: the remote shell gets it back as one word, runs nothing (the
    lab version, tests/lab/test_injection_lab.py, checks a canary on the nodes)."""
    if len(hostile) > 4096:
        pytest.skip("longer than an attribute value may be (refused: 400)")
    argv = resource_create("r1", "ocf:pacemaker:Dummy", {"p": hostile}, {}, []).stage[0]
    assert f"p={hostile}" in argv
    line = command_line(argv)
    assert shlex.split(line) == list(argv)


def test_cve_2020_35458_the_shell_runs_nothing(tmp_path: Any) -> None:
    """The joined line, given to a real shell, runs nothing of the corpus."""
    canary = tmp_path / "canary"
    values = [v.replace(CANARY, str(canary)) for v in INJECTION_CORPUS]
    line = command_line(["printf", "%s\\0", *values])
    out = subprocess.run(["sh", "-c", line], capture_output=True, check=True).stdout
    assert out.decode().split("\0")[:-1] == values
    assert not canary.exists()


def test_monitor_endpoint_echoing_any_origin(api: APIClient, cluster: Cluster) -> None:
    """A pcsd monitor endpoint echoed any Origin in Access-Control-Allow-Origin. No
    answer here allows another origin (WebSockets: test_socket_close.py)."""
    for path in ["/api/v1/clusters/", f"/api/v1/clusters/{cluster.pk}/status/", "/wall/state/"]:
        response = api.get(path, HTTP_ORIGIN="https://evil.example")
        assert "Access-Control-Allow-Origin" not in response, path


# --- the review's findings --------------------------------------------------------------


def test_finding_1_fence_passwords_are_not_readable() -> None:
    """tests/integration/test_secrets.py plants one and greps every answer, page, export,
    log, event, row and backup; here: what a parameter is named decides."""
    assert DEFAULT.params({"password": "s3", "ip": "10.0.0.1"}) == {
        "password": "***",
        "ip": "10.0.0.1",
    }


def test_finding_2_tokens_are_hashed_and_expire(admin_user: User) -> None:
    """The data directory is private: tests/integration/test_headers_and_files.py."""
    key = token_for(admin_user, expires=None)
    row = ApiToken.objects.get(user=admin_user)
    assert key not in (row.digest, row.salt)
    issued = APIClient().post("/api/v1/auth/token/", {"username": "admin", "password": "password"})
    assert ApiToken.objects.get(pk=issued.json()["id"]).expires is not None


def test_finding_3_login_paths_are_throttled(admin_user: User) -> None:
    """All three paths: tests/integration/test_login_throttle.py."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/api/v1/auth/token/", {"username": "admin", "password": "x"})
    right = Client().post("/api/v1/auth/token/", {"username": "admin", "password": "password"})
    assert right.status_code == 429


def test_finding_4_a_revoked_kiosk_token_opens_nothing(client: Client, cluster: Cluster) -> None:
    """Open sockets close too: tests/integration/test_socket_close.py."""
    token = KioskToken(name="NOC")
    token.save()
    token.clusters.set([cluster])
    assert client.get(f"/wall/state/?token={token.key}").status_code == 200
    token.revoke()
    assert client.get(f"/wall/state/?token={token.key}").status_code == 403


def test_finding_5_page_refresh_needs_a_role(cluster: Cluster) -> None:
    """The whole matrix: tests/integration/test_role_matrix.py."""
    viewer = logged_in(member_of("viewers"))
    assert viewer.post(f"/clusters/{cluster.pk}/refresh/").status_code == 403
    operator = logged_in(member_of("operators"))
    assert operator.post(f"/clusters/{cluster.pk}/refresh/").status_code == 302


def test_finding_6_headers_and_idle_timeout(admin_client: Client) -> None:
    """tests/integration/test_headers_and_files.py."""
    response = admin_client.get("/", secure=True)
    assert "Strict-Transport-Security" in response
    assert "Content-Security-Policy" in response
    assert settings.SESSION_IDLE_TIMEOUT == 1800


def test_finding_7_fuzz_errors(api: APIClient) -> None:
    """The whole API under schemathesis: tests/integration/test_api_fuzz.py."""
    huge = 2**70
    assert api.get("/api/v1/resources/?node=node1").status_code == 200
    assert api.get(f"/api/v1/clusters/{huge}/plans/x/").status_code == 404
    assert api.post(f"/api/v1/clusters/{huge}/plans/x/apply/").status_code == 404


def test_long_values_fit_the_audit_columns(api: APIClient, cluster: Cluster) -> None:
    """Found by the lab injection run: a 4096-character property value (or a long list
    of defaults) made a summary longer than its column: 500 instead of an answer."""
    base = f"/api/v1/clusters/{cluster.pk}"
    long = {"name": "note", "value": "v" * 4096}
    assert api.post(f"{base}/properties/?plan=1", long, format="json").status_code == 422
    many = {"values": {f"p{i}": "x" * 100 for i in range(40)}}
    assert api.post(f"{base}/resource-defaults/", many, format="json").status_code == 202


@pytest.mark.parametrize("path", ["/api/v1/operations/?since=", "/api/v1/events/?created__gte="])
def test_any_valid_offset_in_a_time_filter(api: APIClient, path: str) -> None:
    """Found by the schemathesis run: an offset past ±15:59 reached PostgreSQL (500)."""
    for offset in ["-20:15", "%2B23:59", "Z"]:
        assert api.get(f"{path}0400-05-28T03:47:33{offset}").status_code == 200, offset
    assert api.get(f"{path}not-a-time").status_code == 400
