"""GET /clusters/<id>/advice/: the advisor's findings (clusters/advice.py)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from clusters import advice
from clusters.api.serializers import FindingSerializer
from operations.api.base import ClusterView
from operations.change import OPERATE

REFRESH = OpenApiParameter(
    "refresh",
    OpenApiTypes.BOOL,
    description="compute now even if the stored advice is current (needs operate)",
)
HEADERS = {
    "X-Advice-Computed-At": "when the findings were computed (ISO 8601; empty: never)",
    "X-Advice-Error": "why the cluster could not be read now (then the first finding says so)",
    "X-Advice-Cached": "yes: stored findings (the status has not changed since); no: computed now",
    "X-Advice-Read-From": "the node the CIB and the status were read from",
    "X-Advice-CIB-Version": "admin_epoch:epoch of the CIB the rules ran on",
    "X-Advice-Operation": "the read operation that recorded every command",
    "X-Advice-Fence-Checked-At": "when the fence paths were last asked",
    "X-Advice-Fence-Paths": "how many (node, device) paths were asked then",
}


class AdviceView(ClusterView):
    """GET /clusters/<id>/advice/[?refresh=1]: findings, critical first, each with
    rule, severity, detail, objects and fix (a plannable change, or null)."""

    @extend_schema(
        parameters=[
            REFRESH,
            *(
                OpenApiParameter(
                    name, str, OpenApiParameter.HEADER, description=text, response=[200]
                )
                for name, text in HEADERS.items()
            ),
        ],
        responses={200: FindingSerializer(many=True)},
    )
    def get(self, request: Request, cluster_pk: int) -> Response:
        """The stored findings while the cluster's status is unchanged, else read now."""
        refresh = request.query_params.get("refresh") in ("1", "true", "yes")
        if refresh:  # it asks every fence device again, whenever anyone wants
            self.require(OPERATE, "recompute the advice now (?refresh=1)")
        found = advice.advice(self.cluster, request.user, refresh=refresh)
        response = Response(found.findings)
        entry = found.entry
        response["X-Advice-Cached"] = "yes" if found.cached else "no"
        response["X-Advice-Error"] = found.failed.reason if found.failed else ""
        response["X-Advice-Computed-At"] = entry.computed_at if entry else ""
        response["X-Advice-Read-From"] = entry.read_from if entry else ""
        response["X-Advice-CIB-Version"] = entry.cib_version if entry else ""
        response["X-Advice-Operation"] = str(entry.operation) if entry else ""
        response["X-Advice-Fence-Checked-At"] = entry.fence_checked_at if entry else ""
        response["X-Advice-Fence-Paths"] = str(entry.fence_paths) if entry else ""
        return response
