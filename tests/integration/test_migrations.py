"""A database made before Operation and Plan moved to the operations app migrates with
its rows, their ids and the role permissions intact."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from operations.change import Change
from operations.models import Operation, Plan

BEFORE = [("clusters", "0006_operation_revert_patch"), ("operations", None)]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.fixture
def old_database(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The schema as the clusters app had it before the move; brought back to the latest."""
    executor = migrate(BEFORE)
    yield executor
    migrate(list(executor.loader.graph.leaf_nodes()))


def test_rows_permissions_and_content_types_survive_the_move(
    old_database: MigrationExecutor,
) -> None:
    applied = list(MigrationRecorder(connection).applied_migrations())
    old = old_database.loader.project_state(applied).apps
    user = old.get_model("auth", "User").objects.create(username="alice")
    credential = old.get_model("nodes", "SshCredential").objects.create(username="root")
    cluster = old.get_model("clusters", "Cluster").objects.create(name="c1", credential=credential)
    plan = old.get_model("clusters", "Plan").objects.create(
        cluster=cluster, kind="node.standby", summary="standby node2", change={}, base_version="0:9"
    )
    op = old.get_model("clusters", "Operation").objects.create(
        cluster=cluster,
        user=user,
        kind="node.standby",
        summary="standby node2",
        change={},
        plan=plan,
        status="succeeded",
        revert_patch="<diff/>",
    )
    content_type = old.get_model("contenttypes", "ContentType")
    permission = old.get_model("auth", "Permission")
    op_type, _ = content_type.objects.get_or_create(app_label="clusters", model="operation")
    content_type.objects.get_or_create(app_label="clusters", model="cluster")
    operate = permission.objects.create(
        content_type=op_type, codename="operate_cluster", name="Can run runtime actions"
    )
    group = old.get_model("auth", "Group").objects.create(name="operators-old")
    group.permissions.add(operate)

    migrate(list(old_database.loader.graph.leaf_nodes()))

    moved = Operation.objects.get(pk=op.pk)
    assert (moved.summary, moved.user.username, moved.revert_patch) == (  # type: ignore[union-attr]
        "standby node2",
        "alice",
        "<diff/>",
    )
    assert moved.plan_id == plan.pk
    assert Plan.objects.get(pk=plan.pk).base_version == "0:9"
    kept = Group.objects.get(name="operators-old").permissions.get()
    assert (kept.content_type.app_label, kept.content_type.model, kept.codename) == (
        "clusters",
        "cluster",
        "operate_cluster",
    ), "the group keeps its permission, still called clusters.operate_cluster"
    assert list(ContentType.objects.filter(model="operation").values_list("app_label")) == [
        ("operations",)
    ]
    alice = moved.user
    assert alice is not None
    alice.groups.add(group.pk)
    assert alice.has_perm("clusters.operate_cluster")


def test_secrets_recorded_by_an_older_version_are_masked_and_sealed(
    transactional_db: None,
) -> None:
    executor = migrate([("operations", "0002_operation_seq")])  # before the redaction
    applied = list(MigrationRecorder(connection).applied_migrations())
    old = executor.loader.project_state(applied).apps
    credential = old.get_model("nodes", "SshCredential").objects.create(username="root")
    cluster = old.get_model("clusters", "Cluster").objects.create(name="c1", credential=credential)
    argv = ["pcs", "-f", "/tmp/x", "stonith", "create", "d", "fence_ipmilan", "password=Old-S3cret"]
    op = old.get_model("operations", "Operation").objects.create(
        cluster=cluster,
        kind="fence.create",
        summary="create fence device d",
        change={
            "kind": "fence.create",
            "target": "d",
            "summary": "s",
            "permission": "p",
            "stage": [argv[3:]],
            "live": [],
        },
        argv=[argv],
        steps=[{"argv": argv, "stdout": "", "stderr": "Warning: password=Old-S3cret"}],
        stderr="$ pcs ... password=Old-S3cret",
        cib_diff='+ <nvpair id="d-password" name="password" value="Old-S3cret"/>',
    )
    migrate(list(executor.loader.graph.leaf_nodes()))
    row = Operation.objects.get(pk=op.pk)
    shown = f"{row.argv} {row.steps} {row.stderr} {row.cib_diff} {row.change}"
    assert "Old-S3cret" not in shown
    assert row.argv[0][-1] == "password=***"
    assert Change.from_json(row.change).stage[0][-1] == "password=Old-S3cret", "sealed, not lost"
