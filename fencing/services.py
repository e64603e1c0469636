"""Keeping the FenceDevice mirror equal to what crm_mon last showed."""

from __future__ import annotations

import datetime

from fencing.models import FenceDevice
from hacore.pacemaker.snapshot import Json, flat_resources


def mirror_fence_devices(cluster_id: int, snapshot: Json, now: datetime.datetime) -> None:
    """One FenceDevice row per `stonith:` primitive; rows for vanished devices are deleted."""
    keep: set[str] = set()
    for resource in flat_resources(snapshot):
        agent = str(resource.get("agent") or "")
        if resource.get("kind") != "primitive" or not agent.startswith("stonith:"):
            continue
        keep.add(resource["id"])
        FenceDevice.objects.update_or_create(
            cluster_id=cluster_id,
            rid=resource["id"],
            defaults={
                "agent": agent,
                "active": bool(resource.get("active")),
                "failed": bool(resource.get("failed")),
                "disabled": bool(resource.get("disabled")),
                "nodes": list(resource.get("nodes", [])),
                "confirmed": now,
            },
        )
    FenceDevice.objects.filter(cluster_id=cluster_id).exclude(rid__in=keep).delete()
