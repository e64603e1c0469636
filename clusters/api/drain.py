"""The guided node drain API: GET .../nodes/<name>/drain/ (the node's latest drain),
POST .../drain/ (start one), POST .../drain/stop/, .../drain/resume/, .../drain/return/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from clusters import drain_service
from clusters.api.serializers import DrainBody, DrainSerializer
from clusters.drain_model import Drain
from hacore.errors import NotFound
from operations.api.base import ClusterView
from operations.change import OPERATE


class DrainView(ClusterView):
    """GET: the node's latest drain (404 when it has none); POST {"stop_unmovable",
    "to"}: drain the node (202): its VMs live-migrate away one by one, then standby."""

    body_serializer = DrainBody

    def _node(self, name: str) -> str:
        return self.cluster.node(name)

    @extend_schema(responses={200: DrainSerializer}, operation_id="node_drain_read")
    def get(self, request: Request, cluster_pk: int, name: str) -> Response:
        """The node's latest drain."""
        found = Drain.latest(self.cluster.id, self._node(name))
        if found is None:
            raise NotFound(f"{name[:60]} has never been drained from this console")
        return Response(DrainSerializer(found).data)

    @extend_schema(request=DrainBody, responses={202: DrainSerializer}, operation_id="node_drain")
    def post(self, request: Request, cluster_pk: int, name: str) -> Response:
        """Start the drain (a background job: follow it with GET or the cluster's feed)."""
        node = self._node(name)
        self.require(OPERATE, f"drain {node}")
        drain = drain_service.start(self.cluster, request.user, node, self.body())
        return Response(DrainSerializer(drain).data, status=status.HTTP_202_ACCEPTED)


class DrainControlView(ClusterView):
    """POST .../drain/stop/ (after the current step), .../drain/resume/
    {"stop_unmovable"} (from where the cluster stands), .../drain/return/ {"move_back"}
    (a drained node back); 409 when the drain is not in a state for it."""

    body_serializer = DrainBody
    verb = ""

    @extend_schema(request=DrainBody, responses={202: DrainSerializer})
    def post(self, request: Request, cluster_pk: int, name: str) -> Response:
        """Stop, resume or return."""
        node = self.cluster.node(name)
        self.require(OPERATE, f"{self.verb} the drain of {node}")
        body = self.body()
        drain = Drain.latest(self.cluster.id, node)
        if drain is None:
            raise NotFound(f"{node} has never been drained from this console")
        if self.verb == "stop":
            drain = drain_service.stop(drain, request.user)
        elif self.verb == "resume":
            drain = drain_service.resume(drain, request.user, body)
        else:
            drain = drain_service.back(drain, request.user, body)
        return Response(DrainSerializer(drain).data, status=status.HTTP_202_ACCEPTED)
