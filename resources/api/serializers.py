"""Serializers of the resources API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from resources.models import Resource


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    """A resource as crm_mon last showed it."""

    id = serializers.CharField(source="rid", read_only=True)
    member_of = serializers.SlugRelatedField[Any](source="parent", slug_field="rid", read_only=True)

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
        ]
        read_only_fields = fields
