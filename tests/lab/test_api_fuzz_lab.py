"""The schemathesis run of tests/integration/test_api_fuzz.py against the real lab
cluster: reads and plans really run on the nodes (as a viewer and as an admin, 3
examples per operation). Nothing changes the shared lab: no operation is handed to a
worker (the queue is cut here), plans work on copies of the CIB, and forgetting the
cluster (and crm_report, minutes long) are left out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from clusters.models import Cluster
from nodes.models import Node, SshCredential
from tests.integration.test_api_fuzz import CHECKS, CURRENT, UNSAFE, schema
from tests.labutil import Lab
from tests.tokens import token_for

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
ROLES = {"viewer": "viewers", "admin": "administrators"}
# crm_report collects up to 7 days of logs on a node: minutes, not a fuzz target.
lab_schema = schema.exclude(path_regex=r"/report/$")


def registered(the_lab: Lab) -> Cluster:
    """The lab cluster as adding it saves it (keys pinned from the lab's own files), made
    directly: adding it over SSH for each of the ~110 items would take minutes."""
    credential = SshCredential(username="root")
    credential.set_private_key(the_lab.private_key)
    credential.save()
    cluster = Cluster.objects.create(name="haconsole-lab", credential=credential)
    for number, lab_node in enumerate(the_lab.nodes, 1):
        node = Node(cluster=cluster, name=lab_node.name, node_id=number, address=lab_node.address)
        node.pin(the_lab.host_key(lab_node.address))
        node.save()
    return cluster


@pytest.fixture(params=list(ROLES))
def lab_caller(
    request: pytest.FixtureRequest, the_lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, dict[str, str]]]:
    """A role on the lab cluster, its token's headers; queued operations go nowhere."""
    monkeypatch.setattr("operations.tasks.run_operation.delay", lambda *args: None)
    lab_cluster = registered(the_lab)
    user = User.objects.create(username=f"lab-fuzz-{request.param}")
    user.groups.add(Group.objects.get(name=ROLES[request.param]))
    CURRENT["cluster"] = lab_cluster.pk
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield request.param, {"Authorization": f"Token {token_for(user)}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        CURRENT.pop("cluster", None)


@lab_schema.parametrize()
@settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_holds_its_schema_on_the_lab(case: Any, lab_caller: tuple[str, dict[str, str]]) -> None:
    role, headers = lab_caller
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    if role == "viewer" and case.method.upper() in UNSAFE:
        assert response.status_code >= 400, f"a viewer changed something: {case.path}"
