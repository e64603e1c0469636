"""Fencing API: fence devices (read-only mirror)."""

from __future__ import annotations

from rest_framework import viewsets

from fencing.api.serializers import FenceDeviceSerializer
from fencing.models import FenceDevice


class FenceDeviceViewSet(viewsets.ReadOnlyModelViewSet[FenceDevice]):
    """Fence devices of every cluster, as last read."""

    queryset = FenceDevice.objects.all()
    serializer_class = FenceDeviceSerializer
    filterset_fields = ["cluster", "agent", "active"]
