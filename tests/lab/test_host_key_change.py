"""A node whose host key changes is refused, with an event, until the operator trusts it."""

from collections.abc import Iterator

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from clusters.models import Cluster, Event
from operations import warm
from operations.engine import run_async, runner
from tests.labutil import Lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db]
KEY = "/etc/ssh/ssh_host_ed25519_key"


@pytest.fixture
def node2_new_key(the_lab: Lab) -> Iterator[str]:
    """Give node2 a new host key (sshd reads it on each new connection); restore it after."""
    the_lab.exec(2, "cp", "-p", KEY, f"{KEY}.orig")
    the_lab.exec(2, "cp", "-p", f"{KEY}.pub", f"{KEY}.pub.orig")
    try:
        the_lab.exec(2, "rm", "-f", KEY, f"{KEY}.pub")
        the_lab.exec(2, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", KEY)
        yield the_lab.exec(2, "ssh-keygen", "-lf", f"{KEY}.pub").split()[1]
    finally:
        the_lab.exec(2, "mv", f"{KEY}.orig", KEY)
        the_lab.exec(2, "mv", f"{KEY}.pub.orig", f"{KEY}.pub")


@pytest.fixture
def kept_node2(lab_cluster: Cluster) -> None:
    """A connection to node2 kept by this process's warm pool, opened with the old key."""
    target = lab_cluster.nodes.get(name="node2").target()

    async def connect() -> None:
        async with runner() as remote:
            await remote.connect(target)

    with override_settings(SSH_WARM=True):
        run_async(connect())
    loop = warm.current()
    assert loop is not None
    assert target in loop.pool._conns


def test_changed_key_refused_then_trusted(
    the_lab: Lab, api: APIClient, lab_cluster: Cluster, kept_node2: None, node2_new_key: str
) -> None:
    node2 = lab_cluster.nodes.get(name="node2")
    old = node2.host_key_fingerprint
    # node1 and node3 still answer, so the cluster is read; node2 is refused, though
    # this process keeps a connection to it: a refresh always makes a new handshake.
    lab_cluster.nodes.exclude(name="node2").update(host_key="")
    refreshed = api.post(f"/api/v1/clusters/{lab_cluster.pk}/refresh/")
    assert refreshed.status_code == 502
    assert "host key changed" in refreshed.json()["detail"]
    event = Event.objects.get(cluster=lab_cluster, kind="host_key_mismatch")
    assert event.node == node2
    assert old in event.message
    assert node2_new_key in event.message
    node2.refresh_from_db()
    assert node2.host_key_fingerprint == old  # never replaced silently

    wrong = api.post(
        f"/api/v1/clusters/{lab_cluster.pk}/nodes/node2/trust-host-key/",
        {"fingerprint": old},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "host_key_mismatch"
    trusted = api.post(
        f"/api/v1/clusters/{lab_cluster.pk}/nodes/node2/trust-host-key/",
        {"fingerprint": node2_new_key},
        format="json",
    )
    assert trusted.status_code == 200
    assert trusted.json()["host_key_fingerprint"] == node2_new_key
    again = api.post(f"/api/v1/clusters/{lab_cluster.pk}/refresh/")
    assert again.status_code == 200
    assert Event.objects.filter(cluster=lab_cluster, kind="host_key_trusted").count() == 1
