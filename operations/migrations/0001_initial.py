"""Operation and Plan, moved here from the clusters app (clusters/0007 renamed their
tables): the state only, plus their content types, so that admin permissions and the
rows' history stay attached to them."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import operations.models


def move_content_types(apps: Any, schema_editor: Any) -> None:
    """In a database made before the move: the content types follow their models, and the
    two custom permissions go to Cluster (their names stay clusters.*). Where the target
    already exists, the old one's groups and users are moved to it and the old one goes."""
    content_type = apps.get_model("contenttypes", "ContentType")
    cluster = content_type.objects.filter(app_label="clusters", model="cluster").first()
    for model in ("operation", "plan"):
        old = content_type.objects.filter(app_label="clusters", model=model).first()
        if old is None:
            continue
        if cluster is not None:
            for perm in old.permission_set.filter(codename__in=CUSTOM):
                _move(apps, perm, cluster)
        new = content_type.objects.filter(app_label="operations", model=model).first()
        if new is None:
            old.app_label = "operations"
            old.save()
            continue
        for perm in old.permission_set.all():
            _move(apps, perm, new)
        old.delete()


CUSTOM = ["operate_cluster", "administer_cluster"]


def _move(apps: Any, perm: Any, target: Any) -> None:
    """perm onto the target content type, or merged into the one already there."""
    permission = apps.get_model("auth", "Permission")
    same = permission.objects.filter(content_type=target, codename=perm.codename).first()
    if same is None:
        perm.content_type = target
        perm.save()
        return
    for group in perm.group_set.all():
        group.permissions.add(same)
    for user in perm.user_set.all():
        user.user_permissions.add(same)
    perm.delete()


def keep_content_types(apps: Any, schema_editor: Any) -> None:
    """Going back leaves the content types as they are (Django recreates what it needs)."""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("clusters", "0007_operations_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Operation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                db_index=True, help_text="e.g. resource.move", max_length=40
                            ),
                        ),
                        (
                            "target",
                            models.CharField(
                                blank=True, help_text="node or resource id", max_length=255
                            ),
                        ),
                        ("summary", models.CharField(max_length=500)),
                        (
                            "change",
                            models.JSONField(
                                help_text="the validated change (kind, stage and live argv)"
                            ),
                        ),
                        (
                            "dry_run",
                            models.BooleanField(
                                default=False, help_text="a plan: nothing was changed"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                    ("interrupted", "Interrupted"),
                                ],
                                default="queued",
                                max_length=12,
                            ),
                        ),
                        (
                            "node",
                            models.CharField(
                                blank=True, help_text="where the commands ran", max_length=255
                            ),
                        ),
                        ("argv", models.JSONField(default=list)),
                        ("steps", models.JSONField(default=list)),
                        ("exit_status", models.IntegerField(blank=True, null=True)),
                        ("stdout", models.TextField(blank=True)),
                        ("stderr", models.TextField(blank=True)),
                        (
                            "error",
                            models.TextField(blank=True, help_text="why it failed, in one line"),
                        ),
                        (
                            "cib_before",
                            models.CharField(
                                blank=True, help_text="admin_epoch:epoch", max_length=40
                            ),
                        ),
                        ("cib_after", models.CharField(blank=True, max_length=40)),
                        ("cib_diff", models.TextField(blank=True)),
                        (
                            "revert_patch",
                            models.TextField(
                                blank=True, help_text="crm_diff patchset that undoes it"
                            ),
                        ),
                        (
                            "reconciliation",
                            models.TextField(blank=True, help_text="what was found after a crash"),
                        ),
                        ("created", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("started", models.DateTimeField(blank=True, null=True)),
                        ("finished", models.DateTimeField(blank=True, null=True)),
                        (
                            "cluster",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="clusters.cluster",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Plan",
                    fields=[
                        (
                            "id",
                            models.CharField(
                                default=operations.models._plan_id,
                                editable=False,
                                max_length=32,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("target", models.CharField(blank=True, max_length=255)),
                        ("summary", models.CharField(max_length=500)),
                        ("change", models.JSONField()),
                        ("base_version", models.CharField(max_length=40)),
                        ("actions", models.JSONField(default=list)),
                        ("cib_diff", models.TextField(blank=True)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "applied_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="operations.operation",
                            ),
                        ),
                        (
                            "cluster",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="clusters.cluster",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created"],
                    },
                ),
                migrations.AddField(
                    model_name="operation",
                    name="plan",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="operations.plan",
                    ),
                ),
                migrations.AddIndex(
                    model_name="operation",
                    index=models.Index(
                        fields=["cluster", "-created"], name="clusters_op_cluster_06fda5_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="operation",
                    index=models.Index(fields=["status"], name="clusters_op_status_0f0d51_idx"),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, keep_content_types),
    ]
