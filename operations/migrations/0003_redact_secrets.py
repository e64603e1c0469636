"""Secrets recorded before they were masked: operations and plans made by an older
version keep their rows, with every secret (by parameter name) masked in what is shown
and sealed (encrypted) in what is needed to run again (a change's argv, a revert patch)."""

from typing import Any

from django.db import migrations

from hacore.secrets import DEFAULT, secret_args
from operations import crypto

TEXT = ("stdout", "stderr", "error", "cib_diff", "reconciliation")


def _seal_change(change: dict[str, Any]) -> dict[str, Any]:
    if not change:
        return change
    out = dict(change)
    for key in ("stage", "live"):
        out[key] = [
            [
                {"sealed": crypto.encrypt(a)} if isinstance(a, str) and a in secret_args([a]) else a
                for a in argv
            ]
            for argv in change.get(key, [])
        ]
    patch = change.get("patch")
    if isinstance(patch, str) and DEFAULT.text(patch) != patch:
        out["patch"] = {"sealed": crypto.encrypt(patch)}
    return out


def _step(step: dict[str, Any]) -> dict[str, Any]:
    return {
        **step,
        "argv": DEFAULT.argv(step.get("argv", [])),
        "stdout": DEFAULT.text(step.get("stdout", "")),
        "stderr": DEFAULT.text(step.get("stderr", "")),
    }


def redact(apps: Any, schema_editor: Any) -> None:
    """Mask and seal the secrets of every stored operation and plan."""
    operation_model = apps.get_model("operations", "Operation")
    plan_model = apps.get_model("operations", "Plan")
    for op in operation_model.objects.all().iterator():
        for name in TEXT:
            setattr(op, name, DEFAULT.text(getattr(op, name)))
        op.argv = [DEFAULT.argv(a) for a in op.argv]
        op.steps = [_step(s) for s in op.steps]
        op.change = _seal_change(op.change)
        patch = op.revert_patch
        if patch and not patch.startswith("sealed:") and DEFAULT.text(patch) != patch:
            op.revert_patch = f"sealed:{crypto.encrypt(patch)}"
        op.save()
    for plan in plan_model.objects.all().iterator():
        plan.cib_diff = DEFAULT.text(plan.cib_diff)
        plan.change = _seal_change(plan.change)
        plan.save()


class Migration(migrations.Migration):
    dependencies = [("operations", "0002_operation_seq")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
