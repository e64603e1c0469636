"""The Drain row: a guided drain of one node (maintenance of a host), its phase, the VMs
it moved or stopped and where they came from, and its steps for the live view. Every
command it ran is on its one Operation (kind node.drain): the audit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Phase(models.TextChoices):
    """Which half of the drain it is in, or where it stands between them."""

    OUT = "out", "leaving: VMs moved away, then standby"
    DRAINED = "drained", "drained: the node is in standby, waiting for its return"
    BACK = "back", "returning: unstandby, DRBD UpToDate, VMs moved back"
    DONE = "done", "done: the node is back"


class Drain(models.Model):
    """One node's drain: run by a worker step by step, stoppable, resumable.

    `vms`: each VM the drain moved or stopped: {"resource", "origin", "to", "state",
    "reason"} (state: moved, blocked, stopped, returned, stayed, started); `steps`: the
    steps shown live: {"title", "state", "detail", "started", "finished"}; `moves_before`:
    the move constraints (cli-*) there before it began, which it leaves alone.
    """

    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="+")
    node = models.CharField(max_length=255)
    operation = models.OneToOneField(
        "operations.Operation", on_delete=models.CASCADE, related_name="drain"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.OUT)
    stop_unmovable = models.BooleanField(
        default=False, help_text="consent to stop the VMs that cannot live-migrate"
    )
    move_back = models.BooleanField(
        default=False, help_text="on return, move each VM back to the node it left"
    )
    to = models.CharField(max_length=255, blank=True, help_text="where VMs go ('' any node)")
    stop_requested = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="why it waits, stopped or failed")
    vms: Any = models.JSONField(default=list)
    steps: Any = models.JSONField(default=list)
    moves_before: Any = models.JSONField(null=True, default=None)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["cluster", "node", "-created"])]

    def __str__(self) -> str:
        return f"drain of {self.node} ({self.phase})"

    @classmethod
    def latest(cls, cluster_id: int, node: str) -> Drain | None:
        """The node's most recent drain."""
        return (
            cls.objects.select_related("operation", "user")
            .filter(cluster_id=cluster_id, node=node)
            .first()
        )

    def vm(self, resource: str) -> dict[str, Any] | None:
        """The record of one VM, if the drain has one."""
        return next((v for v in self.vms if v["resource"] == resource), None)
