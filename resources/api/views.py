"""Resources API: the mirror, read-only (changes come with the operations API)."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import viewsets

from operations.api.base import only_visible
from resources.api.serializers import ResourceSerializer
from resources.models import Resource


class ResourceFilter(filters.FilterSet):  # type: ignore[misc]
    """Filter by cluster, id, kind, agent, state, or a node it runs on."""

    id = filters.CharFilter(field_name="rid")
    node = filters.CharFilter(method="on_node")

    class Meta:
        model = Resource
        fields = ["cluster", "kind", "agent", "active", "failed", "managed", "disabled"]

    def on_node(self, queryset: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
        """Resources active on node `value` (SQLite has no JSON containment: there the
        lists are read and matched here)."""
        if connection.features.supports_json_field_contains:
            return queryset.filter(nodes__contains=[value])
        ids = [pk for pk, nodes in queryset.values_list("pk", "nodes") if value in (nodes or [])]
        return queryset.filter(pk__in=ids)


class ResourceViewSet(viewsets.ReadOnlyModelViewSet[Resource]):
    """Every resource of every cluster, as last read."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter

    def get_queryset(self) -> QuerySet[Resource]:
        """Resources of the clusters the caller has a role on."""
        rows = Resource.objects.select_related("parent", "vm", "drbd")
        return only_visible(self.request, rows)
