"""Adding the real lab cluster: three nodes, fingerprints that match the nodes' own files."""

from pathlib import Path

import asyncssh
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from clusters.models import Cluster, Event
from tests.lab.conftest import add_body
from tests.labutil import Lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db]


def node_fingerprint(the_lab: Lab, number: int) -> str:
    """The fingerprint of the host key file on the node, as ssh-keygen prints it there."""
    out = the_lab.exec(number, "ssh-keygen", "-lf", "/etc/ssh/ssh_host_ed25519_key.pub")
    return out.split()[1]


def test_add_in_three_steps(the_lab: Lab, api: APIClient) -> None:
    seed = the_lab.nodes[0]
    body = add_body(the_lab, known_hosts="")
    first = api.post("/api/v1/clusters/", body, format="json")
    assert first.status_code == 409
    [seen] = first.json()["host_keys"]
    assert seen["address"] == seed.address
    assert seen["fingerprint"] == node_fingerprint(the_lab, 1)
    assert not Cluster.objects.exists()

    body["trusted_fingerprints"] = {seed.address: seen["fingerprint"]}
    second = api.post("/api/v1/clusters/", body, format="json")
    assert second.status_code == 409
    assert second.json()["cluster_name"] == "haconsole-lab"
    keys = {k["node"]: k for k in second.json()["host_keys"]}
    assert sorted(keys) == ["node1", "node2", "node3"]
    for node in the_lab.nodes:
        assert keys[node.name]["address"] == node.address
        assert keys[node.name]["fingerprint"] == node_fingerprint(the_lab, node.number)
        assert keys[node.name]["fingerprint"] == the_lab.host_key(node.address).fingerprint
    assert keys["node1"]["trusted"] is True
    assert keys["node2"]["trusted"] is False
    assert not Cluster.objects.exists()

    body["trusted_fingerprints"] = {k["address"]: k["fingerprint"] for k in keys.values()}
    third = api.post("/api/v1/clusters/", body, format="json")
    assert third.status_code == 201, third.json()
    cluster_id = third.json()["id"]
    nodes = api.get(f"/api/v1/clusters/{cluster_id}/nodes/").json()["results"]
    assert [n["name"] for n in nodes] == ["node1", "node2", "node3"]
    for node in nodes:
        assert node["online"] is True
        assert node["standby"] is False
        assert node["maintenance"] is False
        assert node["host_key_trusted"] is True
    listed = api.get("/api/v1/clusters/").json()["results"]
    assert [c["name"] for c in listed] == ["haconsole-lab"]
    assert len(listed[0]["nodes"]) == 3
    assert Event.objects.filter(cluster_id=cluster_id, kind="cluster_added").count() == 1


def test_duplicate_refused(the_lab: Lab, api: APIClient) -> None:
    assert api.post("/api/v1/clusters/", add_body(the_lab), format="json").status_code == 201
    again = api.post("/api/v1/clusters/", add_body(the_lab), format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "duplicate"
    other_seed = add_body(the_lab, address=the_lab.nodes[1].address)
    again = api.post("/api/v1/clusters/", other_seed, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "duplicate"
    assert Cluster.objects.count() == 1


def test_wrong_key_on_the_real_node(the_lab: Lab, api: APIClient) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    response = api.post("/api/v1/clusters/", add_body(the_lab, private_key=other), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "auth_failed"
    assert not Cluster.objects.exists()


def test_management_command(the_lab: Lab, tmp_path: Path) -> None:
    key = tmp_path / "id"
    key.write_text(the_lab.private_key)
    known = tmp_path / "known_hosts"
    known.write_text(the_lab.known_hosts)
    seed = the_lab.nodes[0].address
    with pytest.raises(CommandError, match=r"^these host keys are not trusted yet; pass --trust"):
        call_command("add_cluster", seed, "--key-file", str(key))
    assert not Cluster.objects.exists()
    call_command("add_cluster", seed, "--key-file", str(key), "--known-hosts", str(known))
    cluster = Cluster.objects.get()
    assert cluster.name == "haconsole-lab"
    assert [n.name for n in cluster.nodes.all()] == ["node1", "node2", "node3"]
    for node in cluster.nodes.all():
        assert node.host_key_fingerprint == the_lab.host_key(node.address).fingerprint
