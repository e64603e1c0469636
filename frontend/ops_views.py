"""Pages for changing clusters: the create-resource form and the audit trail."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clusters.models import Cluster
from frontend.views import allowed, visible_clusters
from operations import access
from operations.models import OperationStatus


def resource_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A form made from the chosen agent's metadata; preview, then apply (admin of the
    cluster)."""
    allowed(request, pk)
    return _create_page(request, pk, fence=False)


def fence_device_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The same form for a fence device, from the fence agent's metadata."""
    allowed(request, pk)
    return _create_page(request, pk, fence=True)


def _create_page(request: HttpRequest, pk: int, fence: bool) -> HttpResponse:
    cluster = get_object_or_404(Cluster, pk=pk)
    page = {"cluster": {"id": cluster.pk, "name": cluster.name}, "fence": fence}
    context = {"cluster": cluster, "page": page, "fence": fence}
    return render(request, "frontend/resource_create.html", context)


def audit(request: HttpRequest) -> HttpResponse:
    """Every operation on the clusters the user sees: who, when, which cluster, the
    commands, the result, the diff. Revert is offered where the user is admin."""
    clusters = list(visible_clusters(request))
    admin_of = [c.pk for c in clusters if access.level(request.user, c.pk) >= access.Level.ADMIN]
    page = {
        "clusters": [{"id": c.pk, "name": c.name} for c in clusters],
        "statuses": [s.value for s in OperationStatus],
        "can": {"administer": bool(admin_of), "administer_clusters": admin_of},
    }
    return render(request, "frontend/audit.html", {"page": page})
