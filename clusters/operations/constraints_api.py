"""Constraints API: list (read from the CIB on a node), create, delete; placement scores."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.operations import constraint_changes
from clusters.operations.api import Reads, answer_reads, cluster_or_404, request_body, submit
from hacore.pacemaker.constraints import of_resource, parse_constraints

CONSTRAINTS_ARGV = ["cibadmin", "--query", "--scope", "constraints"]
SCORES_ARGV = ["crm_simulate", "--live-check", "--show-scores"]


class ConstraintsView(APIView):
    """GET /clusters/<id>/constraints/[?resource=R]; POST {"type": "location", ...}."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """The constraints as the CIB has them now."""
        cluster = cluster_or_404(cluster_pk)
        rid = request.query_params.get("resource")

        def render(out: list[str]) -> dict[str, Any]:
            found = parse_constraints(out[0])
            shown = of_resource(found, rid) if rid else list(found)
            return {"constraints": [c.as_dict() for c in shown]}

        reads = Reads("read.constraints", "read constraints", [CONSTRAINTS_ARGV])
        return answer_reads(request, cluster, lambda: reads, render)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or ?plan=1 plan) a new constraint."""
        body = request_body(request)
        cluster = cluster_or_404(cluster_pk)
        return submit(request, cluster, lambda: constraint_changes.create(body))


class ConstraintView(APIView):
    """DELETE /clusters/<id>/constraints/<constraint id>/ [?plan=1]."""

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def delete(self, request: Request, cluster_pk: int, cid: str) -> Response:
        """Queue (or plan) removing the constraint."""
        cluster = cluster_or_404(cluster_pk)
        return submit(request, cluster, lambda: constraint_changes.delete(cid))


class ScoresView(APIView):
    """GET /clusters/<id>/scores/: `crm_simulate --live-check --show-scores`, as text."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Every resource's placement score on every node, as Pacemaker computes it now."""
        cluster = cluster_or_404(cluster_pk)
        reads = Reads("read.scores", "show placement scores", [SCORES_ARGV])
        return answer_reads(request, cluster, lambda: reads, lambda out: _scores(out[0]))


def _scores(text: str) -> dict[str, Any]:
    lines = [
        line
        for line in text.splitlines()
        if "allocation score" in line or "promotion score" in line
    ]
    return {"scores": lines, "output": text}
