"""Login is required for every page and API call; tokens work as documented."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from clusters.models import Cluster

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/clusters/add/", "/clusters/1/"])
def test_pages_redirect_to_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={path}")


def test_the_same_pages_open_after_login(admin_client: Client, cluster: Cluster) -> None:
    for path in ("/", "/clusters/add/", f"/clusters/{cluster.pk}/"):
        assert admin_client.get(path).status_code == 200, path


def test_login_page_is_open(client: Client) -> None:
    assert client.get("/login/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/clusters/", "/api/v1/events/", "/api/v1/clusters/1/nodes/", "/api/schema/"]
)
def test_api_needs_credentials(path: str) -> None:
    response = APIClient().get(path)
    assert response.status_code == 401


def test_the_same_api_answers_with_credentials(api: APIClient, cluster: Cluster) -> None:
    paths = ["/api/v1/clusters/", "/api/v1/events/", f"/api/v1/clusters/{cluster.pk}/nodes/"]
    for path in [*paths, "/api/schema/"]:
        assert api.get(path).status_code == 200, path


def test_token_flow(admin_user: User) -> None:
    client = APIClient()
    bad = client.post(
        "/api/v1/auth/token/", {"username": "admin", "password": "nope"}, format="json"
    )
    assert bad.status_code == 400
    assert "token" not in bad.json()
    good = client.post(
        "/api/v1/auth/token/", {"username": "admin", "password": "password"}, format="json"
    )
    assert good.status_code == 200
    token = good.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/clusters/").json()["results"] == []
    assert client.get("/api/v1/whoami/").json() == {
        "username": "admin",
        "is_superuser": True,
        "role": "admin",
        "clusters": [],
    }
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/clusters/").status_code == 401


def test_reader_cannot_add_clusters(reader: APIClient, api: APIClient) -> None:
    assert reader.get("/api/v1/clusters/").status_code == 200
    response = reader.post("/api/v1/clusters/", {"address": "127.0.0.1"}, format="json")
    assert response.status_code == 403
    admin = api.post("/api/v1/clusters/", {"address": "127.0.0.1"}, format="json")
    assert admin.status_code == 400, "the positive control: an admin gets to the body check"
    assert "private_key" in admin.json()


def test_reader_cannot_open_add_page(client: Client, admin_client: Client) -> None:
    User.objects.create_user("viewer", password="viewer-pass-123")
    client.login(username="viewer", password="viewer-pass-123")
    assert client.get("/").status_code == 200
    assert client.get("/clusters/add/").status_code == 403
    assert admin_client.get("/clusters/add/").status_code == 200


def test_api_docs_use_no_cdn(admin_client: Client) -> None:
    page = admin_client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
    assert admin_client.get("/api/schema/").status_code == 200


def test_the_openapi_schema_has_no_warning_and_describes_every_body() -> None:
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    bodies = [
        (method, path, content)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "requestBody" in op
        for content in op["requestBody"]["content"].values()
    ]
    assert len(bodies) > 40
    assert [b for b in bodies if "$ref" not in b[2]["schema"]] == [], "a bare object body"
