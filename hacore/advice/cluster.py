"""Cluster-wide rules: fencing, quorum, leftovers of moves and bans, fail counts,
promotable clones."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from hacore.advice.model import (
    OPERATE,
    Facts,
    Finding,
    Fix,
    Ref,
    Severity,
    set_property,
)
from hacore.advice.tree import ancestry, base_id
from hacore.pacemaker.cib import CibResource
from hacore.pacemaker.status_resources import INFINITY

# Promotable agents known to allow one promoted instance only, and ones built for
# several. ocf:linbit:drbd is the DRBD advisor's: whether two primaries are allowed is
# said in the DRBD resource's own configuration (allow-two-primaries), not in the CIB.
SINGLE_PRIMARY = frozenset(
    {
        "ocf:heartbeat:pgsql",
        "ocf:heartbeat:mysql",
        "ocf:heartbeat:mariadb",
        "ocf:heartbeat:redis",
        "ocf:heartbeat:db2",
        "ocf:heartbeat:SAPHana",
        "ocf:suse:SAPHana",
        "ocf:heartbeat:SAPHanaController",
        "ocf:suse:SAPHanaController",
    }
)
MULTI_PRIMARY = frozenset({"ocf:heartbeat:galera", "ocf:pacemaker:Stateful"})
LEFT_TO_OTHERS = frozenset({"ocf:linbit:drbd"})
_CLUSTER_FS = {"gfs2", "ocfs2"}


def duration(delta: datetime.timedelta) -> str:
    """ "3 d 4 h", "2 h 5 min", "40 min", "12 s": how long, for people."""
    s = max(0, int(delta.total_seconds()))
    if s >= 86400:
        return f"{s // 86400} d {s % 86400 // 3600} h"
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 60} min" if s >= 60 else f"{s} s"


def fencing_disabled(facts: Facts) -> Iterator[Finding]:
    """stonith-enabled=false."""
    if facts.cib.stonith_enabled:
        return
    devices = facts.fence_devices()
    detail = (
        "Fencing is disabled (stonith-enabled=false): when a node stops answering, "
        "Pacemaker assumes it is down and starts its resources elsewhere, even if it still "
        "runs them, so two nodes can write the same data."
    )
    if not devices:
        detail += " No fence device is configured: configure one before enabling fencing."
    fix = set_property("stonith-enabled", "true") if devices else None
    yield Finding(
        "fencing_disabled", Severity.CRITICAL, detail, (Ref("property", "stonith-enabled"),), fix
    )


def node_not_fenceable(facts: Facts) -> Iterator[Finding]:
    """A node that no fence device claims and no fencing level covers (as the fencer
    answers `stonith_admin --list NODE`)."""
    if facts.claims is None or not facts.cib.stonith_enabled:
        return
    configured = {d.id for d in facts.fence_devices()}
    for node in facts.member_nodes():
        levels = [lv for lv in facts.topology if lv.target == node]
        usable = [lv for lv in levels if all(d in configured for d in lv.devices)]
        if facts.claims.get(node) or usable:
            continue
        detail = (
            f"No fence device can fence {node} (the fencer lists none for it and no fencing "
            f"level covers it): if {node} stops answering, the cluster cannot fence it and "
            "its resources stay blocked until someone confirms by hand that it is off."
        )
        yield Finding("node_not_fenceable", Severity.CRITICAL, detail, (Ref("node", node),))


def level_unknown_device(facts: Facts) -> Iterator[Finding]:
    """A fencing level naming a device that is not configured."""
    configured = {d.id for d in facts.fence_devices()}
    for level in facts.topology:
        for device in level.devices:
            if device in configured:
                continue
            detail = (
                f"Fencing level {level.index} of {level.target or '(a pattern)'} uses "
                f"{device}, which is not configured: that level always fails."
            )
            refs = (Ref("node", level.target), Ref("device", device))
            yield Finding("level_unknown_device", Severity.CRITICAL, detail, refs)


def two_node_without_wait_for_all(facts: Facts) -> Iterator[Finding]:
    """two_node: 1 with wait_for_all explicitly off (two_node turns it on by default)."""
    quorum = facts.quorum
    if quorum.get("quorum.two_node", "").strip() != "1":
        return
    if quorum.get("quorum.wait_for_all", "").strip() != "0":
        return
    detail = (
        "corosync runs with two_node: 1 and wait_for_all: 0. With two_node either node "
        "alone has quorum; without wait_for_all a node that starts while it cannot see the "
        "other (a network fault at boot) is quorate at once, fences the other and starts "
        "everything, and the other can do the same when it comes back: a fence loop. "
        "Remove 'wait_for_all: 0' from corosync.conf (two_node turns it on), then restart "
        "corosync (wait_for_all is only read at start)."
    )
    refs = (Ref("corosync", "quorum.two_node"), Ref("corosync", "quorum.wait_for_all"))
    yield Finding("two_node_without_wait_for_all", Severity.WARNING, detail, refs)


def _cluster_filesystem(facts: Facts) -> bool:
    every = (r for top in facts.cib.resources for r in top.walk())
    for r in every:
        fstype = dict(r.params).get("fstype", "").lower()
        if r.agent == "ocf:pacemaker:controld" or fstype in _CLUSTER_FS:
            return True
    return False


def no_quorum_policy_ignore(facts: Facts) -> Iterator[Finding]:
    """no-quorum-policy=ignore on more than two nodes."""
    nodes = facts.member_nodes()
    if (facts.cib.option("no-quorum-policy") or "").strip() != "ignore" or len(nodes) <= 2:
        return
    value = "freeze" if _cluster_filesystem(facts) else "stop"
    detail = (
        f"no-quorum-policy=ignore on {len(nodes)} nodes: a partition without quorum (a "
        "node cut off from the others) goes on starting resources and fencing, so two "
        f"partitions can run the same resources. Let the majority decide: {value}"
        + (" (DLM/cluster file systems need it)" if value == "freeze" else " (the default)")
        + "."
    )
    refs = (Ref("property", "no-quorum-policy"),)
    fix = set_property("no-quorum-policy", value)
    yield Finding("no_quorum_policy_ignore", Severity.CRITICAL, detail, refs, fix)


def cli_constraint_left(facts: Facts) -> Iterator[Finding]:
    """cli-prefer-*/cli-ban-* constraints (made by move and ban) still in place."""
    for c in facts.constraints:
        if not c.is_cli:
            continue
        resource = c.resources[0] if c.resources else "?"
        where = c.node or "(a rule)"
        what = (
            f"keeps {resource} on {where}"
            if c.id.startswith("cli-prefer-")
            else (f"keeps {resource} off {where}")
        )
        since = facts.since.get(c.id)
        age = (
            f" It has been there since {since.at:%Y-%m-%d %H:%M} UTC "
            f"({duration(facts.now - since.at)}; {since.source})."
            if since
            else " How long it has been there is not known."
        )
        detail = (
            f"{c.id} {what}: left by a move or a ban, it still decides where {resource} may "
            f"run.{age} Remove it once the move or ban is no longer wanted."
        )
        refs = [Ref("constraint", c.id), Ref("resource", resource)]
        if c.node:
            refs.append(Ref("node", c.node))
        fix = Fix("DELETE", f"constraints/{c.id}/", None, f"delete constraint {c.id}")
        yield Finding("cli_constraint_left", Severity.WARNING, detail, tuple(refs), fix)


def _threshold(facts: Facts, rid: str) -> int:
    """migration-threshold from the resource's meta (or what contains it), the resource
    defaults, else Pacemaker's default (INFINITY)."""
    for rsc_id in ancestry(facts.cib, rid):
        resource = facts.cib.resource(rsc_id)
        value = resource.meta_value("migration-threshold") if resource else None
        if value is not None:
            return _number(value)
    value = next((v for k, v in facts.cib.rsc_defaults if k == "migration-threshold"), None)
    return _number(value) if value is not None else INFINITY


def _number(text: str) -> int:
    stripped = text.strip().lstrip("+").upper()
    if stripped == "INFINITY":
        return INFINITY
    try:
        return int(stripped)
    except ValueError:
        return INFINITY


def failcount_at_threshold(facts: Facts) -> Iterator[Finding]:
    """A resource whose fail count on a node reached its migration-threshold."""
    seen: dict[tuple[str, str], tuple[int, int]] = {}
    for record in facts.status.history:
        if not record.fail_count:
            continue
        rid = base_id(record.resource)
        threshold = record.migration_threshold or _threshold(facts, rid)
        seen[(rid, record.node)] = (record.fail_count, threshold)
    for (rid, node), (count, threshold) in sorted(seen.items()):
        if threshold <= 0 or count < threshold:
            continue
        shown = "INFINITY" if count >= INFINITY else str(count)
        detail = (
            f"{rid} has a fail count of {shown} on {node}, at or over its "
            f"migration-threshold ({'INFINITY' if threshold >= INFINITY else threshold}): "
            f"Pacemaker will not run it on {node} until the failures expire (failure-timeout) "
            "or are cleaned up. Find out why it failed before cleaning up."
        )
        refs = (Ref("resource", rid), Ref("node", node))
        fix = Fix("POST", f"resources/{rid}/cleanup/", {}, f"clean up {rid}", OPERATE)
        yield Finding("failcount_at_threshold", Severity.WARNING, detail, refs, fix)


def is_promotable(clone: CibResource) -> bool:
    """Whether the clone's `promotable` meta attribute is on."""
    return (clone.meta_value("promotable") or "").strip().lower() in ("true", "1", "yes")


def promoted_max(clone: CibResource) -> tuple[str, int]:
    """The name the clone uses (promoted-max, or the legacy master-max) and its value."""
    for name in ("promoted-max", "master-max"):
        value = clone.meta_value(name)
        if value is not None:
            return name, _number(value)
    return "promoted-max", 1


def promoted_max_single_primary(facts: Facts) -> Iterator[Finding]:
    """A promotable clone allowing several promoted instances of an agent that does not
    support them (DRBD is left to the DRBD advisor)."""
    clones = (r for top in facts.cib.resources for r in top.walk() if r.kind == "clone")
    for clone in clones:
        if not is_promotable(clone):
            continue
        name, count = promoted_max(clone)
        agents = {r.agent for r in clone.walk() if r.kind == "primitive" and r.agent}
        if count <= 1 or not agents or agents & (MULTI_PRIMARY | LEFT_TO_OTHERS):
            continue
        known = sorted(agents & SINGLE_PRIMARY)
        agent = ", ".join(sorted(agents))
        severity = Severity.CRITICAL if known else Severity.WARNING
        detail = f"{clone.id} allows {count} promoted instances ({name}={count}), but {agent} " + (
            "keeps one primary only: two promoted copies would each accept writes."
            if known
            else f"is not known to support several primaries: make sure it does, or set {name}=1."
        )
        refs = (Ref("resource", clone.id),)
        body = {"meta": {name: "1"}}
        fix = Fix("POST", f"resources/{clone.id}/update/", body, f"set {name}=1 on {clone.id}")
        yield Finding("promoted_max_single_primary", severity, detail, refs, fix)
