"""Serializers of the clusters API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from clusters.models import Cluster, Drain, Event
from hacore.validators import check_address, check_username
from nodes.api.serializers import NodeSerializer
from nodes.hostkeys import HostKeyInputError, trusted_fingerprints
from operations.capabilities import NEEDS, unsupported


class ClusterSerializer(serializers.ModelSerializer[Cluster]):
    """A cluster with its nodes."""

    nodes = NodeSerializer(many=True, read_only=True)
    ssh_user = serializers.CharField(source="credential.username", read_only=True)
    ssh_public_key = serializers.CharField(source="credential.public_key", read_only=True)
    unsupported = serializers.SerializerMethodField()

    class Meta:
        model = Cluster
        fields = [
            "id",
            "name",
            "created",
            "status_confirmed",
            "reachable",
            "health",
            "quorate",
            "dc",
            "stonith_enabled",
            "maintenance_mode",
            "status_seq",
            "ssh_user",
            "ssh_public_key",
            "nodes",
            "pcs_version",
            "pacemaker_version",
            "tools_read",
            "unsupported",
        ]
        read_only_fields = fields

    def get_unsupported(self, cluster: Cluster) -> dict[str, list[str]]:
        """Change kind -> the pcs capabilities this cluster lacks for it (those it cannot
        make; {} while its capabilities were not read)."""
        known = cluster.pcs_capabilities
        return unsupported(sorted(NEEDS), frozenset(known) if known is not None else None)


class AddClusterSerializer(serializers.Serializer[dict[str, Any]]):
    """What adding a cluster takes: one node, the SSH user and key, trusted host keys."""

    address = serializers.CharField(max_length=255, trim_whitespace=False)
    port = serializers.IntegerField(min_value=1, max_value=65535, default=22)
    username = serializers.CharField(max_length=32, default="root", trim_whitespace=False)
    private_key = serializers.CharField(write_only=True, trim_whitespace=False, max_length=20000)
    trusted_fingerprints = serializers.DictField(
        child=serializers.CharField(max_length=128),
        required=False,
        default=dict,
        help_text="address -> 'SHA256:...' fingerprint the operator confirmed",
    )
    known_hosts = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100000,
        help_text="OpenSSH known_hosts lines pinning the nodes' keys",
    )

    def validate_address(self, value: str) -> str:
        """An IP address or host name."""
        return _or_error(check_address, value)

    def validate_username(self, value: str) -> str:
        """A login name."""
        return _or_error(check_username, value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Merge fingerprints and known_hosts into one address -> fingerprint map."""
        try:
            attrs["trusted"] = trusted_fingerprints(
                attrs.get("trusted_fingerprints"), attrs.get("known_hosts")
            )
        except HostKeyInputError as exc:
            raise serializers.ValidationError({"trusted_fingerprints": str(exc)}) from exc
        return attrs


class TrustHostKeySerializer(serializers.Serializer[dict[str, Any]]):
    """The fingerprint the operator read and trusts."""

    fingerprint = serializers.CharField(max_length=128)


class EventSerializer(serializers.ModelSerializer[Event]):
    """One timeline entry."""

    node: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    user: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "cluster",
            "node",
            "resource",
            "kind",
            "severity",
            "message",
            "user",
            "created",
        ]
        read_only_fields = fields


def _or_error(check: Any, value: str) -> str:
    try:
        result: str = check(value)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from exc
    return result


class PropertyBody(serializers.Serializer[Any]):
    """Set a cluster property ("" unsets it); stonith-enabled=false needs "disable
    fencing" typed back in confirm."""

    name = serializers.CharField()
    value = serializers.JSONField(required=False, help_text='a string or a number; "" unsets')
    confirm = serializers.CharField(required=False, allow_blank=True)


class DefaultsBody(serializers.Serializer[Any]):
    """Resource or operation defaults to set: {name: value}."""

    values = serializers.DictField(child=serializers.JSONField())


class ConfirmBody(serializers.Serializer[Any]):
    """A risky action's risk typed back (e.g. "stop the whole cluster")."""

    confirm = serializers.CharField(required=False, allow_blank=True)


class RestoreBody(serializers.Serializer[Any]):
    """A `pcs config backup` tarball to restore on one node, "restore NODE" typed back."""

    file = serializers.FileField()
    node = serializers.CharField()
    confirm = serializers.CharField(required=False, allow_blank=True)


class AdviceObjectSerializer(serializers.Serializer[Any]):
    """An object a finding concerns."""

    kind = serializers.ChoiceField(
        choices=["resource", "node", "constraint", "device", "property", "corosync"]
    )
    id = serializers.CharField()


class AdviceFixSerializer(serializers.Serializer[Any]):
    """A change the API can plan (`?plan=1` on `path`) and apply."""

    method = serializers.ChoiceField(choices=["POST", "DELETE"])
    path = serializers.CharField()
    body = serializers.JSONField(allow_null=True)
    summary = serializers.CharField()
    permission = serializers.ChoiceField(choices=["operate", "administer"])


class FindingSerializer(serializers.Serializer[Any]):
    """One finding of the advisor (docs/api.md "Advice")."""

    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["critical", "warning", "info"])
    detail = serializers.CharField()
    objects = AdviceObjectSerializer(many=True)
    fix = AdviceFixSerializer(allow_null=True)


class DrainSerializer(serializers.ModelSerializer[Drain]):
    """A node's drain: its phase, its operation's status, the VMs it moved or stopped
    (and where from), and its steps as the live view shows them."""

    status = serializers.CharField(source="operation.status", read_only=True)
    operation = serializers.IntegerField(source="operation_id", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, default=None)
    vms = serializers.ListField(child=serializers.DictField(), read_only=True)
    steps = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Drain
        fields = [
            "id",
            "node",
            "phase",
            "status",
            "note",
            "stop_requested",
            "stop_unmovable",
            "move_back",
            "to",
            "vms",
            "steps",
            "operation",
            "user",
            "created",
            "updated",
        ]
        read_only_fields = fields


class DrainBody(serializers.Serializer[Any]):
    """Starting or resuming a drain (stop_unmovable: consent to stop the VMs that cannot
    live-migrate; to: where the VMs go), or returning the node (move_back)."""

    stop_unmovable = serializers.BooleanField(required=False)
    to = serializers.CharField(required=False, allow_blank=True, max_length=255)
    move_back = serializers.BooleanField(required=False)
