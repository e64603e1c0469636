"""Fencing changes API: devices (create, update, enable/disable, delete, test), levels,
coverage. Changes are planned (?plan=1) or queued on operations/api/base.py."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from fencing import changes, reads
from fencing.api.serializers import DeviceActionBody, DeviceBody, LevelBody
from fencing.models import FenceDevice
from hacore.errors import NotFound
from operations.api.base import ClusterView
from operations.api.serializers import OperationSerializer, PlanSerializer
from operations.change import ADMINISTER

CHANGED = {202: OperationSerializer, 200: PlanSerializer}


def others(cluster_id: int, dev: str) -> int:
    """Fence devices the cluster has besides dev (by the mirror)."""
    return FenceDevice.objects.filter(cluster_id=cluster_id).exclude(rid=dev).count()


class DevicesView(ClusterView):
    """POST /clusters/<id>/fence-devices/ {"id", "agent", "params", "meta"} [?plan=1]."""

    body_serializer = DeviceBody

    @extend_schema(request=DeviceBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) a new fence device."""
        return self.submit(changes.device_create)


class DeviceView(ClusterView):
    """DELETE /clusters/<id>/fence-devices/<dev>/ [?plan=1] (the last one: confirm)."""

    @extend_schema(request=None, responses=CHANGED)
    def delete(self, request: Request, cluster_pk: int, dev: str) -> Response:
        """Queue (or plan) removing the device."""
        confirm = {"confirm": request.query_params.get("confirm")}
        return self.submit(
            lambda body: changes.device_delete(
                dev, {**confirm, **body}, others(self.cluster.id, dev)
            )
        )


class DeviceActionView(ClusterView):
    """POST /clusters/<id>/fence-devices/<dev>/<update|enable|disable|test>/."""

    body_serializer = DeviceActionBody

    @extend_schema(request=DeviceActionBody, responses=CHANGED, operation_id="fence_device_action")
    def post(self, request: Request, cluster_pk: int, dev: str, verb: str) -> Response:
        """Queue (or plan) the action; test runs the agent's status and list now."""
        if verb == "test":
            self.require(ADMINISTER, "test a fence device")
            return Response(reads.test_device(self.cluster, request.user, dev).as_dict())
        if verb == "update":
            return self.submit(lambda body: changes.device_update(dev, body))
        builder = changes.DEVICE_ACTIONS.get(verb)
        if builder is None:
            raise NotFound(f"no fence device action {verb!r}")
        return self.submit(lambda body: builder(dev, body, others(self.cluster.id, dev)))


class LevelsView(ClusterView):
    """POST (add) or DELETE /clusters/<id>/fencing-levels/ {"level", "node", "devices"}."""

    body_serializer = LevelBody

    @extend_schema(request=LevelBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) adding a level."""
        return self.submit(changes.level_add)

    @extend_schema(request=LevelBody, responses=CHANGED)
    def delete(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) removing a level."""
        return self.submit(changes.level_delete)


class CoverageView(ClusterView):
    """GET /clusters/<id>/fencing/: per node, the devices that can fence it, and levels."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """`stonith_admin --list NODE` for every node, and the fencing topology."""
        found = reads.coverage(self.cluster, request.user)
        return Response({"nodes": [n.as_dict() for n in found]})
