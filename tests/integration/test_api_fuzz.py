"""The API against its own OpenAPI schema (schemathesis), as each role, a bounded number
of examples per operation: no 5xx, no body that contradicts the schema, no change let
through for a viewer or a read-only token.

The cluster is registered but its nodes have no pinned host key: nothing reaches a node,
and no queued operation runs (no worker), so no endpoint needs excluding to stay safe;
DELETE of the cluster itself is left out so every example sees the same world. The lab
version of this (tests/lab/test_api_fuzz_lab.py) points the same run at the real cluster.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import Group, User
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from clusters.models import Cluster
from tests.tokens import token_for

EXAMPLES = 8  # per operation and role: ~60 operations x 4 roles x 8 (+ explicit cases)


def _schema() -> dict[str, Any]:
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    loaded: dict[str, Any] = json.loads(out.getvalue())
    return loaded


# Examples and random generation; the coverage phase (every boundary of every parameter)
# would multiply the run time by ten.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = (
    schemathesis.openapi.from_dict(_schema(), config=CONFIG)
    .exclude(method="DELETE", path_regex=r"^/api/v1/clusters/\{id\}/$")
    .exclude(path="/api/schema/")  # the schema itself: seconds per call, no input
)
schema.app = WSGIHandler()
CURRENT: dict[str, int] = {}  # the registered cluster's id, set by the caller fixture


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half the cluster ids generated (the even ones) name the registered cluster, so
    the operations run on it; the others stay random (huge, negative, absent...)."""
    pk = (path_parameters or {}).get("cluster_pk")
    if path_parameters and isinstance(pk, int) and pk % 2 == 0 and "cluster" in CURRENT:
        return {**path_parameters, "cluster_pk": CURRENT["cluster"]}
    return path_parameters


ROLES = {
    "viewer": ("viewers", False),
    "operator": ("operators", False),
    "admin": ("administrators", False),
    "read-only admin token": ("administrators", True),
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(params=list(ROLES))
def caller(
    request: pytest.FixtureRequest, cluster: Cluster
) -> Iterator[tuple[str, dict[str, str]]]:
    """A role and the headers of a token that has it. The WSGI handler must not close
    the test's database connection after each request (as Django's test client, which
    disconnects the same receiver)."""
    group, read_only = ROLES[request.param]
    user = User.objects.create(username=f"fuzz-{request.param.replace(' ', '-')}")
    user.groups.add(Group.objects.get(name=group))
    key = token_for(user, read_only=read_only)
    CURRENT["cluster"] = cluster.pk
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield request.param, {"Authorization": f"Token {key}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_holds_its_schema_for_every_role(case: Any, caller: tuple[str, dict[str, str]]) -> None:
    role, headers = caller
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    if role in ("viewer", "read-only admin token") and case.method.upper() in UNSAFE:
        assert response.status_code >= 400, f"{role} changed something: {case.method} {case.path}"
