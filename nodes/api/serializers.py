"""Serializers of the nodes API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from nodes.models import Node


class NodeSerializer(serializers.ModelSerializer[Node]):
    """A node: where it is, its pinned host key, its state as last read."""

    host_key_trusted = serializers.SerializerMethodField()

    class Meta:
        model = Node
        fields = [
            "name",
            "node_id",
            "address",
            "port",
            "host_key_algorithm",
            "host_key_fingerprint",
            "host_key_trusted",
            "host_key_trusted_at",
            "online",
            "standby",
            "maintenance",
            "unclean",
            "pending",
            "shutdown",
            "is_dc",
            "resources_running",
            "standby_since",
            "status_confirmed",
        ]
        read_only_fields = fields

    def get_host_key_trusted(self, node: Node) -> bool:
        """Whether a host key is pinned for this node."""
        return bool(node.host_key)


class NodeActionBody(serializers.Serializer[Any]):
    """The body of a node action: most take none; fence takes `action` and each risky
    action (fence, confirm-fenced, remove) its risk typed back in `confirm`."""

    action = serializers.ChoiceField(["reboot", "off"], required=False)
    confirm = serializers.CharField(required=False, allow_blank=True)


class AddNodeBody(serializers.Serializer[Any]):
    """`pcs cluster node add`: the new node's name and, optionally, its address."""

    node = serializers.CharField()
    address = serializers.CharField(required=False, allow_blank=True)
