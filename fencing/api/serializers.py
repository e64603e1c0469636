"""Serializers of the fencing API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from fencing.models import FenceDevice


class FenceDeviceSerializer(serializers.ModelSerializer[FenceDevice]):
    """A fence device as crm_mon last showed it."""

    id = serializers.CharField(source="rid", read_only=True)

    class Meta:
        model = FenceDevice
        fields = ["id", "cluster", "agent", "active", "failed", "disabled", "nodes", "confirmed"]
        read_only_fields = fields


class DeviceBody(serializers.Serializer[Any]):
    """A new fence device: id, fence agent, parameters (pcmk_host_list...), meta."""

    id = serializers.CharField()
    agent = serializers.CharField(help_text="fence_ipmilan or stonith:fence_ipmilan")
    params = serializers.DictField(child=serializers.JSONField(), required=False)
    meta = serializers.DictField(child=serializers.JSONField(), required=False)
    secret_params = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="names of params that are secrets besides those named so (password...)",
    )


class DeviceActionBody(serializers.Serializer[Any]):
    """update takes params (an empty value removes one); disable (and delete) of the last
    device needs its risk typed back in confirm."""

    params = serializers.DictField(child=serializers.JSONField(), required=False)
    secret_params = serializers.ListField(child=serializers.CharField(), required=False)
    confirm = serializers.CharField(required=False, allow_blank=True)


class LevelBody(serializers.Serializer[Any]):
    """A fencing level: at level (1-9), node is fenced by all of devices."""

    level = serializers.IntegerField(min_value=1, max_value=9)
    node = serializers.CharField()
    devices = serializers.ListField(child=serializers.CharField())
