"""Clusters and their event timeline."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from clusters.choices import EventKind, Severity


class Cluster(models.Model):
    """A Pacemaker/Corosync cluster the console watches; its name is corosync's cluster_name."""

    name = models.CharField(max_length=255, unique=True)
    credential = models.ForeignKey("nodes.SshCredential", on_delete=models.PROTECT)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    status_confirmed = models.DateTimeField(
        null=True, blank=True, help_text="when the nodes' state was last read from the cluster"
    )
    # The mirror of the last status read (crm_mon), and what the console knows of it.
    reachable = models.BooleanField(null=True, help_text="did the last attempt reach a node")
    status_node = models.CharField(max_length=255, blank=True, help_text="node read from")
    status_seq = models.BigIntegerField(default=0, help_text="bumped on every published change")
    snapshot = models.JSONField(null=True, blank=True, help_text="docs/api.md: status snapshot")
    quorate = models.BooleanField(null=True)
    dc = models.CharField(max_length=255, blank=True)
    stonith_enabled = models.BooleanField(null=True)
    maintenance_mode = models.BooleanField(null=True)
    health = models.CharField(max_length=8, blank=True, help_text="green, amber or red")
    # What the cluster's tools can do (pcs --version --full), read at add and on change.
    pcs_version = models.CharField(max_length=40, blank=True)
    pcs_capabilities = models.JSONField(
        null=True, blank=True, help_text="pcs capability ids; null: not read yet"
    )
    pacemaker_version = models.CharField(max_length=60, blank=True, help_text="the DC's")
    tools_read = models.DateTimeField(null=True, blank=True)
    partitions = models.JSONField(
        default=list, blank=True, help_text="the partitions seen when split; [] when whole"
    )
    double_runs = models.JSONField(
        default=list, blank=True, help_text="VMs libvirt runs twice or outside Pacemaker"
    )
    split_brains = models.JSONField(
        default=list, blank=True, help_text="DRBD resources StandAlone while up (drbdsetup)"
    )
    stalled_resyncs = models.JSONField(
        default=list, blank=True, help_text="DRBD resyncs that made no progress for a while"
    )
    read_error = models.TextField(
        blank=True, help_text="why the last read failed though a node answered (crm_mon's words)"
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("operate_cluster", "Can run runtime actions (standby, move, cleanup...)"),
            ("administer_cluster", "Can change cluster configuration"),
        ]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One entry of a cluster's timeline: what happened, to which node or resource, when."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="events")
    node = models.ForeignKey(
        "nodes.Node", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    resource = models.CharField(max_length=255, blank=True, db_index=True)
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.INFO)
    message = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["cluster", "-created"])]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.kind}: {self.message}"


def _new_kiosk_key() -> str:
    """The default of the old KioskToken.key (named by migration 0004; keys are hashed now)."""
    return secrets.token_urlsafe(32)


class Role(models.TextChoices):
    """What a user or a group may do on one cluster (each includes the ones before)."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


class ClusterRole(models.Model):
    """A role on one cluster, given to a user or to a group (exactly one of them).

    The global groups viewers/operators/administrators give their role on every cluster;
    these rows add roles cluster by cluster (clusters/access.py combines both).
    """

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cluster_roles",
    )
    group = models.ForeignKey(
        "auth.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="cluster_roles"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cluster_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, group__isnull=True)
                | models.Q(user__isnull=True, group__isnull=False),
                name="cluster_role_user_xor_group",
            ),
            models.UniqueConstraint(fields=["cluster", "user"], name="cluster_role_one_per_user"),
            models.UniqueConstraint(fields=["cluster", "group"], name="cluster_role_one_per_group"),
        ]

    def __str__(self) -> str:
        who = self.user or self.group
        return f"{who}: {self.role} of {self.cluster}"


# Tokens live in their own module; imported here so Django registers their models.
from clusters.drain_model import Drain  # noqa: E402
from clusters.tokens import ApiToken, KioskToken  # noqa: E402

__all__ = ["ApiToken", "Cluster", "ClusterRole", "Drain", "Event", "KioskToken", "Role"]
