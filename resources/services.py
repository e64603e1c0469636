"""Keeping the Resource mirror equal to what crm_mon last showed."""

from __future__ import annotations

import datetime
from typing import Any

from hacore.pacemaker.snapshot import Json
from resources.models import DrbdDevice, Resource, VirtualMachine

_FIELDS = [
    "kind",
    "agent",
    "role",
    "target_role",
    "active",
    "managed",
    "failed",
    "blocked",
    "orphaned",
    "disabled",
    "promotable",
]


def _fold(snapshot: Json) -> list[tuple[Json, str | None, list[Json]]]:
    """(resource, parent id, instances) per configured id, in crm_mon order.

    A clone's instances repeat their member's id: they become one entry whose
    instances list keeps every copy (for placement).
    """
    order: list[str] = []
    entries: dict[str, tuple[Json, str | None, list[Json]]] = {}

    def walk(resource: Json, parent: str | None) -> None:
        rid = resource["id"]
        if rid not in entries:
            order.append(rid)
            entries[rid] = (resource, parent, [])
        entries[rid][2].append(resource)
        for child in resource.get("children", []):
            walk(child, rid)

    for resource in snapshot.get("resources", []):
        walk(resource, None)
    return [entries[rid] for rid in order]


def _values(resource: Json, instances: list[Json]) -> dict[str, Any]:
    values = {f: resource.get(f) for f in _FIELDS}
    values["agent"] = values["agent"] or ""
    values["role"] = values["role"] or ""
    values["target_role"] = values["target_role"] or ""
    nodes: list[str] = []
    placement: list[dict[str, str]] = []
    for instance in instances:
        for node in instance.get("nodes", []):
            if node not in nodes:
                nodes.append(node)
            placement.append({"node": node, "role": instance.get("role") or ""})
    values["active"] = any(i.get("active") for i in instances)
    values["failed"] = any(i.get("failed") for i in instances)
    values["blocked"] = any(i.get("blocked") for i in instances)
    values.update(nodes=nodes, placement=placement)
    return values


def mirror_resources(cluster_id: int, snapshot: Json, now: datetime.datetime) -> None:
    """Upsert one Resource row per configured resource; delete rows crm_mon no longer shows.

    Only the rows whose mirrored values changed are written one by one; every row's
    `confirmed` then moves to now in one query (a status read of a large cluster
    changes a few rows, not thousands).
    """
    existing = {r.rid: r for r in Resource.objects.filter(cluster_id=cluster_id)}
    keep: set[str] = set()
    for position, (resource, parent_id, instances) in enumerate(_fold(snapshot)):
        rid = resource["id"]
        keep.add(rid)
        row = existing.get(rid)
        values = {**_values(resource, instances), "position": position}
        parent = existing.get(parent_id) if parent_id else None
        if row is None or row.parent_id != (parent.pk if parent else None) or _differs(row, values):
            new_kind = row is None or row.agent != values["agent"]
            row = row or Resource(cluster_id=cluster_id, rid=rid)
            for name, value in values.items():
                setattr(row, name, value)
            row.confirmed, row.parent = now, parent
            row.save()
            if new_kind:
                _placeholders(row)
        existing[rid] = row
    if existing.keys() - keep:
        Resource.objects.filter(cluster_id=cluster_id).exclude(rid__in=keep).delete()
    Resource.objects.filter(cluster_id=cluster_id).update(confirmed=now)


def _differs(row: Resource, values: dict[str, Any]) -> bool:
    """Whether any of values is not what row holds."""
    return any(getattr(row, name) != value for name, value in values.items())


def mirror_vms(cluster_id: int, seen: dict[str, Json], now: datetime.datetime) -> int:
    """Fill the VM rows from what libvirt said (resource -> {"domain", "hypervisor",
    "state": {node: state or None}}; a node that could not be read is not in "state");
    the number of rows updated (resources the mirror does not have yet wait for it)."""
    updated = 0
    rows = Resource.objects.filter(cluster_id=cluster_id, rid__in=list(seen))
    for row in rows:
        if not row.is_vm:
            continue
        what = seen[row.rid]
        VirtualMachine.objects.update_or_create(
            resource=row,
            defaults={
                "domain": what["domain"],
                "hypervisor": what["hypervisor"],
                "state": what["state"],
                "confirmed": now,
            },
        )
        updated += 1
    return updated


def mirror_drbd(cluster_id: int, node: str, seen: dict[str, Json], now: datetime.datetime) -> int:
    """Fill the DRBD rows with what one node's drbdsetup said (primitive id -> {"name",
    "state"}: its DRBD resource and its state there, as the API shows it); the rows
    updated (primitives the mirror does not have yet wait for it)."""
    updated = 0
    for device in DrbdDevice.objects.filter(
        resource__cluster_id=cluster_id, resource__rid__in=list(seen)
    ).select_related("resource"):
        what = seen[device.resource.rid]
        device.drbd_resource = what["name"]
        device.state = {**device.state, node: what["state"]}
        device.confirmed = now
        device.save(update_fields=["drbd_resource", "state", "confirmed"])
        updated += 1
    return updated


def _placeholders(row: Resource) -> None:
    """The DRBD or VM row a resource of that agent gets (its state comes later)."""
    if row.is_drbd:
        DrbdDevice.objects.get_or_create(resource=row)
    elif row.is_vm:
        VirtualMachine.objects.get_or_create(resource=row)
