"""Keeping the FenceDevice mirror equal to what crm_mon last showed."""

from __future__ import annotations

import datetime

from fencing.models import FenceDevice
from hacore.pacemaker.snapshot import Json, flat_resources


def mirror_fence_devices(cluster_id: int, snapshot: Json, now: datetime.datetime) -> None:
    """One FenceDevice row per `stonith:` primitive; rows for vanished devices are deleted.

    Only new or changed rows are written one by one; every row's `confirmed` moves to
    now in one query."""
    rows = FenceDevice.objects.filter(cluster_id=cluster_id)
    existing = {row.rid: row for row in rows}
    keep: set[str] = set()
    for resource in flat_resources(snapshot):
        agent = str(resource.get("agent") or "")
        if resource.get("kind") != "primitive" or not agent.startswith("stonith:"):
            continue
        keep.add(resource["id"])
        values = {
            "agent": agent,
            "active": bool(resource.get("active")),
            "failed": bool(resource.get("failed")),
            "disabled": bool(resource.get("disabled")),
            "nodes": list(resource.get("nodes", [])),
        }
        row = existing.get(resource["id"])
        if row is None or any(getattr(row, k) != v for k, v in values.items()):
            row = row or FenceDevice(cluster_id=cluster_id, rid=resource["id"])
            for name, value in values.items():
                setattr(row, name, value)
            row.confirmed = now
            row.save()
    if existing.keys() - keep:
        rows.exclude(rid__in=keep).delete()
    rows.update(confirmed=now)
