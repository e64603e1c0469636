"""Adding a cluster: every kind of bad input gets a clear error and saves nothing."""

from collections.abc import Iterator

import asyncssh
import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster, Event
from nodes.models import Node, SshCredential
from tests.corpus import INJECTION_CORPUS
from tests.fakessh import FakeHost, fake_ssh_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def host() -> Iterator[FakeHost]:
    with fake_ssh_host() as fake:
        yield fake


def nothing_saved() -> bool:
    return not (
        Cluster.objects.exists()
        or Node.objects.exists()
        or SshCredential.objects.exists()
        or Event.objects.exists()
    )


def add(api: APIClient, host: FakeHost, **extra: object) -> tuple[int, dict[str, object]]:
    body = {
        "address": "127.0.0.1",
        "port": host.port,
        "username": "root",
        "private_key": host.client_key_text,
        **extra,
    }
    response = api.post("/api/v1/clusters/", body, format="json")
    return response.status_code, response.json()


def gets_past_ssh(api: APIClient, host: FakeHost, **extra: object) -> None:
    """The positive control of a refusal: with the input valid, the console connects,
    checks the host key, logs in and runs a command (the fake host is no cluster node:
    the furthest a valid request gets without a cluster, see tests/lab for the rest)."""
    trust = {"trusted_fingerprints": {"127.0.0.1": host.fingerprint}}
    status, body = add(api, host, **{**trust, **extra})
    assert (status, body["code"]) == (400, "not_a_cluster_node"), body
    assert nothing_saved()


def test_unconfirmed_seed_key_is_shown_not_used(api: APIClient, host: FakeHost) -> None:
    status, body = add(api, host)
    assert status == 409
    assert body["code"] == "host_keys_unconfirmed"
    assert body["host_keys"] == [
        {
            "node": None,
            "address": "127.0.0.1",
            "port": host.port,
            "algorithm": "ssh-ed25519",
            "fingerprint": host.fingerprint,
            "trusted": False,
            "error": None,
        }
    ]
    assert nothing_saved()
    gets_past_ssh(api, host)  # the same seed key, confirmed


def test_not_a_cluster_node(api: APIClient, host: FakeHost) -> None:
    status, body = add(api, host, trusted_fingerprints={"127.0.0.1": host.fingerprint})
    assert status == 400
    assert body["code"] == "not_a_cluster_node"
    assert "not installed" in str(body["detail"])
    assert nothing_saved()


def test_wrong_key_refused(api: APIClient, host: FakeHost) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()
    status, body = add(
        api, host, private_key=other, trusted_fingerprints={"127.0.0.1": host.fingerprint}
    )
    assert status == 400
    assert body["code"] == "auth_failed"
    assert nothing_saved()
    gets_past_ssh(api, host, private_key=host.client_key_text)


def test_changed_host_key_refused(api: APIClient, host: FakeHost) -> None:
    pinned = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    status, body = add(api, host, known_hosts=f"127.0.0.1 {pinned}")
    assert status == 400
    assert body["code"] == "host_key_mismatch"
    assert host.fingerprint in str(body["detail"])
    assert nothing_saved()
    gets_past_ssh(api, host, known_hosts=f"127.0.0.1 {host.host_public}")


def test_unreadable_private_key(api: APIClient, host: FakeHost) -> None:
    status, body = add(api, host, private_key="-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n")
    assert status == 400
    assert body["code"] == "bad_key"
    assert nothing_saved()
    gets_past_ssh(api, host, private_key=host.client_key_text)


def test_unreachable_address(api: APIClient, host: FakeHost) -> None:
    status, body = add(api, host, port=1)
    assert status == 400
    assert body["code"] == "unreachable"
    assert "127.0.0.1:1" in str(body["detail"])
    assert nothing_saved()
    gets_past_ssh(api, host, port=host.port)


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_addresses_and_users_rejected(api: APIClient, hostile: str) -> None:
    for field in ("address", "username"):
        body = {"address": "127.0.0.1", "username": "root", "private_key": "x", field: hostile}
        response = api.post("/api/v1/clusters/", body, format="json")
        assert response.status_code == 400, (field, hostile)
        assert field in response.json()
    assert nothing_saved()
    plain = {"address": "127.0.0.1", "username": "root", "private_key": "x"}
    response = api.post("/api/v1/clusters/", plain, format="json")
    assert response.json()["code"] == "bad_key", "the positive control: address and user pass"


def test_bad_fingerprint_input(api: APIClient, host: FakeHost) -> None:
    status, body = add(api, host, trusted_fingerprints={"127.0.0.1": "SHA256:$(id)"})
    assert status == 400
    assert "trusted_fingerprints" in body
    assert nothing_saved()
    gets_past_ssh(api, host, trusted_fingerprints={"127.0.0.1": host.fingerprint})
