"""Serializers of the resources API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from resources.models import DrbdDevice, Resource, VirtualMachine


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    """A resource as crm_mon last showed it."""

    id = serializers.CharField(source="rid", read_only=True)
    member_of = serializers.SlugRelatedField[Any](source="parent", slug_field="rid", read_only=True)
    libvirt = serializers.SerializerMethodField()
    drbd = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "cluster",
            "kind",
            "agent",
            "member_of",
            "role",
            "target_role",
            "active",
            "managed",
            "failed",
            "blocked",
            "orphaned",
            "disabled",
            "promotable",
            "nodes",
            "placement",
            "confirmed",
            "libvirt",
            "drbd",
        ]
        read_only_fields = fields

    def get_libvirt(self, obj: Resource) -> dict[str, Any] | None:
        """A VirtualDomain's domain as the monitor's libvirt watch last saw it on every
        node it read, with when (None: not a VM, or not seen yet)."""
        try:
            vm = obj.vm
        except VirtualMachine.DoesNotExist:
            return None
        return {
            "domain": vm.domain,
            "hypervisor": vm.hypervisor,
            "state": vm.state,
            "confirmed": vm.confirmed.isoformat() if vm.confirmed else None,
        }

    def get_drbd(self, obj: Resource) -> dict[str, Any] | None:
        """An ocf:linbit:drbd primitive's DRBD resource as the monitor's DRBD watch last
        read it on each node, with when (None: not DRBD, or not read yet)."""
        try:
            device = obj.drbd
        except DrbdDevice.DoesNotExist:
            return None
        return {
            "drbd_resource": device.drbd_resource,
            "state": device.state,
            "confirmed": device.confirmed.isoformat() if device.confirmed else None,
        }


class OperationBody(serializers.Serializer[Any]):
    """One operation of a new resource: its name and options (interval, timeout...)."""

    name = serializers.CharField()


class ResourceCreateBody(serializers.Serializer[Any]):
    """A new primitive: its id, its agent, parameters, meta attributes and operations."""

    id = serializers.CharField()
    agent = serializers.CharField(help_text="ocf:provider:type, lsb:type, service:, systemd:")
    params = serializers.DictField(child=serializers.JSONField(), required=False)
    meta = serializers.DictField(child=serializers.JSONField(), required=False)
    operations = serializers.ListField(child=serializers.DictField(), required=False)


class ResourceActionBody(serializers.Serializer[Any]):
    """The body of a resource action: move, promote, demote and ban take `node` (clear
    may); move and promote may keep their constraint (`keep_constraint`, `lifetime`);
    update takes `params`/`meta` (an empty value removes one); clone and promotable take
    `options`."""

    node = serializers.CharField(required=False, allow_blank=True)
    params = serializers.DictField(child=serializers.JSONField(), required=False)
    meta = serializers.DictField(child=serializers.JSONField(), required=False)
    options = serializers.DictField(child=serializers.JSONField(), required=False)
    keep_constraint = serializers.BooleanField(
        required=False,
        help_text="move/promote: keep the move constraint (pcs resource move-with-constraint)"
        " instead of the move that clears it once the resource runs there",
    )
    lifetime = serializers.CharField(
        required=False, help_text="with keep_constraint: an ISO 8601 duration (PT1H)"
    )


class GroupBody(serializers.Serializer[Any]):
    """Create a group or add members to it, optionally before or after a member."""

    id = serializers.CharField()
    resources = serializers.ListField(child=serializers.CharField())
    before = serializers.CharField(required=False, allow_blank=True)
    after = serializers.CharField(required=False, allow_blank=True)


class GroupRemoveBody(serializers.Serializer[Any]):
    """Take members out of a group."""

    resources = serializers.ListField(child=serializers.CharField())


class ResourceSetBody(serializers.Serializer[Any]):
    """One set of a set constraint: its resources and set options."""

    resources = serializers.ListField(child=serializers.CharField())
    options = serializers.DictField(child=serializers.JSONField(), required=False)


class ConstraintBody(serializers.Serializer[Any]):
    """A new constraint. location: resource, node, score (or rule: a list of words);
    order: first, then (+ first_action, then_action, kind, symmetrical) or sets;
    colocation: resource, with, score (+ role, with_role) or sets."""

    type = serializers.ChoiceField(["location", "order", "colocation"])
    resource = serializers.CharField(required=False)
    node = serializers.CharField(required=False)
    score = serializers.JSONField(required=False, help_text="an integer or [+-]INFINITY")
    rule = serializers.ListField(child=serializers.JSONField(), required=False)
    first = serializers.CharField(required=False)
    then = serializers.CharField(required=False)
    first_action = serializers.CharField(required=False)
    then_action = serializers.CharField(required=False)
    kind = serializers.CharField(required=False)
    symmetrical = serializers.BooleanField(required=False)
    role = serializers.CharField(required=False, allow_blank=True)
    with_role = serializers.CharField(required=False, allow_blank=True)
    sets = serializers.ListField(child=ResourceSetBody(), required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """The fields, with "with" (a Python keyword, so not a class attribute)."""
        fields = super().get_fields()
        fields["with"] = serializers.CharField(required=False, help_text="colocation: the other")
        return fields


class MigrateBody(serializers.Serializer[Any]):
    """The body of a VM's live migration or its pre-check: the target node; optionally
    keep the move constraint (for `lifetime`, an ISO 8601 duration)."""

    node = serializers.CharField()
    keep_constraint = serializers.BooleanField(
        required=False, help_text="keep the move constraint after the migration"
    )
    lifetime = serializers.CharField(required=False, help_text="ISO 8601 duration, e.g. PT1H")


class SplitBrainBody(serializers.Serializer[Any]):
    """The body of a split-brain resolution: the victim (the node whose changes since the
    split are discarded) and, typed back, its name to confirm."""

    victim = serializers.CharField()
    confirm = serializers.CharField(required=False, help_text="the victim's name, typed back")


class BookStackBody(serializers.Serializer[Any]):
    """The book's stack: the DRBD resource, the two nodes, the shared filesystem, the VM;
    optionally the resources' ids and agents per layer (drbd, dlm, clvm, filesystem,
    libvirtd)."""

    drbd_resource = serializers.CharField()
    nodes = serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2)
    mount_point = serializers.CharField()
    device = serializers.CharField(required=False)
    fstype = serializers.CharField(required=False, default="gfs2")
    vm = serializers.DictField(
        child=serializers.JSONField(),
        help_text='{"id", "config", "params": {VirtualDomain parameters}}',
    )
    ids = serializers.DictField(child=serializers.CharField(), required=False)
    agents = serializers.DictField(child=serializers.CharField(), required=False)
