"""Pages for changing clusters: the create-resource form and the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clusters.models import Cluster
from operations.change import ADMINISTER
from operations.models import OperationStatus


@permission_required(ADMINISTER, raise_exception=True)
def resource_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A form made from the chosen agent's metadata; preview, then apply."""
    return _create_page(request, pk, fence=False)


@permission_required(ADMINISTER, raise_exception=True)
def fence_device_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The same form for a fence device, from the fence agent's metadata."""
    return _create_page(request, pk, fence=True)


def _create_page(request: HttpRequest, pk: int, fence: bool) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    page = {"cluster": {"id": cluster.pk, "name": cluster.name}, "fence": fence}
    context = {"cluster": cluster, "page": page, "fence": fence}
    return render(request, "frontend/resource_create.html", context)


def audit(request: HttpRequest) -> HttpResponse:
    """Every operation: who, when, which cluster, the commands, the result, the diff."""
    page = {
        "clusters": [{"id": c.pk, "name": c.name} for c in Cluster.objects.all()],
        "statuses": [s.value for s in OperationStatus],
        "can": {"administer": request.user.has_perm(ADMINISTER)},
    }
    return render(request, "frontend/audit.html", {"page": page})
