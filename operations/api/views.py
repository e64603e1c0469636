"""The generic operations API: plans (read, apply), the audit list (filter, export) and
reverting a pushed change. Actions on nodes, resources, fencing and the cluster are the
domain apps' views, on the same base (operations/api/base.py)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hacore.errors import Conflict
from operations import service
from operations.api.base import ClusterView, need, only_visible, plan_or_queue
from operations.api.filters import UtcDateTimeFilter, UtcFilterSet
from operations.api.serializers import OperationSerializer, PlanSerializer, operation_brief
from operations.change import Change, history_revert
from operations.directory import cluster
from operations.engine import current_version
from operations.models import Operation, Plan, unseal

EXPORT_FIELDS = [
    "id",
    "created",
    "finished",
    "user",
    "cluster",
    "kind",
    "target",
    "summary",
    "dry_run",
    "status",
    "node",
    "exit_status",
    "argv",
    "stderr",
    "error",
    "cib_before",
    "cib_after",
    "cib_diff",
]


class PlanView(ClusterView):
    """GET /clusters/<id>/plans/<plan_id>/."""

    @extend_schema(responses={200: PlanSerializer})
    def get(self, request: Request, cluster_pk: int, plan_id: str) -> Response:
        """The plan."""
        plan = get_object_or_404(Plan, pk=plan_id, cluster_id=self.cluster.id)
        return Response(PlanSerializer(plan).data)


class PlanApplyView(ClusterView):
    """POST /clusters/<id>/plans/<plan_id>/apply/: 202, or 409 if the CIB moved."""

    @extend_schema(request=None, responses={202: OperationSerializer})
    def post(self, request: Request, cluster_pk: int, plan_id: str) -> Response:
        """Apply the plan if the CIB is still the one it was made on."""
        plan = get_object_or_404(Plan, pk=plan_id, cluster_id=self.cluster.id)
        change = Change.from_json(plan.change)
        self.require(change.permission, change.summary)
        if plan.applied_by_id is not None:
            raise Conflict("this plan was already applied", operation=plan.applied_by_id)
        version = current_version(self.cluster, request.user)
        if version != plan.base_version:
            raise CibChanged(plan.base_version, version)
        op = service.enqueue(self.cluster.id, change, request.user, plan=plan)
        return Response(operation_brief(op), status=status.HTTP_202_ACCEPTED)


class CibChanged(Conflict):
    """The CIB moved since the plan was made: make a new plan."""

    code = "cib_changed"

    def __init__(self, planned: str, found: str) -> None:
        super().__init__(
            "the CIB changed since the plan was made; make a new plan",
            planned_on=planned,
            cib_version=found,
        )


class OperationFilter(UtcFilterSet):
    """?cluster= &status= &kind= &user=<name> &target= &dry_run= &since= &until="""

    user = filters.CharFilter(field_name="user__username")
    since = UtcDateTimeFilter(field_name="created", lookup_expr="gte")
    until = UtcDateTimeFilter(field_name="created", lookup_expr="lte")

    class Meta:
        model = Operation
        fields = ["cluster", "status", "kind", "target", "dry_run"]


class OperationViewSet(viewsets.ReadOnlyModelViewSet[Operation]):
    """Every operation (the audit trail), newest first; export as CSV or JSON."""

    serializer_class = OperationSerializer
    filterset_class = OperationFilter

    def get_queryset(self) -> QuerySet[Operation]:
        """Operations on the clusters the caller has a role on, with their users."""
        return only_visible(self.request, Operation.objects.select_related("user"))

    def check_object_permissions(self, request: Request, obj: Operation) -> None:
        """The caller's role on the operation's cluster, as the MATRIX asks for the route."""
        super().check_object_permissions(request, obj)
        need(request, obj.cluster_id)

    @extend_schema(request=None, responses={202: OperationSerializer, 200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def revert(self, request: Request, pk: str) -> Response:
        """Undo this operation's configuration change, as a new change [?plan=1]."""
        op = self.get_object()
        change = history_revert(op.pk, unseal(op.revert_patch))
        return plan_or_queue(request, cluster(op.cluster_id), change)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.ANY,
        }
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """The filtered operations as a file: ?as=csv (default) or ?as=json."""
        every = OperationSerializer(self.filter_queryset(self.get_queryset()), many=True).data
        rows = [{k: op[k] for k in EXPORT_FIELDS} for op in every]
        if request.query_params.get("as") == "json":
            body = json.dumps(rows, indent=1, default=str)
            return download(body, "application/json; charset=utf-8", "haconsole-audit.json")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        return download(out.getvalue(), "text/csv; charset=utf-8", "haconsole-audit.csv")


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list) else value


def download(body: str | bytes, content_type: str, name: str) -> HttpResponse:
    """An attachment called name."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
