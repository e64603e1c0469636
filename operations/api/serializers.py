"""API forms of operations and plans."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from operations.models import Operation, Plan


class OperationSerializer(serializers.ModelSerializer[Operation]):
    """An operation with every command it ran (docs/api.md: Operations)."""

    user = serializers.SerializerMethodField()
    duration = serializers.FloatField(read_only=True)

    class Meta:
        model = Operation
        fields = [
            "id",
            "cluster",
            "kind",
            "target",
            "summary",
            "dry_run",
            "plan",
            "status",
            "node",
            "argv",
            "steps",
            "exit_status",
            "stdout",
            "stderr",
            "error",
            "cib_before",
            "cib_after",
            "cib_diff",
            "revert_patch",
            "reconciliation",
            "user",
            "created",
            "started",
            "finished",
            "duration",
            "seq",
        ]
        read_only_fields = fields

    def get_user(self, op: Operation) -> str | None:
        """The user's name (None for the console itself)."""
        return op.user.get_username() if op.user else None


class PlanSerializer(serializers.ModelSerializer[Plan]):
    """A plan: what Pacemaker would do, and the CIB diff."""

    plan_id = serializers.CharField(source="id", read_only=True)
    unchecked = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "plan_id",
            "cluster",
            "kind",
            "target",
            "summary",
            "base_version",
            "actions",
            "cib_diff",
            "unchecked",
            "created",
            "applied_by",
        ]
        read_only_fields = fields

    def get_unchecked(self, plan: Plan) -> str:
        """What the live command does or checks that the plan could not ("" for none)."""
        return str(plan.change.get("unchecked", ""))


def operation_brief(op: Operation) -> dict[str, Any]:
    """The 202 answer: the operation as now, with its URL."""
    return {**OperationSerializer(op).data, "url": f"/api/v1/operations/{op.pk}/"}
