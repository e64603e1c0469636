"""The per-cluster operation lock and the reconciliation of interrupted runs, against the
real Redis (tests use their own database number: REDIS_URL)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings

from clusters.models import Cluster
from hacore.runner import HostKey
from operations import lock
from operations.engine import use_runner
from operations.models import Operation, OperationStatus
from operations.reconcile import mark_interrupted, reconcile
from tests.scripted import ScriptedRunner, expect, fixture

pytestmark = pytest.mark.django_db
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


@pytest.fixture
def conn() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(lock.lock_key(4242), lock.lock_key(4243))
    yield client
    client.delete(lock.lock_key(4242), lock.lock_key(4243))


def test_the_lock_is_held_by_one_operation_at_a_time(conn: redis.Redis) -> None:
    first, second = lock.ClusterLock(4242, 1, conn), lock.ClusterLock(4242, 2, conn)
    assert first.acquire(wait=0)
    assert not second.acquire(wait=0.3), "the second waits, then gives up"
    assert lock.holder(4242, conn) == "1"
    assert lock.ClusterLock(4243, 2, conn).acquire(wait=0), "another cluster is independent"


def test_only_the_holder_renews_or_releases(conn: redis.Redis) -> None:
    first, second = lock.ClusterLock(4242, 1, conn), lock.ClusterLock(4242, 2, conn)
    assert first.acquire(wait=0)
    assert not second.renew()
    second.release()
    assert lock.holder(4242, conn) == "1", "a release by another holder does nothing"
    assert first.renew()
    first.release()
    assert lock.holder(4242, conn) is None
    assert second.acquire(wait=0), "released: the next operation takes it"


def test_a_lock_that_is_not_renewed_expires(
    conn: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "TTL_MS", 200)
    held = lock.ClusterLock(4242, 1, conn)
    assert held.acquire(wait=0)
    assert held.renew(), "renewed within its TTL"
    time.sleep(0.35)
    assert lock.holder(4242, conn) is None
    assert not held.renew(), "too late: it is gone"
    assert lock.ClusterLock(4242, 2, conn).acquire(wait=0)


def running(cluster: Cluster, **fields: object) -> Operation:
    return Operation.objects.create(
        cluster=cluster,
        kind="node.standby",
        summary="standby node2",
        change={},
        status=OperationStatus.RUNNING,
        **fields,
    )


def test_a_running_operation_without_its_lock_is_interrupted(cluster: Cluster) -> None:
    conn = lock.client()
    orphan, alive = running(cluster), running(cluster)
    held = lock.ClusterLock(cluster.pk, alive.pk, conn)
    assert held.acquire(wait=0)
    try:
        assert mark_interrupted() == [orphan.pk]
    finally:
        held.release()
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.status == OperationStatus.INTERRUPTED
    assert "stopped before it ended" in orphan.error
    assert alive.status == OperationStatus.RUNNING, "its worker still holds the lock"
    assert mark_interrupted() == [alive.pk], "and once the lock is gone, it is interrupted too"


VERSION = ("cibadmin", "--query", "--xpath", "/cib", "--no-children")
CRM_MON = ("crm_mon", "--one-shot", "--inactive", "--output-as=xml")


@pytest.fixture
def scripted(cluster: Cluster) -> Iterator[ScriptedRunner]:
    """node1 of the cluster answers through a scripted runner (its key pinned)."""
    node = cluster.nodes.get(name="node1")
    node.pin(HostKey.parse(KEY))
    node.save()
    runner = ScriptedRunner()
    with use_runner(lambda: runner):
        yield runner


@pytest.mark.parametrize(
    ("before", "found"),
    [
        ("0:170", "the CIB configuration is unchanged: the change was not made"),
        ("0:169", "the CIB configuration changed: check the cluster page"),
        ("", "it is unknown whether the change was made"),
    ],
)
def test_reconciliation_reads_the_cluster_and_says_what_it_found(
    cluster: Cluster, scripted: ScriptedRunner, before: str, found: str
) -> None:
    op = running(cluster, cib_before=before)
    op.status = OperationStatus.INTERRUPTED
    op.save()
    scripted.script(
        "198.51.100.11",
        expect(*VERSION, out='<cib admin_epoch="0" epoch="170" num_updates="3"/>'),
        expect(*CRM_MON, out=fixture("crm_mon/all_online.xml")),
    )
    note = reconcile(op.pk)
    scripted.assert_done()
    op.refresh_from_db()
    assert op.reconciliation == note
    assert found in note
    assert "read from node1" in note
    cluster.refresh_from_db()
    assert cluster.reachable is True, "the status read went into the mirror"


def test_reconciliation_says_when_the_cluster_cannot_be_read(
    cluster: Cluster, scripted: ScriptedRunner
) -> None:
    op = running(cluster, cib_before="0:170")
    scripted.node("198.51.100.11").reachable = False
    note = reconcile(op.pk)
    assert note.startswith("could not read the cluster to reconcile")
    op.refresh_from_db()
    assert op.reconciliation == note
