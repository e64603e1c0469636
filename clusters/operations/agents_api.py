"""Resource agents of a cluster, read from a node: lists and metadata for the create form."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.operations.api import Reads, answer_reads, cluster_or_404
from fencing.changes import check_fence_agent
from hacore.pacemaker.agents import parse_agent_list, parse_agent_metadata
from hacore.pacemaker.ids import check_agent

_STANDARD = re.compile(r"ocf:[A-Za-z0-9_][A-Za-z0-9_.-]*|lsb|service|systemd|stonith")
LIST_STANDARDS = [["crm_resource", "--list-standards"], ["crm_resource", "--list-ocf-providers"]]


class AgentListView(APIView):
    """GET /clusters/<id>/agents/: standards and OCF providers; ?standard=ocf:heartbeat
    (or lsb, service, systemd, stonith): the agents of one, as full agent names."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read the lists with crm_resource on a node."""
        cluster = cluster_or_404(cluster_pk)
        standard = request.query_params.get("standard", "")
        if standard and not _STANDARD.fullmatch(standard):
            return Response({"detail": f"unknown standard {standard[:60]!r}"}, status=400)
        if standard:
            return answer_reads(
                request,
                cluster,
                lambda: Reads(
                    "read.agents",
                    f"list {standard} agents",
                    [["crm_resource", "--list-agents", standard]],
                ),
                lambda out: {
                    "standard": standard,
                    "agents": [f"{standard}:{name}" for name in parse_agent_list(out[0])],
                },
            )
        return answer_reads(
            request,
            cluster,
            lambda: Reads("read.agents", "list agent standards", LIST_STANDARDS),
            lambda out: {"standards": _standards(*out)},
        )


def _standards(standards: str, providers: str) -> list[str]:
    names = [s for s in parse_agent_list(standards) if s in ("lsb", "service", "systemd")]
    return [f"ocf:{p}" for p in parse_agent_list(providers)] + names


def _described(agent: str) -> str:
    """A resource agent, or a fence agent as stonith:fence_x (for the device form)."""
    if agent.startswith("stonith:"):
        return f"stonith:{check_fence_agent(agent)}"
    return check_agent(agent)


class AgentMetadataView(APIView):
    """GET /clusters/<id>/agents/<agent>/: parameters and default operations of an agent
    (a resource agent, or stonith:fence_x for a fence device's form)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int, agent: str) -> Response:
        """crm_resource --show-metadata, parsed."""
        cluster = cluster_or_404(cluster_pk)
        return answer_reads(
            request,
            cluster,
            lambda: Reads(
                "read.metadata",
                f"metadata of {agent}",
                [["crm_resource", "--show-metadata", _described(agent)]],
            ),
            lambda out: parse_agent_metadata(agent, out[0]).as_dict(),
        )
