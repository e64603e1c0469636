"""Serializers of the nodes API."""

from __future__ import annotations

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
