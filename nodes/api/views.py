"""Node actions API: standby, maintenance, cluster services, fencing, removing a node
(POST .../nodes/<name>/<action>/) and adding one; planned (?plan=1) or queued."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from hacore.errors import NotFound
from nodes import changes
from nodes.api.serializers import AddNodeBody, NodeActionBody
from operations.api.base import ClusterView
from operations.api.serializers import OperationSerializer, PlanSerializer


class NodeActionView(ClusterView):
    """POST /clusters/<id>/nodes/<name>/<action>/ [?plan=1]: nodes.changes.NODE_ACTIONS."""

    body_serializer = NodeActionBody

    @extend_schema(
        request=NodeActionBody,
        responses={202: OperationSerializer, 200: PlanSerializer},
        operation_id="node_action",
    )
    def post(self, request: Request, cluster_pk: int, name: str, verb: str) -> Response:
        """Queue (or plan) the node action."""
        node = self.cluster.node(name)
        builder = changes.NODE_ACTIONS.get(verb)
        if builder is None:
            raise NotFound(f"no node action {verb!r}")
        return self.submit(lambda body: builder(node, body))


class AddNodeView(ClusterView):
    """POST /clusters/<id>/add-node/ {"node", "address"}: pcs cluster node add (via pcsd)."""

    body_serializer = AddNodeBody

    @extend_schema(request=AddNodeBody, responses={202: OperationSerializer, 200: PlanSerializer})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) adding the node."""
        return self.submit(changes.node_add)
