"""What changed between two status snapshots, as timeline entries (no Django, no I/O).

Order within one diff: quorum and DC, then nodes, then fencing, then resources, so a
crash reads "node3 lost", "node3 fenced", "dummy1 moved" as it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clusters.choices import EventKind, Severity
from hacore.pacemaker.snapshot import Json, flat_resources


@dataclass(frozen=True)
class Change:
    """One timeline entry to record: kind, severity, message, the node/resource it is about."""

    kind: EventKind
    severity: Severity
    message: str
    node: str | None = None
    resource: str | None = None


def diff(old: Json | None, new: Json) -> list[Change]:
    """The changes from old to new; none when there is no old snapshot to compare."""
    if not old:
        return []
    changes: list[Change] = []
    changes += _cluster_changes(old.get("summary", {}), new.get("summary", {}))
    changes += _node_changes(old, new)
    changes += _fence_changes(old, new)
    changes += _resource_changes(old, new)
    return changes


def _cluster_changes(old: Json, new: Json) -> list[Change]:
    out: list[Change] = []
    if old.get("quorate") is True and new.get("quorate") is False:
        out.append(Change(EventKind.QUORUM_LOST, Severity.CRITICAL, "quorum lost"))
    if old.get("quorate") is False and new.get("quorate") is True:
        out.append(Change(EventKind.QUORUM_REGAINED, Severity.INFO, "quorum regained"))
    if old.get("dc") and new.get("dc") and old.get("dc") != new.get("dc"):
        out.append(
            Change(
                EventKind.DC_CHANGED,
                Severity.INFO,
                f"DC changed from {old['dc']} to {new['dc']}",
                node=new["dc"],
            )
        )
    return out


@dataclass(frozen=True)
class _Flag:
    """A node flag whose flips are events: kind and severity when it turns on, and off."""

    name: str
    on: tuple[EventKind, Severity, str]
    off: tuple[EventKind, Severity, str] | None


_NODE_FLAGS = [
    _Flag(
        "online",
        (EventKind.NODE_JOINED, Severity.INFO, "joined"),
        (EventKind.NODE_LOST, Severity.CRITICAL, "lost"),
    ),
    _Flag("unclean", (EventKind.NODE_UNCLEAN, Severity.CRITICAL, "is unclean"), None),
    _Flag(
        "standby",
        (EventKind.NODE_STANDBY, Severity.INFO, "in standby"),
        (EventKind.NODE_UNSTANDBY, Severity.INFO, "out of standby"),
    ),
    _Flag(
        "maintenance",
        (EventKind.NODE_MAINTENANCE, Severity.INFO, "in maintenance"),
        (EventKind.NODE_UNMAINTENANCE, Severity.INFO, "out of maintenance"),
    ),
]


def _node_changes(old: Json, new: Json) -> list[Change]:
    before = {n["name"]: n for n in old.get("nodes", [])}
    out: list[Change] = []
    for node in new.get("nodes", []):
        prev = before.get(node["name"])
        if prev is None:
            continue
        for flag in _NODE_FLAGS:
            was, now = bool(prev.get(flag.name)), bool(node.get(flag.name))
            spec = flag.on if now else flag.off
            if was == now or spec is None:
                continue
            kind, severity, text = spec
            out.append(Change(kind, severity, f"{node['name']} {text}", node=node["name"]))
    return out


def _fence_key(event: Json) -> tuple[Any, ...]:
    return (
        event.get("target"),
        event.get("action"),
        event.get("status"),
        event.get("completed"),
        event.get("delegate"),
    )


def _fence_changes(old: Json, new: Json) -> list[Change]:
    seen = {_fence_key(e) for e in old.get("fence_history", [])}
    out: list[Change] = []
    for event in new.get("fence_history", []):
        if _fence_key(event) in seen or event.get("status") == "pending":
            continue
        target, action = event.get("target"), event.get("action")
        by = f" by {event['delegate']}" if event.get("delegate") else ""
        if event.get("status") == "success":
            out.append(
                Change(
                    EventKind.NODE_FENCED,
                    Severity.CRITICAL,
                    f"{target} fenced ({action}){by}",
                    node=target,
                )
            )
        else:
            reason = event.get("exit_reason") or event.get("status")
            out.append(
                Change(
                    EventKind.FENCING_FAILED,
                    Severity.CRITICAL,
                    f"fencing {target} ({action}) failed{by}: {reason}",
                    node=target,
                )
            )
    return out


def placements(snapshot: Json) -> dict[str, dict[str, str]]:
    """Primitive id -> {node: role} over all its instances."""
    out: dict[str, dict[str, str]] = {}
    for resource in flat_resources(snapshot):
        if resource.get("kind") != "primitive":
            continue
        where = out.setdefault(resource["id"], {})
        for node in resource.get("nodes", []):
            where[node] = resource.get("role") or "Started"
    return out


def _resource_changes(old: Json, new: Json) -> list[Change]:
    before, after = placements(old), placements(new)
    out: list[Change] = []
    for rid, now in after.items():
        was = before.get(rid)
        if was is None:
            continue
        out += _placement_changes(rid, was, now)
    out += _failure_changes(old, new)
    return out


def _placement_changes(rid: str, was: dict[str, str], now: dict[str, str]) -> list[Change]:
    gone = [n for n in was if n not in now]
    came = [n for n in now if n not in was]
    out: list[Change] = []
    if len(gone) == 1 and len(came) == 1:
        out.append(
            Change(
                EventKind.RESOURCE_MOVED,
                Severity.INFO,
                f"{rid} moved from {gone[0]} to {came[0]}",
                came[0],
                rid,
            )
        )
    else:
        out += [
            Change(EventKind.RESOURCE_STOPPED, Severity.INFO, f"{rid} stopped on {n}", n, rid)
            for n in gone
        ]
        out += [
            Change(EventKind.RESOURCE_STARTED, Severity.INFO, f"{rid} started on {n}", n, rid)
            for n in came
        ]
    for node, role in now.items():
        if node in was and was[node] != role and "Promoted" in (role, was[node]):
            promoted = role == "Promoted"
            kind = EventKind.RESOURCE_PROMOTED if promoted else EventKind.RESOURCE_DEMOTED
            text = "promoted" if promoted else "demoted"
            out.append(Change(kind, Severity.INFO, f"{rid} {text} on {node}", node, rid))
    return out


def _failure_changes(old: Json, new: Json) -> list[Change]:
    def key(f: Json) -> tuple[Any, ...]:
        return (f.get("op_key"), f.get("node"), f.get("call"), f.get("last_rc_change"))

    seen = {key(f) for f in old.get("failures", [])}
    out: list[Change] = []
    for failure in new.get("failures", []):
        if key(failure) in seen:
            continue
        reason = f": {failure['exitreason']}" if failure.get("exitreason") else ""
        what = f"{failure['op_key']} failed on {failure['node']} ({failure['exitstatus']})"
        out.append(
            Change(
                EventKind.RESOURCE_FAILED,
                Severity.WARNING,
                what + reason,
                failure.get("node"),
                failure.get("resource"),
            )
        )
    return out
