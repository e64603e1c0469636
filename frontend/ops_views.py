"""Pages for changing clusters: the create-resource form and the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clusters.models import Cluster
from clusters.operations.changes import ADMINISTER
from clusters.operations.models import OperationStatus


@permission_required(ADMINISTER, raise_exception=True)
def resource_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A form made from the chosen agent's metadata; preview, then apply."""
    cluster = get_object_or_404(Cluster, pk=pk)
    page = {"cluster": {"id": cluster.pk, "name": cluster.name}}
    return render(request, "frontend/resource_create.html", {"cluster": cluster, "page": page})


def audit(request: HttpRequest) -> HttpResponse:
    """Every operation: who, when, which cluster, the commands, the result, the diff."""
    page = {
        "clusters": [{"id": c.pk, "name": c.name} for c in Cluster.objects.all()],
        "statuses": [s.value for s in OperationStatus],
        "can": {"administer": request.user.has_perm(ADMINISTER)},
    }
    return render(request, "frontend/audit.html", {"page": page})
