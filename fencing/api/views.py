"""Fencing API: fence devices (read-only mirror)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from fencing.api.serializers import FenceDeviceSerializer
from fencing.models import FenceDevice
from operations.api.base import only_visible


class FenceDeviceViewSet(viewsets.ReadOnlyModelViewSet[FenceDevice]):
    """Fence devices of every cluster, as last read."""

    serializer_class = FenceDeviceSerializer
    filterset_fields = ["cluster", "agent", "active"]

    def get_queryset(self) -> QuerySet[FenceDevice]:
        """Fence devices of the clusters the caller has a role on."""
        return only_visible(self.request, FenceDevice.objects.all())
