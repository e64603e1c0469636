"""Admin pages: clusters with their per-cluster roles, events, kiosk tokens for walls."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from clusters.models import ApiToken, Cluster, ClusterRole, Event, KioskToken


class ClusterRoleInline(admin.TabularInline[ClusterRole, Cluster]):
    """Roles on this cluster, for users or groups (besides the global groups)."""

    model = ClusterRole
    extra = 1
    autocomplete_fields = ["user", "group"]


@admin.register(ClusterRole)
class ClusterRoleAdmin(admin.ModelAdmin[ClusterRole]):
    """Every per-cluster role, by cluster, user or group."""

    list_display = ["cluster", "user", "group", "role", "created"]
    list_filter = ["cluster", "role"]
    autocomplete_fields = ["user", "group"]


@admin.register(KioskToken)
class KioskTokenAdmin(admin.ModelAdmin[KioskToken]):
    """Create, scope and revoke wall tokens; the wall URL is shown once, when made."""

    list_display = ["name", "prefix", "created", "created_by", "last_used", "expires", "revoked"]
    filter_horizontal = ["clusters"]
    fields = ["name", "clusters", "expires", "revoked", "prefix", "created_by", "last_used"]
    readonly_fields = ["prefix", "created_by", "last_used"]

    def save_model(self, request: HttpRequest, obj: KioskToken, form: Any, change: bool) -> None:
        """Remember who made the token; show its wall URL this once."""
        if not change and isinstance(request.user, User):
            obj.created_by = obj.user = request.user
        super().save_model(request, obj, form, change)
        if obj.key:
            self.message_user(
                request,
                f"Open /wall/?token={obj.key} on the screen. This is the only time the "
                "key is shown: the console keeps only its hash.",
                messages.WARNING,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Every token (personal and kiosk): who, scope, expiry, last use; revoke them."""

    list_display = [
        "name",
        "kind",
        "user",
        "prefix",
        "read_only",
        "expires",
        "last_used",
        "revoked",
    ]
    list_filter = ["kind", "read_only"]
    search_fields = ["name", "user__username", "prefix"]
    filter_horizontal = ["clusters"]
    readonly_fields = ["prefix", "kind", "created_by", "last_used"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        """Revoke each (their WebSockets close)."""
        for token in queryset:
            token.revoke()

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        """Show a new token's key this once."""
        super().save_model(request, obj, form, change)
        if obj.key:
            self.message_user(request, f"Token: {obj.key} (shown this once)", messages.WARNING)


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin[Cluster]):
    """Clusters (read-mostly: the cluster is the source of truth)."""

    list_display = ["name", "health", "reachable", "status_confirmed"]
    readonly_fields = ["snapshot", "status_seq", "status_confirmed", "status_node"]
    inlines = [ClusterRoleInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """The timeline."""

    list_display = ["created", "cluster", "kind", "severity", "message"]
    list_filter = ["cluster", "kind", "severity"]
