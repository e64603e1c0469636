"""Admin page of the audit trail (read-only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from operations.models import Operation


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin[Operation]):
    """The audit trail, read-only: an operation is history, never edited."""

    list_display = ["id", "created", "user", "cluster", "summary", "status", "dry_run"]
    list_filter = ["status", "dry_run", "cluster", "kind"]
    search_fields = ["summary", "target", "stderr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Operations are made by the console only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """History is not edited."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """History is not deleted from the admin."""
        return False
