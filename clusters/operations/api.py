"""Operations API: actions on nodes and resources (plan or run), plans, the audit list.

Every action answers 202 with the queued operation, or with ?plan=1 200 with a plan
(change tried on a copy of the CIB) that POST .../plans/<id>/apply/ applies.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
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
from rest_framework.views import APIView

from clusters.models import Cluster
from clusters.operations import changes
from clusters.operations.changes import Change, ConfirmationRequired
from clusters.operations.models import Operation, Plan
from clusters.operations.serializers import (
    OperationSerializer,
    PlanSerializer,
    operation_brief,
)
from clusters.operations.service import (
    PlanFailed,
    current_version,
    enqueue,
    make_plan,
    run_reads,
)
from hacore.pacemaker.ids import InvalidName, check_id
from hacore.pacemaker.xmlsafe import ParseError, parse_xml
from hacore.runner import RemoteError

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


def failed_on_cluster(exc: PlanFailed) -> Response:
    """422: the cluster refused; its own stderr, and the operation that recorded it."""
    op = exc.operation
    body = {"detail": op.error, "stderr": op.stderr, "operation": op.pk}
    return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


def unreachable(exc: RemoteError) -> Response:
    """503: no node answered; nothing was changed."""
    return Response({"detail": f"no node answered: {exc}"}, status=503)


@dataclass(frozen=True)
class Reads:
    """Read-only commands to run on a cluster, recorded as one dry-run operation."""

    kind: str
    summary: str
    commands: list[list[str]]


def answer_reads(
    request: Request,
    cluster: Cluster,
    reads: Callable[[], Reads],
    render: Callable[[list[str]], Any],
) -> Response:
    """200 with render(outputs); 400 bad input, 422 a command failed (its stderr),
    502 unreadable output, 503 no node answered."""
    try:
        wanted = reads()
        outputs = run_reads(cluster, request.user, wanted.kind, wanted.summary, wanted.commands)
        return Response(render(outputs))
    except InvalidName as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    except PlanFailed as exc:
        return failed_on_cluster(exc)
    except ParseError as exc:
        return Response({"detail": f"unreadable output: {exc}"}, status=502)
    except RemoteError as exc:
        return unreachable(exc)


def submit(request: Request, cluster: Cluster, build: Any) -> Response:
    """Validate the change, check the permission, then plan it or queue it."""
    try:
        change: Change = build()
    except ConfirmationRequired as exc:
        body = {"code": "confirmation_required", "detail": str(exc)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    except InvalidName as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if not request.user.has_perm(change.permission):
        return Response(
            {"detail": f"you may not {change.summary} (needs {change.permission})"},
            status=status.HTTP_403_FORBIDDEN,
        )
    if request.query_params.get("plan") in ("1", "true", "yes"):
        return plan_response(request, cluster, change)
    op = enqueue(cluster, change, request.user)
    return Response(operation_brief(op), status=status.HTTP_202_ACCEPTED)


def plan_response(request: Request, cluster: Cluster, change: Change) -> Response:
    """200 with the plan, 422 if the cluster refused the change, 503 if no node answered."""
    try:
        plan = make_plan(cluster, change, request.user)
    except PlanFailed as exc:
        return failed_on_cluster(exc)
    except RemoteError as exc:
        return unreachable(exc)
    return Response(PlanSerializer(plan).data)


def attribute_sets(xml: str) -> dict[str, dict[str, str]]:
    """The resource's own instance and meta attributes (not its members')."""
    root = parse_xml(xml)
    return {
        "params": _nvpairs(root, "instance_attributes"),
        "meta": _nvpairs(root, "meta_attributes"),
    }


def _nvpairs(root: Any, tag: str) -> dict[str, str]:
    return {
        str(nv.get("name")): str(nv.get("value", ""))
        for nv in root.iterfind(f"{tag}/nvpair")
        if nv.get("name")
    }


def cluster_or_404(pk: Any) -> Cluster:
    """The cluster in the URL, with the credential the runner will need; 404 if none."""
    return get_object_or_404(Cluster.objects.select_related("credential"), pk=pk)


class NodeActionView(APIView):
    """POST /clusters/<id>/nodes/<name>/<action>/ [?plan=1]: changes.NODE_ACTIONS."""

    @extend_schema(request=None, responses={202: OperationSerializer, 200: PlanSerializer})
    def post(self, request: Request, cluster_pk: int, name: str, verb: str) -> Response:
        """Queue (or plan) the node action."""
        cluster = cluster_or_404(cluster_pk)
        get_object_or_404(cluster.nodes, name=name)
        builder = changes.NODE_ACTIONS.get(verb)
        if builder is None:
            return Response({"detail": f"no node action {verb!r}"}, status=404)
        return submit(request, cluster, lambda: builder(name, request_body(request)))


class ResourceCreateView(APIView):
    """POST /clusters/<id>/resources/ {id, agent, params, meta, operations} [?plan=1]."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OperationSerializer})
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) the creation of a primitive."""
        cluster = cluster_or_404(cluster_pk)
        data = request_body(request)
        return submit(
            request,
            cluster,
            lambda: changes.resource_create(
                data.get("id"),
                data.get("agent"),
                data.get("params"),
                data.get("meta"),
                data.get("operations"),
            ),
        )


class ResourceView(APIView):
    """GET /clusters/<id>/resources/<rid>/: its parameters and meta attributes, read from
    the CIB now; DELETE [?plan=1] removes it."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int, rid: str) -> Response:
        """`cibadmin --query --xpath` of the resource, as {"params": {...}, "meta": {...}}."""

        def reads() -> Reads:
            r = check_id(rid, "resource")
            xpath = f"//*[@id='{r}'][self::primitive or self::group or self::clone or self::bundle]"
            return Reads("read.resource", f"read {r}", [["cibadmin", "--query", "--xpath", xpath]])

        return answer_reads(
            request, cluster_or_404(cluster_pk), reads, lambda out: attribute_sets(out[0])
        )

    @extend_schema(request=None, responses={202: OperationSerializer})
    def delete(self, request: Request, cluster_pk: int, rid: str) -> Response:
        """Queue (or plan) the deletion of a resource."""
        return submit(request, cluster_or_404(cluster_pk), lambda: changes.resource_delete(rid))


class ResourceActionView(APIView):
    """POST /clusters/<id>/resources/<rid>/<action>/ [?plan=1]: changes.RESOURCE_ACTIONS."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OperationSerializer})
    def post(self, request: Request, cluster_pk: int, rid: str, verb: str) -> Response:
        """Queue (or plan) the resource action; move and ban take {"node": ...}."""
        cluster = cluster_or_404(cluster_pk)
        builder = changes.RESOURCE_ACTIONS.get(verb)
        if builder is None:
            return Response({"detail": f"no resource action {verb!r}"}, status=404)
        return submit(request, cluster, lambda: builder(rid, request_body(request)))


def request_body(request: Request) -> dict[str, Any]:
    """The request's JSON object or form (one value per name); {} for anything else."""
    data = request.data
    if hasattr(data, "dict"):  # a form (multipart): one value per name
        return dict(data.dict())
    return data if isinstance(data, dict) else {}


class PlanView(APIView):
    """GET /clusters/<id>/plans/<plan_id>/."""

    @extend_schema(responses={200: PlanSerializer})
    def get(self, request: Request, cluster_pk: int, plan_id: str) -> Response:
        """The plan."""
        plan = get_object_or_404(Plan, pk=plan_id, cluster_id=cluster_pk)
        return Response(PlanSerializer(plan).data)


class PlanApplyView(APIView):
    """POST /clusters/<id>/plans/<plan_id>/apply/: 202, or 409 if the CIB moved."""

    @extend_schema(request=None, responses={202: OperationSerializer})
    def post(self, request: Request, cluster_pk: int, plan_id: str) -> Response:
        """Apply the plan if the CIB is still the one it was made on."""
        plan = get_object_or_404(
            Plan.objects.select_related("cluster"), pk=plan_id, cluster_id=cluster_pk
        )
        change = Change.from_json(plan.change)
        if not request.user.has_perm(change.permission):
            return Response({"detail": f"you may not {change.summary}"}, status=403)
        if plan.applied_by_id is not None:
            body = {"detail": "this plan was already applied", "operation": plan.applied_by_id}
            return Response(body, status=status.HTTP_409_CONFLICT)
        try:
            version = current_version(plan.cluster, request.user)
        except PlanFailed as exc:
            return failed_on_cluster(exc)
        except RemoteError as exc:
            return unreachable(exc)
        if version != plan.base_version:
            body = {
                "code": "cib_changed",
                "detail": "the CIB changed since the plan was made; make a new plan",
                "planned_on": plan.base_version,
                "cib_version": version,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        op = enqueue(plan.cluster, change, request.user, plan=plan)
        return Response(operation_brief(op), status=status.HTTP_202_ACCEPTED)


class OperationFilter(filters.FilterSet):  # type: ignore[misc]
    """?cluster= &status= &kind= &user=<name> &target= &dry_run= &since= &until="""

    user = filters.CharFilter(field_name="user__username")
    since = filters.IsoDateTimeFilter(field_name="created", lookup_expr="gte")
    until = filters.IsoDateTimeFilter(field_name="created", lookup_expr="lte")

    class Meta:
        model = Operation
        fields = ["cluster", "status", "kind", "target", "dry_run"]


class OperationViewSet(viewsets.ReadOnlyModelViewSet[Operation]):
    """Every operation (the audit trail), newest first; export as CSV or JSON."""

    serializer_class = OperationSerializer
    filterset_class = OperationFilter

    def get_queryset(self) -> QuerySet[Operation]:
        """All operations with their users."""
        return Operation.objects.select_related("user")

    @extend_schema(request=None, responses={202: OperationSerializer, 200: PlanSerializer})
    @action(detail=True, methods=["post"])
    def revert(self, request: Request, pk: str) -> Response:
        """Undo this operation's configuration change, as a new change [?plan=1]."""
        op = self.get_object()
        cluster = Cluster.objects.select_related("credential").get(pk=op.cluster_id)
        return submit(request, cluster, lambda: changes.history_revert(op.pk, op.revert_patch))

    @extend_schema(responses={200: OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """The filtered operations as a file: ?as=csv (default) or ?as=json."""
        every = OperationSerializer(self.filter_queryset(self.get_queryset()), many=True).data
        rows = [{k: op[k] for k in EXPORT_FIELDS} for op in every]
        if request.query_params.get("as") == "json":
            body = json.dumps(rows, indent=1, default=str)
            return _download(body, "application/json", "haconsole-audit.json")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        return _download(out.getvalue(), "text/csv", "haconsole-audit.csv")


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list) else value


def _download(body: str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
