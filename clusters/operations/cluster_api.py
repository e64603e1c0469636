"""Cluster-wide configuration API: properties with their metadata, resource and
operation defaults, groups, the corosync view and reload, and the configuration backup."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import asdict
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import Cluster
from clusters.operations import changes, executor
from clusters.operations.api import (
    Reads,
    answer_reads,
    cluster_or_404,
    failed_on_cluster,
    request_body,
    submit,
    unreachable,
)
from clusters.operations.service import PlanFailed, Work, run_recorded
from hacore.pacemaker.agents import AgentParameter, parse_agent_metadata
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.corosync import parse_cmap
from hacore.runner import RemoteError

# The daemons whose metadata describes the cluster properties (Debian's path;
# RHEL has /usr/libexec/pacemaker).
DAEMON_DIR = "/usr/lib/pacemaker"
PROPERTY_DAEMONS = ("pacemaker-schedulerd", "pacemaker-controld", "pacemaker-based")
CONFIGURATION_ARGV = ["cibadmin", "--query", "--scope", "configuration"]
COROSYNC_ARGV = [["corosync-cmapctl", "totem."], ["corosync-cmapctl", "quorum."]]
COROSYNC_CONF_ARGV = ["cat", "--", "/etc/corosync/corosync.conf"]


class PropertiesListView(APIView):
    """GET /clusters/<id>/properties/: every cluster property with its value (when set),
    type, default and description; resource and operation defaults."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read the configuration and the daemons' metadata on a node."""
        commands = [CONFIGURATION_ARGV] + [
            [f"{DAEMON_DIR}/{daemon}", "metadata"] for daemon in PROPERTY_DAEMONS
        ]
        reads = Reads("read.properties", "read cluster properties", commands)
        return answer_reads(request, cluster_or_404(cluster_pk), lambda: reads, _properties)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) setting a property: {"name", "value"} ("" unsets)."""
        body = request_body(request)
        return submit(request, cluster_or_404(cluster_pk), lambda: changes.property_set(body))


def _properties(outputs: list[str]) -> dict[str, Any]:
    configuration, *metadata = outputs
    cib = parse_cib(f"<cib>{configuration}</cib>")
    described: dict[str, dict[str, Any]] = {}
    for daemon, xml in zip(PROPERTY_DAEMONS, metadata, strict=True):
        for p in parse_agent_metadata(daemon, xml).parameters:
            described.setdefault(p.name, {**asdict(p), "daemon": daemon})
    values = dict(cib.crm_config)
    for name in values.keys() - described.keys():  # set, but unknown to these daemons
        described[name] = {**asdict(UNKNOWN), "name": name}
    rows = [
        {**d, "value": values.get(d["name"])}
        for d in sorted(described.values(), key=lambda d: d["name"])
    ]
    return {
        "properties": rows,
        "resource_defaults": dict(cib.rsc_defaults),
        "operation_defaults": dict(cib.op_defaults),
    }


UNKNOWN = AgentParameter("", "", "", "", None, False, False, False, False)


class DefaultsView(APIView):
    """POST /clusters/<id>/resource-defaults/ or /op-defaults/ {"values": {...}}."""

    kind = "resource"

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) updating the defaults."""
        body = request_body(request)
        return submit(
            request, cluster_or_404(cluster_pk), lambda: changes.defaults_update(self.kind, body)
        )


class GroupsView(APIView):
    """POST /clusters/<id>/groups/ {"id", "resources", "before"|"after"}: create or add."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) the group change."""
        body = request_body(request)
        return submit(request, cluster_or_404(cluster_pk), lambda: changes.group_add(body))


class GroupRemoveView(APIView):
    """POST /clusters/<id>/groups/<gid>/remove/ {"resources": [...]}."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int, gid: str) -> Response:
        """Queue (or plan) taking members out."""
        body = request_body(request)
        return submit(request, cluster_or_404(cluster_pk), lambda: changes.group_remove(gid, body))


class AddNodeView(APIView):
    """POST /clusters/<id>/add-node/ {"node", "address"}: pcs cluster node add (via pcsd)."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) adding the node."""
        body = request_body(request)
        return submit(request, cluster_or_404(cluster_pk), lambda: changes.node_add(body))


class CorosyncView(APIView):
    """GET /clusters/<id>/corosync/: totem and quorum settings as corosync runs them, and
    corosync.conf as the node has it."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """corosync-cmapctl totem. / quorum. and corosync.conf."""
        reads = Reads(
            "read.corosync", "read corosync settings", [*COROSYNC_ARGV, COROSYNC_CONF_ARGV]
        )
        return answer_reads(
            request,
            cluster_or_404(cluster_pk),
            lambda: reads,
            lambda out: {
                "totem": parse_cmap(out[0]),
                "quorum": parse_cmap(out[1]),
                "corosync_conf": out[2],
            },
        )


class ClusterServicesView(APIView):
    """POST /clusters/<id>/start-all/ or /stop-all/ (needs pcsd on the nodes)."""

    verb = "start"

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) starting or stopping every node's cluster services."""
        body = request_body(request)
        return submit(
            request, cluster_or_404(cluster_pk), lambda: changes.cluster_all(self.verb, body)
        )


class CorosyncSyncView(APIView):
    """POST /clusters/<id>/corosync/sync/: `pcs cluster sync` (needs pcsd on the nodes)."""

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue the sync."""
        body = request_body(request)
        return submit(request, cluster_or_404(cluster_pk), lambda: changes.cluster_sync(body))


class CorosyncReloadView(APIView):
    """POST /clusters/<id>/corosync/reload/: `pcs cluster reload corosync`."""

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue the reload."""
        return submit(
            request,
            cluster_or_404(cluster_pk),
            lambda: changes.corosync_reload(request_body(request)),
        )


MAX_REPORT_WINDOW = datetime.timedelta(days=7)


def report_window(query: Any) -> tuple[str, str]:
    """?from= &to= (ISO 8601; to defaults to now) as crm_report's UTC times, or ValueError."""
    since = parse_datetime(query.get("from", ""))
    until = parse_datetime(query["to"]) if query.get("to") else timezone.now()
    if since is None or until is None:
        raise ValueError("from (and to, if given) must be ISO 8601 times")
    since, until = (
        t if timezone.is_aware(t) else t.replace(tzinfo=datetime.UTC) for t in (since, until)
    )
    if not since < until <= since + MAX_REPORT_WINDOW:
        raise ValueError("from must be before to, at most 7 days apart")
    fmt = "%Y-%m-%d %H:%M:%S"
    return since.astimezone(datetime.UTC).strftime(fmt), until.astimezone(datetime.UTC).strftime(
        fmt
    )


def download_tarball(
    request: Request,
    cluster: Cluster,
    work: Work[str],
    *,
    kind: str,
    summary: str,
    name: str,
    only: str = "",
) -> HttpResponse | Response:
    """Run work (it answers a base64 tarball) as a recorded read, and send the file:
    422 with the failing command's stderr, 502 if it came truncated, 503 no node."""
    try:
        encoded = run_recorded(cluster, request.user, kind, summary, work, only=only)
        data = base64.b64decode(encoded, validate=True)
    except PlanFailed as exc:
        return failed_on_cluster(exc)
    except binascii.Error as exc:
        return Response({"detail": f"the file did not arrive whole: {exc}"}, status=502)
    except RemoteError as exc:
        return unreachable(exc)
    response = HttpResponse(data, content_type="application/x-bzip2")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ReportView(APIView):
    """GET /clusters/<id>/report/?from=&to=[&node=]: `crm_report` of one node, downloaded."""

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, cluster_pk: int) -> HttpResponse | Response:
        """Collect logs, CIB and status for the window on the node, and send the tarball."""
        cluster = cluster_or_404(cluster_pk)
        if not request.user.has_perm(changes.OPERATE):
            return Response({"detail": "a cluster report needs operate"}, status=403)
        try:
            since, until = report_window(request.query_params)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=400)
        node = request.query_params.get("node", "")
        if node and not cluster.nodes.filter(name=node).exists():
            return Response({"detail": f"no node {node[:60]!r} in this cluster"}, status=404)
        return download_tarball(
            request,
            cluster,
            lambda s: executor.report(s, since, until),
            kind="read.report",
            summary=f"crm_report {since} to {until}",
            name=f"{cluster.name}-report-{since[:10]}.tar.bz2",
            only=node,
        )


class RestoreView(APIView):
    """POST /clusters/<id>/restore/ (multipart: file, node, confirm "restore NODE")."""

    @extend_schema(request=OpenApiTypes.BINARY, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue restoring a pcs config backup on one node."""
        cluster = cluster_or_404(cluster_pk)
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > changes.MAX_BACKUP:
            return Response({"detail": "send the backup as file (at most 10 MiB)"}, status=400)
        backup = upload.read()
        form = request_body(request)
        node = str(form.get("node", ""))
        if not cluster.nodes.filter(name=node).exists():
            return Response({"detail": f"no node {node[:60]!r} in this cluster"}, status=404)
        body = {"confirm": form.get("confirm")}
        return submit(request, cluster, lambda: changes.config_restore(node, backup, body))


class BackupView(APIView):
    """GET /clusters/<id>/backup/: `pcs config backup` from a node, as a .tar.bz2 download."""

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    def get(self, request: Request, cluster_pk: int) -> HttpResponse | Response:
        """Make the backup on a node and send it (recorded as an operation)."""
        cluster = cluster_or_404(cluster_pk)
        if not request.user.has_perm(changes.ADMINISTER):
            return Response({"detail": "a configuration backup needs administer"}, status=403)
        name = f"{cluster.name}-{timezone.now():%Y%m%d-%H%M%S}.tar.bz2"
        return download_tarball(
            request,
            cluster,
            executor.backup,
            kind="read.backup",
            summary="pcs config backup",
            name=name,
        )
