"""Cluster-wide configuration API: properties with their metadata, resource and
operation defaults, start/stop every node, corosync (view, sync, reload), configuration
backup and restore, crm_report. Changes are planned (?plan=1) or queued."""

from __future__ import annotations

import base64
import binascii
import tarfile
from dataclasses import asdict

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from clusters import changes, reads
from clusters.api.serializers import ConfirmBody, DefaultsBody, PropertyBody, RestoreBody
from hacore.errors import BadGateway, InvalidInput
from hacore.secrets import DEFAULT
from hacore.tarballs import redact_tarball
from operations.api.base import ClusterView
from operations.api.serializers import OperationSerializer, PlanSerializer
from operations.api.views import download
from operations.change import ADMINISTER, OPERATE

CHANGED = {202: OperationSerializer, 200: PlanSerializer}


class PropertiesListView(ClusterView):
    """GET /clusters/<id>/properties/: every cluster property with its value (when set),
    type, default and description; resource and operation defaults. POST sets one."""

    body_serializer = PropertyBody

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read the configuration and the daemons' metadata on a node."""
        return Response(reads.properties(self.cluster, request.user).as_dict())

    @extend_schema(request=PropertyBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) setting a property: {"name", "value"} ("" unsets)."""
        return self.submit(changes.property_set)


class DefaultsView(ClusterView):
    """POST /clusters/<id>/resource-defaults/ or /op-defaults/ {"values": {...}}."""

    kind = "resource"
    body_serializer = DefaultsBody

    @extend_schema(request=DefaultsBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) updating the defaults."""
        return self.submit(lambda body: changes.defaults_update(self.kind, body))


class ClusterServicesView(ClusterView):
    """POST /clusters/<id>/start-all/ or /stop-all/ (needs pcsd on the nodes)."""

    verb = "start"
    body_serializer = ConfirmBody

    @extend_schema(request=ConfirmBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) starting or stopping every node's cluster services."""
        return self.submit(lambda body: changes.cluster_all(self.verb, body))


class CorosyncView(ClusterView):
    """GET /clusters/<id>/corosync/: totem and quorum settings as corosync runs them, and
    corosync.conf as the node has it."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """corosync-cmapctl totem. / quorum. and corosync.conf."""
        return Response(asdict(reads.corosync_settings(self.cluster, request.user)))


class CorosyncSyncView(ClusterView):
    """POST /clusters/<id>/corosync/sync/: `pcs cluster sync` (needs pcsd on the nodes)."""

    @extend_schema(request=None, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue the sync."""
        return self.submit(changes.cluster_sync)


class CorosyncReloadView(ClusterView):
    """POST /clusters/<id>/corosync/reload/: `pcs cluster reload corosync`."""

    @extend_schema(request=None, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue the reload."""
        return self.submit(changes.corosync_reload)


def tarball(encoded: str, name: str) -> HttpResponse:
    """A base64 tarball from a node, as a download with every secret in it masked (502 if
    it did not arrive whole)."""
    try:
        data = redact_tarball(base64.b64decode(encoded, validate=True), DEFAULT)
    except (binascii.Error, tarfile.TarError, EOFError, OSError) as exc:
        raise BadGateway(f"the file did not arrive whole: {exc}") from exc
    return download(data, "application/x-bzip2", name)


class ReportView(ClusterView):
    """GET /clusters/<id>/report/?from=&to=[&node=]: `crm_report` of one node, downloaded."""

    @extend_schema(responses={(200, "application/x-bzip2"): OpenApiTypes.BINARY})
    def get(self, request: Request, cluster_pk: int) -> HttpResponse:
        """Collect logs, CIB and status for the window on the node, and send the tarball."""
        self.require(OPERATE, "make a cluster report")
        since, until = reads.report_window(request.query_params)
        node = request.query_params.get("node", "")
        if node:
            self.cluster.node(node)
        encoded = reads.report(self.cluster, request.user, since, until, node)
        return tarball(encoded, f"{self.cluster.name}-report-{since[:10]}.tar.bz2")


class RestoreView(ClusterView):
    """POST /clusters/<id>/restore/ (multipart: file, node, confirm "restore NODE")."""

    @extend_schema(request={"multipart/form-data": RestoreBody}, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue restoring a pcs config backup on one node."""
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > changes.MAX_BACKUP:
            raise InvalidInput("send the backup as file (at most 10 MiB)")
        backup = upload.read()
        form = self.body()
        node = self.cluster.node(str(form.get("node", "")))
        confirm = {"confirm": form.get("confirm")}
        return self.submit(lambda _: changes.config_restore(node, backup, confirm))


class BackupView(ClusterView):
    """GET /clusters/<id>/backup/: `pcs config backup` from a node, as a .tar.bz2 download."""

    @extend_schema(responses={(200, "application/x-bzip2"): OpenApiTypes.BINARY})
    def get(self, request: Request, cluster_pk: int) -> HttpResponse:
        """Make the backup on a node and send it (recorded as an operation)."""
        self.require(ADMINISTER, "download a configuration backup")
        name = f"{self.cluster.name}-{timezone.now():%Y%m%d-%H%M%S}.tar.bz2"
        return tarball(reads.backup(self.cluster, request.user), name)
