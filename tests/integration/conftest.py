"""Fixtures of the integration tests."""

from __future__ import annotations

import pytest

from clusters.models import Cluster
from nodes.models import Node, SshCredential


@pytest.fixture
def cluster() -> Cluster:
    """A cluster c1 of three nodes (no host keys pinned: nothing connects to them)."""
    credential = SshCredential(username="root")
    credential.set_private_key("unused")
    credential.save()
    made = Cluster.objects.create(name="c1", credential=credential)
    for i in (1, 2, 3):
        Node.objects.create(cluster=made, name=f"node{i}", address=f"198.51.100.{10 + i}")
    return made
