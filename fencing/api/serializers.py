"""Serializers of the fencing API."""

from __future__ import annotations

from rest_framework import serializers

from fencing.models import FenceDevice


class FenceDeviceSerializer(serializers.ModelSerializer[FenceDevice]):
    """A fence device as crm_mon last showed it."""

    id = serializers.CharField(source="rid", read_only=True)

    class Meta:
        model = FenceDevice
        fields = ["id", "cluster", "agent", "active", "failed", "disabled", "nodes", "confirmed"]
        read_only_fields = fields
