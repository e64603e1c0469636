"""The fence device mirror: stonith resources as crm_mon last showed them."""

from __future__ import annotations

from django.db import models


class FenceDevice(models.Model):
    """A fence device (a `stonith:` resource) of a cluster."""

    cluster = models.ForeignKey(
        "clusters.Cluster", on_delete=models.CASCADE, related_name="fence_devices"
    )
    rid = models.CharField("device id", max_length=255)
    agent = models.CharField(max_length=255)
    active = models.BooleanField(default=False)
    failed = models.BooleanField(default=False)
    disabled = models.BooleanField(default=False)
    nodes = models.JSONField(default=list, help_text="nodes it runs on")
    confirmed = models.DateTimeField()

    class Meta:
        ordering = ["cluster_id", "rid"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "rid"], name="fence_device_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rid} ({self.agent})"
