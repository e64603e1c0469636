"""Nodes of a cluster, the host key pinned for each, and the SSH credential that reaches them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hacore.runner import HostKey, Target
from operations import crypto


class SshCredential(models.Model):
    """An SSH user and private key used to reach a cluster's nodes; the key is encrypted."""

    username = models.CharField(max_length=64)
    private_key_encrypted = models.TextField()
    public_key = models.TextField(blank=True, help_text="OpenSSH public key, for display")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.username} ({self.public_key[:30]}...)"

    @property
    def private_key(self) -> str:
        """The decrypted private key (never stored in clear)."""
        return crypto.decrypt(self.private_key_encrypted)

    def set_private_key(self, text: str) -> None:
        """Encrypt and keep text as this credential's private key."""
        self.private_key_encrypted = crypto.encrypt(text)


class Node(models.Model):
    """A cluster node: where to reach it, its pinned host key, its last known state.

    The state fields mirror what was last read from the cluster (`status_confirmed` says
    when); None means "not known yet", never a guess.
    """

    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(max_length=255)
    node_id = models.PositiveIntegerField(null=True, blank=True)
    address = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=22)
    host_key_algorithm = models.CharField(max_length=64, blank=True)
    host_key = models.TextField(blank=True, help_text="base64 public host key, pinned")
    host_key_fingerprint = models.CharField(max_length=128, blank=True)
    host_key_trusted_at = models.DateTimeField(null=True, blank=True)
    host_key_trusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    online = models.BooleanField(null=True)
    standby = models.BooleanField(null=True)
    maintenance = models.BooleanField(null=True)
    unclean = models.BooleanField(null=True)
    pending = models.BooleanField(null=True)
    shutdown = models.BooleanField(null=True)
    is_dc = models.BooleanField(null=True)
    resources_running = models.PositiveIntegerField(null=True)
    standby_since = models.DateTimeField(null=True, blank=True)
    status_confirmed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cluster_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="node_unique_name_per_cluster")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.address})"

    @property
    def pinned_host_key(self) -> HostKey | None:
        """The host key the operator trusted, or None while none is."""
        if not self.host_key:
            return None
        return HostKey(self.host_key_algorithm, self.host_key)

    def pin(self, key: HostKey) -> None:
        """Record key as this node's trusted host key (the caller saves and audits)."""
        self.host_key_algorithm = key.algorithm
        self.host_key = key.key_base64
        self.host_key_fingerprint = key.fingerprint

    def target(self) -> Target:
        """How the runner reaches this node, with the cluster's credential."""
        credential = self.cluster.credential
        return Target(
            address=self.address,
            port=self.port,
            username=credential.username,
            private_key=credential.private_key,
            host_key=self.pinned_host_key,
        )
