"""Celery tasks of the clusters app (they take ids, not objects)."""

from __future__ import annotations

from celery import shared_task

from clusters.drain_service import run_drain  # noqa: F401 - the worker finds it here
from clusters.models import Cluster
from clusters.refresh import ClusterUnreachable, refresh_status


@shared_task(name="clusters.refresh_status")
def refresh_status_task(cluster_id: int) -> dict[str, object]:
    """Read the cluster's status now and mirror it; report which node answered."""
    cluster = Cluster.objects.get(pk=cluster_id)
    try:
        read = refresh_status(cluster)
    except ClusterUnreachable as exc:
        return {"cluster": cluster_id, "ok": False, "error": exc.reason}
    return {"cluster": cluster_id, "ok": True, "node": read.node}
