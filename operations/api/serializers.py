"""API forms of operations and plans."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from hacore.secrets import DEFAULT, Redactor
from operations.models import Operation, Plan, unseal

# Fields that carry command lines or their output: masked once more on the way out, so
# rows recorded by an older version (or a secret named only by its value) never leak.
_TEXT = ("stdout", "stderr", "error", "cib_diff", "reconciliation")


def redact_operation(data: dict[str, Any], redactor: Redactor = DEFAULT) -> dict[str, Any]:
    """An operation's API form with every secret masked (argv, steps, outputs, patches)."""
    out = dict(data)
    for name in _TEXT:
        if out.get(name):
            out[name] = redactor.text(out[name])
    out["argv"] = [redactor.argv(a) for a in out.get("argv") or []]
    out["steps"] = [
        {
            **step,
            "argv": redactor.argv(step.get("argv", [])),
            "stdout": redactor.text(step.get("stdout", "")),
            "stderr": redactor.text(step.get("stderr", "")),
        }
        for step in out.get("steps") or []
    ]
    if out.get("revert_patch"):
        out["revert_patch"] = redactor.text(unseal(out["revert_patch"]))
    return out


class OperationSerializer(serializers.ModelSerializer[Operation]):
    """An operation with every command it ran (docs/api.md: Operations)."""

    user = serializers.SerializerMethodField()
    duration = serializers.FloatField(read_only=True, allow_null=True)

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

    def to_representation(self, instance: Operation) -> dict[str, Any]:
        """The operation, secrets masked."""
        return redact_operation(dict(super().to_representation(instance)), instance.redactor)


class PlanSerializer(serializers.ModelSerializer[Plan]):
    """A plan: what Pacemaker would do, and the CIB diff."""

    plan_id = serializers.CharField(source="id", read_only=True)
    unchecked = serializers.SerializerMethodField()
    commands = serializers.SerializerMethodField()

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
            "commands",
            "created",
            "applied_by",
        ]
        read_only_fields = fields

    def get_commands(self, plan: Plan) -> list[dict[str, Any]]:
        """The commands applying runs on the cluster, in order, each with the node it runs
        on ("" for the node the operation runs on); secret arguments as ***. Empty for a
        change pushed as a CIB diff."""
        live = plan.change.get("live", [])
        where = plan.change.get("where") or [plan.change.get("on_node", "")] * len(live)
        return [
            {"node": node, "argv": ["***" if isinstance(a, dict) else a for a in argv]}
            for node, argv in zip(where, live, strict=False)
        ]

    def get_unchecked(self, plan: Plan) -> str:
        """What the live command does or checks that the plan could not ("" for none)."""
        return str(plan.change.get("unchecked", ""))

    def to_representation(self, instance: Plan) -> dict[str, Any]:
        """The plan, its diff's secrets masked."""
        data = dict(super().to_representation(instance))
        data["cib_diff"] = DEFAULT.text(data.get("cib_diff") or "")
        return data


def operation_brief(op: Operation) -> dict[str, Any]:
    """The 202 answer: the operation as now, with its URL."""
    return {**OperationSerializer(op).data, "url": f"/api/v1/operations/{op.pk}/"}
