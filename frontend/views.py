"""Pages: overview, cluster page, add-a-cluster wizard. Views stay thin: forms and services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from clusters.models import Cluster
from clusters.refresh import ClusterUnreachable, refresh_status
from clusters.services import AddClusterError, AddClusterRequest, HostKeysUnconfirmed, add_cluster
from clusters.validators import check_address, check_username
from nodes import crypto
from nodes.hostkeys import HostKeyInputError, trusted_fingerprints

PENDING = "pending_cluster_addition"


def overview(request: HttpRequest) -> HttpResponse:
    """All clusters with their nodes."""
    clusters = Cluster.objects.prefetch_related("nodes")
    return render(request, "frontend/overview.html", {"clusters": clusters})


def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One cluster: its nodes, their pinned keys and state, the latest events."""
    cluster = get_object_or_404(Cluster.objects.prefetch_related("nodes"), pk=pk)
    events = cluster.events.select_related("node", "user")[:50]
    return render(request, "frontend/cluster.html", {"cluster": cluster, "events": events})


@require_POST
def cluster_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Read the cluster's state now."""
    cluster = get_object_or_404(Cluster, pk=pk)
    try:
        read = refresh_status(cluster)
        messages.success(request, f"State read from {read.node}.")
    except ClusterUnreachable as exc:
        messages.error(request, f"No node answered: {exc}")
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
