"""The mirror: store what was read from a cluster, record what changed, say what to publish.

Every function here takes what was read (or that nothing could be read) and updates the
database in one transaction; it returns the message to push to browsers, which the
caller publishes once the transaction is committed (`publish` / `apublish`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clusters import advice_store
from clusters.choices import EventKind, Severity
from clusters.contact import Contact, contacts
from clusters.diff import Change, diff
from clusters.models import Cluster, Event
from fencing.services import mirror_fence_devices
from hacore.pacemaker import snapshot as snap
from hacore.pacemaker.model import ClusterStatus
from hacore.pacemaker.partitions import Partition
from hacore.pacemaker.pcs import PcsTools
from nodes.models import Node
from operations.feed import OVERVIEW_GROUP, asend, cluster_group, send
from resources.services import mirror_resources

Json = dict[str, Any]


@transaction.atomic
def apply_status(cluster_id: int, status: ClusterStatus, read_from: str) -> Json:
    """Mirror a status read from node `read_from`; record events; return the message."""
    cluster = Cluster.objects.select_for_update().prefetch_related("nodes").get(pk=cluster_id)
    now = timezone.now()
    new = snap.to_snapshot(status)
    changes = diff(cluster.snapshot, new)
    if cluster.read_error:
        changes.insert(
            0,
            Change(EventKind.READ_RECOVERED, Severity.INFO, f"status read again from {read_from}"),
        )
        cluster.read_error = ""
    if cluster.reachable is False:
        changes.insert(
            0,
            Change(
                EventKind.CONTACT_REGAINED,
                Severity.INFO,
                f"contact regained through {read_from}",
                node=read_from,
            ),
        )
    elif cluster.status_node and cluster.status_node != read_from:
        changes.insert(
            0,
            Change(
                EventKind.MONITOR_SWITCHED,
                Severity.INFO,
                f"now reading from {read_from} (was {cluster.status_node})",
                node=read_from,
            ),
        )
    standby_since = _mirror_nodes(cluster, status, now)
    mirror_resources(cluster.pk, new, now)
    mirror_fence_devices(cluster.pk, new, now)
    found = snap.warnings(new, standby_since) + alarm_warnings(cluster)
    cluster.snapshot, cluster.status_node, cluster.reachable = new, read_from, True
    cluster.status_confirmed = now
    cluster.quorate, cluster.dc = status.quorate, status.dc or ""
    cluster.stonith_enabled = status.summary.stonith_enabled
    cluster.maintenance_mode = status.summary.maintenance_mode
    cluster.health = snap.health(found, True)
    cluster.save()
    return _bump(cluster, _record(cluster, changes))


_NODE_STATE = (
    "online", "standby", "maintenance", "unclean", "pending", "shutdown", "is_dc",
    "resources_running",
)  # fmt: skip


def _node_state(node: Node) -> list[Any]:
    """What a status read may change in a node's row (status_confirmed aside)."""
    return [getattr(node, name) for name in (*_NODE_STATE, "standby_since")]


def _mirror_nodes(
    cluster: Cluster, status: ClusterStatus, now: datetime.datetime
) -> dict[str, datetime.datetime]:
    """The nodes' rows as crm_mon shows them (only those that changed are written, every
    one's status_confirmed in one query); since when each node in standby has been."""
    standby_since: dict[str, datetime.datetime] = {}
    for node in cluster.nodes.all():
        seen = status.node(node.name)
        was = _node_state(node)
        if seen is None:
            node.online = node.standby = node.maintenance = node.unclean = None
            node.pending = node.shutdown = node.is_dc = node.resources_running = None
        else:
            if seen.standby and not node.standby:
                node.standby_since = now
            elif not seen.standby:
                node.standby_since = None
            for name in _NODE_STATE:
                setattr(node, name, getattr(seen, name))
        node.status_confirmed = now
        if was != _node_state(node):
            node.save(update_fields=[*_NODE_STATE, "standby_since", "status_confirmed"])
        if node.standby and node.standby_since:
            standby_since[node.name] = node.standby_since
    Node.objects.filter(cluster_id=cluster.pk).update(status_confirmed=now)
    return standby_since


def wants_tools(cluster_id: int, pacemaker_version: str) -> bool:
    """Whether the cluster's tools must be read: never read, or Pacemaker changed."""
    cluster = Cluster.objects.only("pcs_capabilities", "pacemaker_version").get(pk=cluster_id)
    return cluster.pcs_capabilities is None or cluster.pacemaker_version != pacemaker_version


def record_tools(cluster_id: int, tools: PcsTools, pacemaker_version: str) -> None:
    """Keep what the cluster's pcs can do (and for which Pacemaker version it was read)."""
    Cluster.objects.filter(pk=cluster_id).update(
        pcs_version=tools.version,
        pcs_capabilities=sorted(tools.capabilities),
        pacemaker_version=pacemaker_version,
        tools_read=timezone.now(),
    )


@transaction.atomic
def mark_unreachable(cluster_id: int, reason: str) -> Json | None:
    """No node answered: keep the last data (its age shows) and say so, once."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    if cluster.reachable is False:
        return None
    cluster.reachable = False
    cluster.health = "red"
    cluster.save(update_fields=["reachable", "health"])
    lost = Change(EventKind.CONTACT_LOST, Severity.CRITICAL, f"no node answers: {reason}")
    return _bump(cluster, _record(cluster, [lost]))


@transaction.atomic
def apply_partitions(cluster_id: int, seen: list[Partition]) -> Json | None:
    """Record the partitions seen: a split (more than one) once, its end once."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    now = [p.as_dict() for p in seen] if len(seen) > 1 else []
    if now == cluster.partitions:
        return None
    was_split, cluster.partitions = bool(cluster.partitions), now
    cluster.save(update_fields=["partitions"])
    if now:
        change = Change(EventKind.PARTITIONED, Severity.CRITICAL, f"split: {_sides(seen)}")
    elif was_split:
        change = Change(EventKind.PARTITIONS_HEALED, Severity.INFO, "partitions healed")
    else:
        return None
    return _bump(cluster, _record(cluster, [change]))


def _sides(seen: list[Partition]) -> str:
    """ "node1, node2 (DC node1, quorum) | node3 (DC node3, no quorum); read from node1"."""
    sides = [
        f"{', '.join(p.nodes)} (DC {p.dc or 'none'}, {'quorum' if p.quorate else 'no quorum'})"
        for p in seen
    ]
    return f"{' | '.join(sides)}; reading from {seen[0].read_from}"


@transaction.atomic
def mark_unreadable(cluster_id: int, reason: str) -> Json | None:
    """Nodes answered but their status could not be read: keep the last good data (its
    age shows), say why in the tool's own words, once per distinct reason."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    if cluster.read_error == reason:
        return None
    cluster.read_error = reason
    cluster.save(update_fields=["read_error"])
    failed = Change(EventKind.READ_FAILED, Severity.CRITICAL, f"status unreadable: {reason}")
    return _bump(cluster, _record(cluster, [failed]))


@transaction.atomic
def confirm_unchanged(cluster_id: int) -> Json | None:
    """A probe found the CIB unchanged: the stored status is current as of now."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    if cluster.reachable is not True:
        return None
    cluster.status_confirmed = timezone.now()
    cluster.save(update_fields=["status_confirmed"])
    return _bump(cluster, [])


@dataclass(frozen=True)
class Alarm:
    """A kind of alarm the monitor's node watches raise: the Cluster field holding the
    current ones (each {"resource", "message", ...}), its warning code, its events."""

    field: str
    code: str
    begins: EventKind
    ends: EventKind
    ended: str  # the words of its end, {resource} filled in
    severity: Severity = Severity.CRITICAL


ALARMS = {
    "double_runs": Alarm(
        "double_runs",
        "double_run",
        EventKind.DOUBLE_RUN,
        EventKind.DOUBLE_RUN_ENDED,
        "VM {resource} no longer runs twice or outside Pacemaker",
    ),
    "split_brains": Alarm(
        "split_brains",
        "split_brain",
        EventKind.SPLIT_BRAIN,
        EventKind.SPLIT_BRAIN_ENDED,
        "DRBD {resource} is no longer StandAlone",
    ),
    "stalled_resyncs": Alarm(
        "stalled_resyncs",
        "resync_stalled",
        EventKind.RESYNC_STALLED,
        EventKind.RESYNC_RESUMED,
        "DRBD {resource}'s resync moves again (or ended)",
        Severity.WARNING,
    ),
}


@transaction.atomic
def apply_alarms(cluster_id: int, field: str, alarms: list[Json]) -> Json | None:
    """Record the current alarms of one kind (ALARMS[field]): an event when one begins
    or ends, the cluster's health; the message, or None when nothing changed."""
    alarm = ALARMS[field]
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    old = {a["resource"]: a for a in getattr(cluster, field)}
    new = {a["resource"]: a for a in alarms}
    if old == new:
        return None
    changes = [
        Change(alarm.begins, alarm.severity, a["message"], resource=key)
        for key, a in new.items()
        if old.get(key) != a
    ] + [
        Change(alarm.ends, Severity.INFO, alarm.ended.format(resource=key), resource=key)
        for key in old
        if key not in new
    ]
    setattr(cluster, field, alarms)
    if cluster.reachable and cluster.snapshot:
        found = snap.warnings(cluster.snapshot, _standby_since(cluster)) + alarm_warnings(cluster)
        cluster.health = snap.health(found, True)
    cluster.save(update_fields=[field, "health"])
    return _bump(cluster, _record(cluster, changes))


def _standby_since(cluster: Cluster) -> dict[str, datetime.datetime]:
    """Since when each node in standby has been (as mirrored)."""
    return {n.name: n.standby_since for n in cluster.nodes.all() if n.standby_since}


def alarm_warnings(cluster: Cluster) -> list[Json]:
    """The warnings of the current alarms (double runs, split-brains: critical; stalled
    resyncs)."""
    return [
        {
            "level": alarm.severity.value,
            "code": alarm.code,
            "message": a["message"],
            "resource": a["resource"],
        }
        for alarm in ALARMS.values()
        for a in getattr(cluster, alarm.field)
    ]


@transaction.atomic
def touch(cluster_id: int) -> Json:
    """Something shown with the status changed (the advice): the message again, with
    the next seq, so pages and walls take it."""
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    return _bump(cluster, [])


def _record(cluster: Cluster, changes: list[Change]) -> list[Event]:
    nodes = {n.name: n for n in cluster.nodes.all()}
    events = [
        Event(
            cluster=cluster,
            kind=c.kind,
            severity=c.severity,
            message=c.message,
            node=nodes.get(c.node or ""),
            resource=c.resource or "",
        )
        for c in changes
    ]
    return Event.objects.bulk_create(events)


def _bump(cluster: Cluster, events: list[Event]) -> Json:
    Cluster.objects.filter(pk=cluster.pk).update(status_seq=F("status_seq") + 1)
    cluster.refresh_from_db(fields=["status_seq"])
    message = cluster_message(cluster)
    message["events"] = [event_json(e) for e in events]
    return message


def event_json(event: Event) -> Json:
    """An event as the API and the pushed messages show it."""
    return {
        "id": event.pk,
        "cluster": event.cluster_id,
        "kind": event.kind,
        "severity": event.severity,
        "message": event.message,
        "node": event.node.name if event.node else None,
        "resource": event.resource or None,
        "created": event.created.isoformat() if event.created else None,
    }


def cluster_message(cluster: Cluster, contact: Contact | None = None) -> Json:
    """The status message of a cluster as stored: what the API serves and browsers get.

    contact: the last live contact (read from Redis when not given). Without a live
    contact for STALE_AFTER seconds, or with no node answering, the status is stale and
    its health "grey": old data, not a cluster that is down. health_in_contact is the
    health while the contact is live, so that a page can turn grey when the heartbeats
    stop and back when they resume without another status.
    """
    if contact is None:
        contact = contacts([cluster.pk])[cluster.pk]
    data = cluster.snapshot or {}
    found = snap.warnings(data, _standby_since(cluster)) if data else []
    reachable = bool(cluster.reachable)
    if cluster.read_error:
        found.insert(
            0,
            {
                "level": "critical",
                "code": "read_failed",
                "message": f"The cluster's status cannot be read: {cluster.read_error}. "
                "The data shown is the last good read.",
            },
        )
    if cluster.partitions:
        found.insert(
            0,
            {
                "level": "critical",
                "code": "split",
                "message": "The cluster is split: "
                + " | ".join(
                    f"{', '.join(p['nodes'])} (DC {p['dc'] or 'none'}, "
                    f"{'quorum' if p['quorate'] else 'no quorum'})"
                    for p in cluster.partitions
                )
                + f". The console reads from {cluster.partitions[0]['read_from']}.",
            },
        )
    found[:0] = alarm_warnings(cluster)
    if not reachable:
        found.insert(
            0,
            {
                "level": "critical",
                "code": "unreachable",
                "message": "No node of the cluster answers; the data shown is old.",
            },
        )
    live = "grey" if not reachable or cluster.read_error else snap.health(found, True)
    return {
        "type": "cluster.status",
        "cluster": {"id": cluster.pk, "name": cluster.name},
        "seq": cluster.status_seq,
        "reachable": cluster.reachable,
        "read_at": cluster.status_confirmed.isoformat() if cluster.status_confirmed else None,
        "read_from": cluster.status_node or None,
        "contact": contact.as_json(),
        "health": "grey" if contact.stale() else live,
        "health_in_contact": live,
        "read_error": cluster.read_error or None,
        "partitions": cluster.partitions,
        "tile": snap.tile(data),
        "warnings": found,
        "advice": advice_store.summary(cluster, data),
        "status": data,
        "events": [],
    }


def tile_message(message: Json) -> Json:
    """The overview/wall form of a status message: everything but the full status."""
    tile = {k: v for k, v in message.items() if k != "status"}
    tile["type"] = "cluster.tile"
    return tile


def _group_messages(message: Json) -> list[tuple[str, Json]]:
    group = cluster_group(message["cluster"]["id"])
    return [(group, message), (OVERVIEW_GROUP, tile_message(message))]


async def apublish(message: Json | None) -> None:
    """Push a status message to the cluster's page and a tile to the overview and wall."""
    if message is not None:
        await asend(_group_messages(message))


async def apublish_contact(cluster_id: int, contact: Contact, seq: int | None = None) -> None:
    """Push a heartbeat to the cluster's page and to the overview and walls; with seq (the
    cluster's current status_seq) a page that missed the last status (the channel layer
    drops messages for a client over its capacity) learns it is behind and refetches."""
    message: Json = {
        "type": "cluster.contact",
        "cluster": {"id": cluster_id},
        "contact": contact.as_json(),
    }
    if seq is not None:
        message["seq"] = seq
    await asend([(cluster_group(cluster_id), message), (OVERVIEW_GROUP, message)])


def status_seq(cluster_id: int) -> int | None:
    """The cluster's current status_seq (None: the cluster is gone)."""
    return Cluster.objects.filter(pk=cluster_id).values_list("status_seq", flat=True).first()


def publish(message: Json | None) -> None:
    """apublish() for synchronous callers (views, tasks)."""
    if message is not None:
        send(_group_messages(message))
