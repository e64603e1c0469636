"""Clusters and their event timeline."""

from __future__ import annotations

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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One entry of a cluster's timeline: what happened, to which node, when."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="events")
    node = models.ForeignKey(
        "nodes.Node", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
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
