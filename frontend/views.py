"""Pages: overview, cluster, node, resource, status wall, add-a-cluster wizard.

Views stay thin. The live pages embed the current status message (the one the API
serves and the WebSocket pushes, `clusters.mirror.cluster_message`) with json_script;
the page's JavaScript renders it and every message pushed after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clusters.api.serializers import DrainSerializer
from clusters.contact import contacts
from clusters.mirror import cluster_message, event_json, tile_message
from clusters.models import Cluster, Drain, Event, KioskToken
from clusters.refresh import ClusterUnreachable, refresh_status
from clusters.services import AddClusterError, AddClusterRequest, HostKeysUnconfirmed, add_cluster
from hacore.errors import Forbidden, NotFound
from hacore.pacemaker.snapshot import flat_resources
from hacore.validators import check_address, check_username
from nodes.hostkeys import HostKeyInputError, trusted_fingerprints
from nodes.models import Node
from operations import access, crypto
from operations.api.base import need
from operations.capabilities import NEEDS, unsupported
from resources.models import Resource

PENDING = "pending_cluster_addition"
Json = dict[str, Any]
EVENTS_SHOWN = 50
WALL_EVENTS = 30
_INSTANCE_SUFFIX = re.compile(r":\d+$")


def tiles(clusters: list[Cluster]) -> list[Json]:
    """The clusters' messages without their full status: what the overview and the wall
    get (their last contacts read in one round trip)."""
    last = contacts([c.pk for c in clusters])
    return [tile_message(cluster_message(c, last[c.pk])) for c in clusters]


def node_config(node: Node) -> Json:
    """What only the console knows of a node (address, pinned key), for the page's script."""
    return {
        "name": node.name,
        "node_id": node.node_id,
        "address": node.address,
        "port": node.port,
        "fingerprint": node.host_key_fingerprint or None,
        "algorithm": node.host_key_algorithm or None,
    }


def _events(events: Iterable[Event]) -> list[Json]:
    return [event_json(e) for e in events]


def _clusters() -> QuerySet[Cluster]:
    return Cluster.objects.prefetch_related("nodes")


def visible_clusters(request: HttpRequest) -> QuerySet[Cluster]:
    """The clusters the logged-in user has a role on."""
    shown = access.visible(request.user)
    return _clusters() if shown is None else _clusters().filter(pk__in=shown)


def allowed(request: HttpRequest, pk: int) -> access.Level:
    """The user's level on cluster pk, if the page's route allows it (operations.access
    MATRIX): 404 without any role, 403 below the level the page needs."""
    try:
        return need(request, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from exc


def overview(request: HttpRequest) -> HttpResponse:
    """One health tile per cluster the user has a role on, live."""
    clusters = list(visible_clusters(request))
    members = {c.pk: [node_config(n) for n in c.nodes.all()] for c in clusters}
    context = {
        "clusters": clusters,
        "tiles": tiles(clusters),
        "members": members,
    }
    return render(request, "frontend/overview.html", context)


def _cluster(pk: int) -> Cluster:
    clusters = _clusters().select_related("credential")
    return get_object_or_404(clusters, pk=pk)


def _page_data(cluster: Cluster, request: HttpRequest, **extra: Any) -> Json:
    level = access.level(request.user, cluster.pk)
    return {
        "cluster": {"id": cluster.pk, "name": cluster.name},
        "nodes": [node_config(n) for n in cluster.nodes.all()],
        "role": level.role,
        "can": {
            "operate": level >= access.Level.OPERATOR,
            "administer": level >= access.Level.ADMIN,
        },
        "unsupported": unsupported(sorted(NEEDS), _capabilities(cluster)),
        **extra,
    }


def _capabilities(cluster: Cluster) -> frozenset[str] | None:
    known = cluster.pcs_capabilities
    return frozenset(known) if known is not None else None


def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One cluster in the spirit of crm_mon: summary, warnings, nodes, resources, events."""
    allowed(request, pk)
    cluster = _cluster(pk)
    events = cluster.events.select_related("node")[:EVENTS_SHOWN]
    context = {
        "cluster": cluster,
        "message": cluster_message(cluster),
        "page": _page_data(cluster, request, events=_events(events)),
    }
    return render(request, "frontend/cluster.html", context)


def node_detail(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One node: state flags, attributes, its resources, operation history, events."""
    allowed(request, pk)
    cluster = _cluster(pk)
    if not any(n.name == name for n in cluster.nodes.all()):
        raise Http404(f"no node {name} in cluster {cluster.name}")
    page = _page_data(cluster, request, node=name)
    drain = Drain.latest(cluster.pk, name)
    page["drain"] = dict(DrainSerializer(drain).data) if drain is not None else None
    return _subject_page(request, cluster, "node", name, page)


def resource_known(cluster: Cluster, rid: str) -> bool:
    """Whether the last status (or the resource mirror) has a resource called rid."""
    for resource in flat_resources(cluster.snapshot or {}):
        if rid in (resource["id"], _INSTANCE_SUFFIX.sub("", resource["id"])):
            return True
    return Resource.objects.filter(cluster=cluster, rid=rid).exists()


def resource_detail(request: HttpRequest, pk: int, rid: str) -> HttpResponse:
    """One resource: kind, agent, placement, flags, members, failures, events."""
    allowed(request, pk)
    cluster = _cluster(pk)
    if not resource_known(cluster, rid):
        raise Http404(f"no resource {rid} in cluster {cluster.name}")
    page = _page_data(cluster, request, resource=rid)
    return _subject_page(request, cluster, "resource", rid, page)


def _subject_page(
    request: HttpRequest, cluster: Cluster, kind: str, subject: str, page: Json
) -> HttpResponse:
    """The live page of one node or resource (frontend/_subject.html and its child)."""
    context = {
        "cluster": cluster,
        "kind": kind,
        "subject": subject,
        "script": f"frontend/{kind}.js",
        "message": cluster_message(cluster),
        "page": page,
    }
    return render(request, f"frontend/{kind}.html", context)


def _wall_access(request: HttpRequest) -> tuple[QuerySet[Cluster], str] | None:
    """The clusters a wall may show and its token ("" for a user); None when refused."""
    key = request.GET.get("token", "")
    if key:
        token = KioskToken.active_key(key)
        return None if token is None else (token.clusters.all(), key)
    if request.user.is_authenticated:
        return visible_clusters(request), ""
    return None


def _wall_state(clusters: QuerySet[Cluster]) -> Json:
    """What a wall shows: the clusters' tiles and their latest events."""
    shown = list(clusters.prefetch_related("nodes"))
    events = Event.objects.filter(cluster__in=shown).select_related("node")[:WALL_EVENTS]
    return {"tiles": tiles(shown), "events": _events(events)}


@login_not_required
def wall(request: HttpRequest) -> HttpResponse:
    """The status wall: a kiosk token's clusters (no login), or every cluster for a user."""
    access = _wall_access(request)
    if access is None and not request.GET.get("token"):
        return redirect_to_login(request.get_full_path())
    if access is None:
        return render(request, "frontend/wall_denied.html", status=403)
    clusters, key = access
    state = _wall_state(clusters)
    context = {"tiles": state["tiles"], "wall": {"token": key, "events": state["events"]}}
    return render(request, "frontend/wall.html", context)


@login_not_required
@never_cache
def wall_state(request: HttpRequest) -> HttpResponse:
    """The wall's tiles and events as JSON: what a wall refetches after a gap or a reconnect."""
    access = _wall_access(request)
    if access is None:
        return JsonResponse({"detail": "unknown or revoked token, or not logged in"}, status=403)
    return JsonResponse(_wall_state(access[0]))


@require_POST
def cluster_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the cluster's state now (operator of the cluster, as its API twin)."""
    allowed(request, pk)
    cluster = get_object_or_404(Cluster, pk=pk)
    try:
        read = refresh_status(cluster)
        messages.success(request, f"State read from {read.node}.")
    except ClusterUnreachable as exc:
        messages.error(request, f"No node answered: {exc.reason}")
    return redirect("cluster-detail", pk=pk)


def _validator(check: Any) -> Any:
    def run(value: str) -> None:
        try:
            check(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    return run


class AddClusterForm(forms.Form):
    """Step 1: one node of the cluster and how to log in to it."""

    address = forms.CharField(max_length=255, validators=[_validator(check_address)])
    port = forms.IntegerField(min_value=1, max_value=65535, initial=22)
    username = forms.CharField(
        max_length=32, initial="root", validators=[_validator(check_username)]
    )
    private_key = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        strip=False,
        help_text="OpenSSH private key; stored encrypted.",
    )
    known_hosts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="Optional: known_hosts lines pinning the nodes' host keys.",
    )

    def clean(self) -> dict[str, Any]:
        """Check the known_hosts text."""
        data = super().clean() or {}
        try:
            data["trusted"] = trusted_fingerprints(None, data.get("known_hosts"))
        except HostKeyInputError as exc:
            raise ValidationError(str(exc)) from exc
        return data


class AddClusterView(PermissionRequiredMixin, View):
    """Add a cluster in steps: login details, then confirm each node's host key."""

    permission_required = "clusters.change_cluster"
    template = "frontend/cluster_add.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        """Step 1 form."""
        request.session.pop(PENDING, None)
        return render(request, self.template, {"form": AddClusterForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Step 1 (form fields) or step 2 (confirmed fingerprints)."""
        if request.POST.get("step") == "confirm":
            pending = request.session.get(PENDING)
            if pending is None:
                messages.error(request, "The form expired; start again.")
                return redirect("cluster-add")
            for key, value in request.POST.items():
                if key.startswith("trust:"):
                    pending["trusted"][key.removeprefix("trust:")] = value
            return self._attempt(request, pending, AddClusterForm(initial=pending))
        form = AddClusterForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"form": form})
        data = form.cleaned_data
        pending = {
            "address": data["address"],
            "port": data["port"],
            "username": data["username"],
            "key": crypto.encrypt(data["private_key"]),
            "trusted": data["trusted"],
        }
        return self._attempt(request, pending, form)

    def _attempt(
        self, request: HttpRequest, pending: dict[str, Any], form: forms.Form
    ) -> HttpResponse:
        req = AddClusterRequest(
            pending["address"],
            pending["port"],
            pending["username"],
            crypto.decrypt(pending["key"]),
            dict(pending["trusted"]),
        )
        try:
            cluster = add_cluster(req, request.user)
        except HostKeysUnconfirmed as exc:
            request.session[PENDING] = pending
            context = {"form": form, "unconfirmed": exc, "pending": pending}
            return render(request, self.template, context, status=409)
        except AddClusterError as exc:
            request.session.pop(PENDING, None)
            context = {"form": form, "error": exc}
            return render(request, self.template, context, status=400)
        request.session.pop(PENDING, None)
        count = cluster.nodes.count()
        messages.success(request, f"Cluster {cluster.name} added with {count} nodes.")
        return redirect("cluster-detail", pk=cluster.pk)
