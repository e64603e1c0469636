"""The SSH private key a cluster is reached with: encrypted in the database, readable
with the console's key only, and in no API answer."""

from __future__ import annotations

import asyncssh
import pytest
from django.db import connection
from rest_framework.test import APIClient

from clusters.models import Cluster
from nodes.models import Node, SshCredential
from operations import crypto

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_text() -> str:
    return asyncssh.generate_private_key("ssh-ed25519").export_private_key().decode()


@pytest.fixture
def keyed_cluster(key_text: str) -> Cluster:
    credential = SshCredential(username="root", public_key="ssh-ed25519 AAAA... console")
    credential.set_private_key(key_text)
    credential.save()
    cluster = Cluster.objects.create(name="c-secret", credential=credential)
    Node.objects.create(cluster=cluster, name="node1", address="198.51.100.11")
    return cluster


def body_lines(key_text: str) -> list[str]:
    """The key's base64 lines (each one a piece that must never show)."""
    return [line for line in key_text.splitlines() if line and not line.startswith("-----")]


def test_the_key_is_stored_encrypted_and_decrypts_back(
    keyed_cluster: Cluster, key_text: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_encrypted FROM nodes_sshcredential")
        (stored,) = cursor.fetchone()
    assert all(line not in stored for line in body_lines(key_text))
    assert "PRIVATE KEY" not in stored
    assert crypto.decrypt(stored) == key_text, "the positive control: it is the key"


def test_another_console_key_cannot_read_it(keyed_cluster: Cluster, settings: object) -> None:
    credential = SshCredential.objects.get()
    assert credential.private_key.startswith("-----BEGIN"), "the positive control: our key"
    settings.FERNET_KEY = "0" * 43 + "="  # type: ignore[attr-defined]
    with pytest.raises(crypto.SecretUnreadable, match=r"^stored secret cannot be decrypted: "):
        _ = credential.private_key


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/clusters/",
        "/api/v1/clusters/{id}/",
        "/api/v1/clusters/{id}/status/",
        "/api/v1/clusters/{id}/nodes/",
        "/api/v1/clusters/{id}/nodes/node1/",
        "/api/v1/events/",
        "/api/v1/operations/",
        "/api/schema/",
    ],
)
def test_no_api_answer_carries_the_key(
    keyed_cluster: Cluster, key_text: str, api: APIClient, path: str
) -> None:
    response = api.get(path.format(id=keyed_cluster.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert all(line not in text for line in body_lines(key_text))
    assert "PRIVATE KEY" not in text
    if path.endswith(f"{keyed_cluster.pk}/"):
        assert response.json()["ssh_public_key"] == "ssh-ed25519 AAAA... console"
