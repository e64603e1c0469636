"""Operation and Plan rows: the audit trail of everything the console ran on a node."""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models

from hacore.secrets import Redactor
from operations import crypto
from operations.change import Change


class OperationStatus(models.TextChoices):
    """Where an operation is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    PAUSED = "paused"  # a job waiting for its operator (a drained node, a stopped drain)


FINAL = (OperationStatus.SUCCEEDED, OperationStatus.FAILED, OperationStatus.INTERRUPTED)


class Operation(models.Model):
    """One request to act on a cluster, with every command it ran and what they printed.

    `argv` is the list of commands run, each an argv list; `steps` has each command's
    exit status, output and duration; `stdout`/`stderr` are the outputs joined, and
    `exit_status` is the first non-zero one, else the last command's (0).
    A plan (dry_run) is recorded too: it runs commands on a node, on a copy of the CIB.
    """

    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40, db_index=True, help_text="e.g. resource.move")
    target = models.CharField(max_length=255, blank=True, help_text="node or resource id")
    summary = models.CharField(max_length=500)
    change = models.JSONField(help_text="the validated change (kind, stage and live argv)")
    dry_run = models.BooleanField(default=False, help_text="a plan: nothing was changed")
    plan = models.ForeignKey(
        "operations.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=OperationStatus.choices, default=OperationStatus.QUEUED
    )
    node = models.CharField(max_length=255, blank=True, help_text="where the commands ran")
    argv = models.JSONField(default=list)
    steps = models.JSONField(default=list)
    exit_status = models.IntegerField(null=True, blank=True)
    stdout = models.TextField(blank=True)
    stderr = models.TextField(blank=True)
    error = models.TextField(blank=True, help_text="why it failed, in one line")
    cib_before = models.CharField(max_length=40, blank=True, help_text="admin_epoch:epoch")
    cib_after = models.CharField(max_length=40, blank=True)
    cib_diff = models.TextField(blank=True)
    revert_patch = models.TextField(blank=True, help_text="crm_diff patchset that undoes it")
    reconciliation = models.TextField(blank=True, help_text="what was found after a crash")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveIntegerField(
        default=0, help_text="+1 each time the operation is published on its cluster's feed"
    )

    class Meta:
        ordering = ["-created", "-id"]
        # Named as when these rows lived in the clusters app (the tables were renamed only).
        indexes = [
            models.Index(fields=["cluster", "-created"], name="clusters_op_cluster_06fda5_idx"),
            models.Index(fields=["status"], name="clusters_op_status_0f0d51_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary} ({self.status})"

    @property
    def duration(self) -> float | None:
        """Seconds from start to finish, when both are known."""
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return None

    @cached_property
    def redactor(self) -> Redactor:
        """Masks the secrets of this operation's change (and any by name)."""
        return Change.redactor_of(self.change)

    def record(self, step: dict[str, Any]) -> None:
        """Add one command's result (node, argv, exit_status, stdout, stderr, duration),
        every secret in it masked."""
        step = redact_step(step, self.redactor)
        self.node = step.get("node") or self.node
        self.argv = [*self.argv, step["argv"]]
        self.steps = [*self.steps, step]
        if not self.exit_status:  # the first failure stays: later steps only clean up
            self.exit_status = step["exit_status"]
        self.stdout += _section(step["argv"], step["stdout"])
        if step["stderr"]:
            self.stderr += _section(step["argv"], step["stderr"])


def redact_step(step: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """A recorded step with its secrets masked (argv, stdout, stderr)."""
    return {
        **step,
        "argv": redactor.argv(step["argv"]),
        "stdout": redactor.text(step["stdout"]),
        "stderr": redactor.text(step["stderr"]),
    }


def seal_if_secret(text: str, redactor: Redactor) -> str:
    """Text to keep at rest: encrypted ("sealed:" + token) when it holds a secret."""
    return f"sealed:{crypto.encrypt(text)}" if redactor.text(text) != text else text


def unseal(text: str) -> str:
    """The inverse of seal_if_secret."""
    return crypto.decrypt(text.removeprefix("sealed:")) if text.startswith("sealed:") else text


def _section(argv: list[str], text: str) -> str:
    return f"$ {' '.join(argv)}\n{text}" + ("" if not text or text.endswith("\n") else "\n")


def _plan_id() -> str:
    return uuid.uuid4().hex


class Plan(models.Model):
    """A change tried on a copy of the CIB: its effect (crm_simulate) and its diff.

    Applying it runs the same change on the live CIB, pushed as a diff, and only if the
    CIB's configuration version is still `base_version`.
    """

    id = models.CharField(primary_key=True, max_length=32, default=_plan_id, editable=False)
    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    target = models.CharField(max_length=255, blank=True)
    summary = models.CharField(max_length=500)
    change = models.JSONField()
    base_version = models.CharField(max_length=40)
    actions = models.JSONField(default=list)
    cib_diff = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"plan {self.pk}: {self.summary}"
