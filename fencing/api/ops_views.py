"""Fencing API: devices (create, update, enable/disable, delete, test), levels, coverage."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import Cluster
from clusters.operations.api import Reads, answer_reads, cluster_or_404, request_body, submit
from clusters.operations.changes import ADMINISTER
from fencing import changes
from fencing.models import FenceDevice
from hacore.pacemaker.constraints import parse_fencing_topology
from hacore.pacemaker.ids import check_id

# The configuration section: --scope fencing-topology fails when the CIB has no levels.
TOPOLOGY_ARGV = ["cibadmin", "--query", "--scope", "configuration"]


def _others(cluster: Cluster, dev: str) -> int:
    """Fence devices the cluster has besides dev (by the mirror)."""
    return FenceDevice.objects.filter(cluster=cluster).exclude(rid=dev).count()


class DevicesView(APIView):
    """POST /clusters/<id>/fence-devices/ {"id", "agent", "params", "meta"} [?plan=1]."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) a new fence device."""
        cluster = cluster_or_404(cluster_pk)
        return submit(request, cluster, lambda: changes.device_create(request_body(request)))


class DeviceView(APIView):
    """DELETE /clusters/<id>/fence-devices/<dev>/ [?plan=1] (the last one: confirm)."""

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def delete(self, request: Request, cluster_pk: int, dev: str) -> Response:
        """Queue (or plan) removing the device."""
        cluster = cluster_or_404(cluster_pk)
        body = {"confirm": request.query_params.get("confirm"), **request_body(request)}
        return submit(
            request, cluster, lambda: changes.device_delete(dev, body, _others(cluster, dev))
        )


class DeviceActionView(APIView):
    """POST /clusters/<id>/fence-devices/<dev>/<update|enable|disable|test>/."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int, dev: str, verb: str) -> Response:
        """Queue (or plan) the action; test runs the agent's status and list now."""
        cluster = cluster_or_404(cluster_pk)
        body = request_body(request)
        if verb == "test":
            return test_device(request, cluster, dev)
        if verb == "update":
            return submit(request, cluster, lambda: changes.device_update(dev, body))
        builder = changes.DEVICE_ACTIONS.get(verb)
        if builder is None:
            return Response({"detail": f"no fence device action {verb!r}"}, status=404)
        return submit(request, cluster, lambda: builder(dev, body, _others(cluster, dev)))


def test_device(request: Request, cluster: Cluster, dev: str) -> Response:
    """`stonith_admin --query DEV` (the agent's status) and `--list-targets DEV`."""
    if not request.user.has_perm(ADMINISTER):
        return Response({"detail": "testing a fence device needs administer"}, status=403)

    def reads() -> Reads:
        name = check_id(dev, "device")
        commands = [["stonith_admin", "--query", name], ["stonith_admin", "--list-targets", name]]
        return Reads("fence.test", f"test fence device {name}", commands)

    def render(out: list[str]) -> dict[str, Any]:
        shown = out[0].strip() or "the agent reports the device as reachable (exit 0)"
        return {"device": dev, "status": shown, "targets": names(out[1])}

    return answer_reads(request, cluster, reads, render)


def names(listing: str) -> list[str]:
    """The names stonith_admin lists, one per line, without its "N found" summary line."""
    return [
        line.strip() for line in listing.splitlines() if line.strip() and " " not in line.strip()
    ]


class LevelsView(APIView):
    """POST (add) or DELETE /clusters/<id>/fencing-levels/ {"level", "node", "devices"}."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) adding a level."""
        cluster = cluster_or_404(cluster_pk)
        return submit(request, cluster, lambda: changes.level_add(request_body(request)))

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def delete(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) removing a level."""
        cluster = cluster_or_404(cluster_pk)
        return submit(request, cluster, lambda: changes.level_delete(request_body(request)))


class CoverageView(APIView):
    """GET /clusters/<id>/fencing/: per node, the devices that can fence it, and levels."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """`stonith_admin --list NODE` for every node, and the fencing topology."""
        cluster = cluster_or_404(cluster_pk)
        nodes = list(cluster.nodes.values_list("name", flat=True))
        commands = [TOPOLOGY_ARGV] + [["stonith_admin", "--list", n] for n in nodes]
        reads = Reads("read.fencing", "read fencing coverage", commands)
        return answer_reads(request, cluster, lambda: reads, lambda out: _coverage(nodes, out))


def _coverage(nodes: list[str], outputs: list[str]) -> dict[str, Any]:
    topology, *lists = outputs
    levels = parse_fencing_topology(topology)
    coverage = []
    for node, listed in zip(nodes, lists, strict=True):
        devices = names(listed)
        node_levels = [
            {"level": lv.index, "devices": list(lv.devices)} for lv in levels if lv.target == node
        ]
        coverage.append(
            {"node": node, "devices": devices, "levels": node_levels, "fenceable": bool(devices)}
        )
    return {"nodes": coverage}
