"""The one base view for "an action on a cluster object": the cluster in the URL, the
caller's role on it (operations/access.py's MATRIX), the request body checked by the
view's serializer, the change built by a domain builder, the level it needs, then a plan
(?plan=1, 200) or a queued operation (202).

Errors are raised, never answered here: operations/api/errors.py maps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from operations import access, capabilities, service
from operations.api.serializers import PlanSerializer, operation_brief
from operations.change import Change
from operations.directory import ClusterRef, cluster

Body = dict[str, Any]


def request_body(request: Request) -> Body:
    """The request's JSON object or form (one value per name); {} for anything else."""
    data = request.data
    if hasattr(data, "dict"):  # a form (multipart): one value per name
        return dict(data.dict())
    return data if isinstance(data, dict) else {}


def wants_plan(request: Request) -> bool:
    """?plan=1 (or true, yes): plan the change instead of queueing it."""
    return request.query_params.get("plan") in ("1", "true", "yes")


M = TypeVar("M", bound=Model)


def require(request: Request, permission: str, what: str, cluster_id: int) -> None:
    """Forbidden unless the caller's role on the cluster allows the permission (a
    Change.permission: operate needs operator, administer needs admin)."""
    needed = access.PERMISSION_LEVEL.get(permission, access.Level.ADMIN)
    access.check(request.user, cluster_id, needed, what, request.auth)


def need(request: Request | HttpRequest, cluster_id: int) -> access.Level:
    """Check the caller's role on the cluster against the route's level in the MATRIX
    (NotFound without any role, Forbidden below it); the caller's level."""
    match = request.resolver_match
    if match is None:
        raise RuntimeError("need() checks routed requests only")
    key = access.route_key(str(request.method), match.route, match.kwargs)
    needed = access.required(key, str(match.kwargs.get("verb", "")))
    token = getattr(request, "auth", None)
    access.check(request.user, cluster_id, needed, key, token)
    return access.level(request.user, cluster_id, token)


def only_visible(request: Request, queryset: QuerySet[M], field: str = "cluster") -> QuerySet[M]:
    """The rows of the clusters the caller may see."""
    shown = access.visible(request.user, request.auth)
    return queryset if shown is None else queryset.filter(**{f"{field}__in": shown})


def plan_or_queue(request: Request, where: ClusterRef, change: Change) -> Response:
    """Check the level and what the cluster's pcs can do, then 200 with a plan (?plan=1)
    or 202 with the operation."""
    require(request, change.permission, change.summary, where.id)
    lacking = capabilities.missing(change, where.capabilities)
    if lacking:
        raise capabilities.UnsupportedByCluster(change, lacking, where.pcs_version)
    if wants_plan(request):
        return Response(PlanSerializer(service.make_plan(where, change, request.user)).data)
    op = service.enqueue(where.id, change, request.user)
    return Response(operation_brief(op), status=status.HTTP_202_ACCEPTED)


class ClusterView(APIView):
    """A view of one cluster (`cluster_pk` in the URL): `self.cluster` after initial().

    `body_serializer` describes and checks the request body (it is the view's request in
    the OpenAPI schema); `body()` is the checked body, as the builders take it.
    """

    body_serializer: type[serializers.Serializer[Any]] | None = None
    cluster: ClusterRef

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Authenticate (DRF), check the caller's role on the cluster (the MATRIX), then
        look the cluster up (404)."""
        super().initial(request, *args, **kwargs)
        need(request, kwargs["cluster_pk"])
        self.cluster = cluster(kwargs["cluster_pk"])

    def require(self, permission: str, what: str) -> None:
        """Forbidden unless the caller may do this (a Change.permission) on the cluster."""
        require(self.request, permission, what, self.cluster.id)

    def body(self) -> Body:
        """The request body, checked by body_serializer when the view has one."""
        data = request_body(self.request)
        if self.body_serializer is not None:
            self.body_serializer(data=self.request.data).is_valid(raise_exception=True)
        return data

    def submit(self, build: Callable[[Body], Change]) -> Response:
        """Build the change from the checked body; plan it or queue it."""
        return plan_or_queue(self.request, self.cluster, build(self.body()))
