"""Resource agents of a cluster, read from a node: lists and metadata for the create form."""

from __future__ import annotations

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import Cluster
from clusters.operations.api import failed_on_cluster, unreachable
from clusters.operations.service import PlanFailed, run_reads
from clusters.pacemaker.agents import parse_agent_list, parse_agent_metadata
from clusters.pacemaker.ids import InvalidName, check_agent
from clusters.pacemaker.xmlsafe import ParseError
from nodes.remote import RemoteError

_STANDARD = re.compile(r"ocf:[A-Za-z0-9_][A-Za-z0-9_.-]*|lsb|service|systemd")


class AgentListView(APIView):
    """GET /clusters/<id>/agents/: standards and OCF providers; ?standard=ocf:heartbeat
    (or lsb, service, systemd): the agents of one, as full agent names."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read the lists with crm_resource on a node."""
        cluster = get_object_or_404(Cluster, pk=cluster_pk)
        standard = request.query_params.get("standard", "")
        if standard and not _STANDARD.fullmatch(standard):
            return Response({"detail": f"unknown standard {standard[:60]!r}"}, status=400)
        try:
            if standard:
                (out,) = run_reads(
                    cluster,
                    request.user,
                    "read.agents",
                    f"list {standard} agents",
                    [["crm_resource", "--list-agents", standard]],
                )
                agents = [f"{standard}:{name}" for name in parse_agent_list(out)]
                return Response({"standard": standard, "agents": agents})
            standards, providers = run_reads(
                cluster,
                request.user,
                "read.agents",
                "list agent standards",
                [["crm_resource", "--list-standards"], ["crm_resource", "--list-ocf-providers"]],
            )
        except PlanFailed as exc:
            return failed_on_cluster(exc)
        except RemoteError as exc:
            return unreachable(exc)
        names = [s for s in parse_agent_list(standards) if s in ("lsb", "service", "systemd")]
        ocf = [f"ocf:{p}" for p in parse_agent_list(providers)]
        return Response({"standards": ocf + names})


class AgentMetadataView(APIView):
    """GET /clusters/<id>/agents/<agent>/: parameters and default operations of an agent."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int, agent: str) -> Response:
        """crm_resource --show-metadata, parsed."""
        cluster = get_object_or_404(Cluster, pk=cluster_pk)
        try:
            name = check_agent(agent)
            (xml,) = run_reads(
                cluster,
                request.user,
                "read.metadata",
                f"metadata of {name}",
                [["crm_resource", "--show-metadata", name]],
            )
            return Response(parse_agent_metadata(name, xml).as_dict())
        except InvalidName as exc:
            return Response({"detail": str(exc)}, status=400)
        except PlanFailed as exc:
            return failed_on_cluster(exc)
        except ParseError as exc:
            return Response({"detail": f"unreadable metadata: {exc}"}, status=502)
        except RemoteError as exc:
            return unreachable(exc)
