"""Admin pages: clusters, events, kiosk tokens for status walls."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.http import HttpRequest

from clusters.models import Cluster, Event, KioskToken


@admin.register(KioskToken)
class KioskTokenAdmin(admin.ModelAdmin[KioskToken]):
    """Create, scope and revoke wall tokens; the wall URL is shown once saved."""

    list_display = ["name", "created", "created_by", "revoked"]
    filter_horizontal = ["clusters"]
    readonly_fields = ["wall_url", "created_by"]

    @admin.display(description="Wall URL")
    def wall_url(self, token: KioskToken) -> str:
        """The address to open on the screen."""
        return f"/wall/?token={token.key}" if token.pk else "(save first)"

    def save_model(self, request: HttpRequest, obj: KioskToken, form: Any, change: bool) -> None:
        """Remember who made the token."""
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin[Cluster]):
    """Clusters (read-mostly: the cluster is the source of truth)."""

    list_display = ["name", "health", "reachable", "status_confirmed"]
    readonly_fields = ["snapshot", "status_seq", "status_confirmed", "status_node"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """The timeline."""

    list_display = ["created", "cluster", "kind", "severity", "message"]
    list_filter = ["cluster", "kind", "severity"]
