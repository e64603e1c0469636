"""The resource mirror: every configured resource as crm_mon last showed it."""

from __future__ import annotations

from django.db import models


class Resource(models.Model):
    """A resource of a cluster: primitive, group, clone or bundle (mirror of crm_mon).

    Clone instances are folded into the row of the resource they instantiate:
    `placement` lists each active instance as {"node", "role"}.
    """

    cluster = models.ForeignKey(
        "clusters.Cluster", on_delete=models.CASCADE, related_name="resources"
    )
    rid = models.CharField("resource id", max_length=255)
    kind = models.CharField(max_length=16)
    agent = models.CharField(max_length=255, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    position = models.PositiveIntegerField(default=0)
    role = models.CharField(max_length=16, blank=True)
    target_role = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=False)
    managed = models.BooleanField(default=True)
    failed = models.BooleanField(default=False)
    blocked = models.BooleanField(default=False)
    orphaned = models.BooleanField(default=False)
    disabled = models.BooleanField(default=False)
    promotable = models.BooleanField(default=False)
    nodes = models.JSONField(default=list, help_text="nodes it is active on")
    placement = models.JSONField(default=list, help_text='[{"node": ..., "role": ...}]')
    confirmed = models.DateTimeField(help_text="when crm_mon last showed it so")

    class Meta:
        ordering = ["cluster_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "rid"], name="resource_unique_per_cluster")
        ]

    def __str__(self) -> str:
        return f"{self.rid} ({self.kind})"

    @property
    def is_vm(self) -> bool:
        """True for a VirtualDomain (KVM guest) resource."""
        return self.agent.endswith(":VirtualDomain")

    @property
    def is_drbd(self) -> bool:
        """True for a DRBD resource agent."""
        return self.agent.endswith(":drbd")


class DrbdDevice(models.Model):
    """A DRBD resource's replication state, one per ocf:linbit:drbd primitive: created by
    the status mirror, `state` filled per node by the monitor's DRBD watch
    (clusters/drbd_watch.py) each time it reads a node after DRBD's events."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="drbd")
    drbd_resource = models.CharField(max_length=255, blank=True, help_text="drbd_resource")
    state = models.JSONField(
        default=dict,
        help_text='per node: {"role", "disk", "peer_disk", "connection", "sync_percent"}',
    )
    confirmed = models.DateTimeField(null=True, blank=True, help_text="when drbdadm showed it")

    def __str__(self) -> str:
        return f"DRBD {self.drbd_resource or self.resource.rid}"


class VirtualMachine(models.Model):
    """A KVM guest run by an ocf:heartbeat:VirtualDomain primitive: created by the
    status mirror, its domain and libvirt's state on every node filled by the monitor's
    libvirt watch (clusters/virt_watch.py) whenever it looks (an event, a placement
    change, once a minute)."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="vm")
    domain = models.CharField(max_length=255, blank=True, help_text="libvirt domain name")
    hypervisor = models.CharField(max_length=255, blank=True, help_text="e.g. qemu:///system")
    state = models.JSONField(
        default=dict,
        help_text='per node read: the domain\'s state ("running", "shut off"; null: not defined)',
    )
    confirmed = models.DateTimeField(null=True, blank=True, help_text="when virsh showed it")

    def __str__(self) -> str:
        return f"VM {self.domain or self.resource.rid}"
