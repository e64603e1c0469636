"""Fixtures for tests against the real lab cluster."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.labutil import Lab


@pytest.fixture
def lab_cluster(the_lab: Lab, api: APIClient) -> Cluster:
    """The lab cluster added through the API, host keys pinned from the lab's files."""
    response = api.post("/api/v1/clusters/", add_body(the_lab), format="json")
    assert response.status_code == 201, response.json()
    return Cluster.objects.get(pk=response.json()["id"])


def add_body(the_lab: Lab, **extra: Any) -> dict[str, Any]:
    """An add-cluster request for the lab's first node, pinned from the lab's key files."""
    body: dict[str, Any] = {
        "address": the_lab.nodes[0].address,
        "username": "root",
        "private_key": the_lab.private_key,
        "known_hosts": the_lab.known_hosts,
    }
    body.update(extra)
    return body
