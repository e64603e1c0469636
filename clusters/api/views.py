"""Clusters API: thin views that validate, call a service and answer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.access import roles_of
from clusters.api.auth import TokenScope
from clusters.api.serializers import (
    AddClusterSerializer,
    ClusterSerializer,
    EventSerializer,
    TrustHostKeySerializer,
)
from clusters.mirror import cluster_message
from clusters.models import Cluster, Event
from clusters.refresh import refresh_status
from clusters.services import AddClusterRequest, add_cluster, trust_host_key
from nodes.api.serializers import NodeSerializer
from nodes.hostkeys import check_fingerprint
from nodes.models import Node
from operations.api.base import need, only_visible
from operations.api.filters import UtcFilterSet


class CanAddClusters(permissions.BasePermission):
    """Adding a cluster (POST on the list) needs clusters.change_cluster (administrators);
    everything else is checked per cluster against operations.access.MATRIX."""

    def has_permission(self, request: Request, view: Any) -> bool:
        """Logged in; and for a POST on the list, the permission."""
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return getattr(view, "action", "") != "create" or user.has_perm("clusters.change_cluster")

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        """The caller's role on the cluster, as the MATRIX asks for this route."""
        need(request, obj.pk if isinstance(obj, Cluster) else obj.cluster_id)
        return True


def clusters_queryset() -> QuerySet[Cluster]:
    """Clusters with what their serializer reads, in two queries."""
    return Cluster.objects.select_related("credential").prefetch_related("nodes")


class ClusterViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Cluster],
):
    """Clusters the console watches. POST adds one from a node's address and an SSH key."""

    serializer_class = ClusterSerializer
    permission_classes = [CanAddClusters, TokenScope]
    filterset_fields = ["name"]

    def get_queryset(self) -> QuerySet[Cluster]:
        """The clusters the caller has a role on."""
        return only_visible(self.request, clusters_queryset(), "pk")

    @extend_schema(request=AddClusterSerializer, responses={201: ClusterSerializer})
    def create(self, request: Request) -> Response:
        """Add a cluster: 201 when saved, 409 with fingerprints to confirm, 400 on errors."""
        form = AddClusterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        req = AddClusterRequest(
            data["address"], data["port"], data["username"], data["private_key"], data["trusted"]
        )
        cluster = add_cluster(req, request.user)
        body = ClusterSerializer(clusters_queryset().get(pk=cluster.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: str) -> Response:
        """The current status snapshot: what browsers are pushed (docs/api.md)."""
        return Response(cluster_message(self.get_object()))

    @extend_schema(request=None, responses={200: ClusterSerializer})
    @action(detail=True, methods=["post"])
    def refresh(self, request: Request, pk: str) -> Response:
        """Read the nodes' state from the cluster now (crm_mon on the first node that answers)."""
        cluster = self.get_object()
        refresh_status(cluster)
        return Response(ClusterSerializer(clusters_queryset().get(pk=cluster.pk)).data)


class NodeViewSet(viewsets.ReadOnlyModelViewSet[Node]):
    """The nodes of one cluster, by name."""

    serializer_class = NodeSerializer
    lookup_field = "name"
    lookup_value_regex = "[^/]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Authenticate, then check the caller's role on the cluster (the MATRIX)."""
        super().initial(request, *args, **kwargs)
        need(request, kwargs["cluster_pk"])

    def get_queryset(self) -> QuerySet[Node]:
        """Nodes of the cluster in the URL (404 if there is no such cluster)."""
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no URL
            return Node.objects.none()
        cluster = get_object_or_404(Cluster, pk=self.kwargs["cluster_pk"])
        return cluster.nodes.all()

    @extend_schema(request=TrustHostKeySerializer, responses={200: NodeSerializer})
    @action(detail=True, methods=["post"], url_path="trust-host-key")
    def trust_host_key(self, request: Request, cluster_pk: str, name: str) -> Response:
        """Pin the key the node presents now, if its fingerprint is the one given."""
        node = self.get_object()
        form = TrustHostKeySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        trust_host_key(node, check_fingerprint(form.validated_data["fingerprint"]), request.user)
        return Response(NodeSerializer(node).data)


class EventFilter(UtcFilterSet):
    """cluster, node__name, resource, kind (kind__in), severity, created__gte/__lte."""

    class Meta:
        model = Event
        fields = {
            "cluster": ["exact"],
            "node__name": ["exact"],
            "resource": ["exact"],
            "kind": ["exact", "in"],
            "severity": ["exact"],
            "created": ["gte", "lte"],
        }


class EventViewSet(viewsets.ReadOnlyModelViewSet[Event]):
    """The event timeline, newest first; filter by cluster, node name, kind."""

    serializer_class = EventSerializer
    filterset_class = EventFilter

    def get_queryset(self) -> QuerySet[Event]:
        """Events of the clusters the caller has a role on."""
        return only_visible(self.request, Event.objects.select_related("node", "user"))


class ClusterRoleSerializer(serializers.Serializer[Any]):
    """The caller's role on one cluster."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["viewer", "operator", "admin"])


class WhoAmISerializer(serializers.Serializer[Any]):
    """Who the caller is and what they may do where."""

    username = serializers.CharField()
    is_superuser = serializers.BooleanField()
    role = serializers.ChoiceField(
        choices=["none", "viewer", "operator", "admin"], help_text="the role on every cluster"
    )
    clusters = ClusterRoleSerializer(many=True)


class WhoAmI(APIView):
    """The logged-in user (handy to check a token) and their roles."""

    @extend_schema(responses={200: WhoAmISerializer})
    def get(self, request: Request) -> Response:
        """Name, global role and role on every cluster the caller sees."""
        user = request.user
        roles = roles_of(user, request.auth)
        return Response(
            {
                "username": user.get_username(),
                "is_superuser": user.is_superuser,
                "role": roles["global"],
                "clusters": roles["clusters"],
            }
        )
