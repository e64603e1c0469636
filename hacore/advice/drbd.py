"""The advisor's rules about DRBD (issue 9): its configuration against Pacemaker's (two
promoted instances need two primaries allowed; Pacemaker's fencing needs DRBD's fencing
policy), a resync that makes no progress, and peers that disagree about a resource.

`Facts.drbd_config` is `drbdadm dump-xml` of each DRBD resource a Pacemaker primitive
drives, read on the advisor's node (a resource whose configuration was not read is not
judged).

`Facts.drbd` holds reads of every online node's `drbdsetup status` (one round, and a
second one a moment later when the first showed a disagreement: a state seen while it
changes is no disagreement); `Facts.stalled_resyncs` is what the monitor's DRBD watch
reports (only something that follows DRBD over time can tell a resync stands still).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hacore.advice.cluster import is_promotable, promoted_max
from hacore.advice.model import Facts, Finding, Fix, Ref, Severity
from hacore.drbd import DrbdState, PeerVolume
from hacore.migration import DRBD_AGENT, drbd_primitives
from hacore.pacemaker.cib import CibResource

Reads = Mapping[str, tuple[DrbdState, ...]]  # node -> its DRBD resources


def drbd_two_primaries_not_allowed(facts: Facts) -> Iterator[Finding]:
    """A promotable DRBD clone allowing two promoted instances over a DRBD resource that
    does not allow two primaries (the book's rule: promoted-max=2 only with
    allow-two-primaries): Pacemaker promotes the second copy, DRBD refuses, and the
    promotion fails again and again."""
    configs = {c.name: c for c in facts.drbd_config}
    for clone, name in _drbd_clones(facts):
        meta, count = promoted_max(clone)
        config = configs.get(name)
        if config is None or count < 2 or config.allow_two_primaries:
            continue
        detail = (
            f"{clone.id} allows {count} promoted instances ({meta}={count}), but DRBD {name} "
            "does not allow two primaries: the second promotion fails. Set "
            f"'allow-two-primaries yes;' in {name}'s net section on every node, or {meta}=1."
        )
        fix = Fix("POST", f"resources/{clone.id}/update/", {"meta": {meta: "1"}}, f"set {meta}=1")
        refs = (Ref("resource", clone.id),)
        yield Finding("drbd_two_primaries_not_allowed", Severity.CRITICAL, detail, refs, fix)


def drbd_without_fencing_policy(facts: Facts) -> Iterator[Finding]:
    """Pacemaker's fencing on, and a DRBD resource it drives whose fencing policy is not
    resource-and-stonith: when the replication link breaks, DRBD neither freezes I/O
    nor asks the cluster to fence the peer, so both sides may go on writing."""
    if facts.status.summary.stonith_enabled is not True:
        return
    primitives = drbd_primitives(facts.cib)
    for config in facts.drbd_config:
        if config.name not in primitives or config.fencing == "resource-and-stonith":
            continue
        detail = (
            f"Fencing is on, but DRBD {config.name} has 'fencing {config.fencing}': when its "
            "link breaks, both sides may go on writing. Set 'fencing resource-and-stonith;' "
            "with the crm-fence-peer handlers in its configuration on every node."
        )
        refs = (Ref("resource", primitives[config.name]),)
        yield Finding("drbd_without_fencing_policy", Severity.WARNING, detail, refs)


def _drbd_clones(facts: Facts) -> Iterator[tuple[CibResource, str]]:
    """Each promotable clone over a DRBD primitive, with its DRBD resource's name."""
    for clone in (r for top in facts.cib.resources for r in top.walk() if r.kind == "clone"):
        if not is_promotable(clone):
            continue
        for member in clone.walk():
            name = dict(member.params).get("drbd_resource") if member.agent == DRBD_AGENT else None
            if name:
                yield clone, name


def drbd_resync_stalled(facts: Facts) -> Iterator[Finding]:
    """A resync whose out-of-sync amount has not shrunk for the configured time
    (HACONSOLE_RESYNC_STALL_AFTER): the target's disk stays Inconsistent, unusable,
    and the data has one good copy only."""
    primitives = drbd_primitives(facts.cib)
    for stall in facts.stalled_resyncs:
        name = str(stall.get("resource", ""))
        nodes = [str(n) for n in stall.get("nodes", [])]
        refs = (Ref("resource", primitives[name]),) if name in primitives else ()
        yield Finding(
            "drbd_resync_stalled",
            Severity.WARNING,
            str(stall.get("message", f"DRBD {name}: the resync makes no progress")),
            (*refs, *(Ref("node", n) for n in nodes)),
        )


def disagreements(reads: Reads) -> dict[tuple[str, str, str], str]:
    """What two connected nodes say differently of each other: (DRBD resource, node,
    peer) -> the words. Only a connection the node calls Connected is judged: then
    both ends must agree on it, on each other's role and on each other's disks."""
    found: dict[tuple[str, str, str], str] = {}
    mine = {(node, s.name): s for node, states in reads.items() for s in states}
    for (node, name), state in sorted(mine.items()):
        for volume in state.volumes:
            for seen in volume.peers:
                other = mine.get((seen.peer, name))
                if seen.connection_state != "Connected" or other is None:
                    continue
                words = _compare(node, volume.volume, seen, other)
                if words:
                    found.setdefault((name, node, seen.peer), words)
    return found


def _compare(node: str, number: int, seen: PeerVolume, other: DrbdState) -> str:
    """How `node`'s view of a peer volume (`seen`) differs from the peer's own word."""
    peer = seen.peer
    back = [p for v in other.volumes if v.volume == number for p in v.peers if p.peer == node]
    theirs = next((v for v in other.volumes if v.volume == number), None)
    if not back or back[0].connection_state != "Connected":
        said = back[0].connection_state if back else "nothing of it"
        return f"{node} calls its connection to {peer} Connected, {peer} says {said}"
    if seen.peer_role != other.role:
        return f"{node} sees {peer} {seen.peer_role}, {peer} says it is {other.role}"
    if theirs is not None and seen.peer_disk_state != theirs.disk_state:
        return (
            f"{node} sees {peer}'s disk (volume {number}) {seen.peer_disk_state}, "
            f"{peer} says {theirs.disk_state}"
        )
    return ""


def drbd_peers_disagree(facts: Facts) -> Iterator[Finding]:
    """Two connected nodes that say different things about each other (a role, a
    disk, the connection itself) in every read: one of them is wrong about what is
    replicated, and Pacemaker acts on what its node says."""
    if not facts.drbd:
        return
    rounds = [disagreements(r) for r in facts.drbd]
    lasting = rounds[-1]
    for earlier in rounds[:-1]:
        lasting = {k: v for k, v in lasting.items() if k in earlier}
    primitives = drbd_primitives(facts.cib)
    for (name, node, peer), words in sorted(lasting.items()):
        refs = [Ref("resource", primitives[name])] if name in primitives else []
        detail = (
            f"DRBD {name}: {words}. One of them is wrong about what is replicated; "
            "Pacemaker promotes on what its own node says. Look at both nodes "
            f"(drbdsetup status {name} --verbose) before any change."
        )
        refs += [Ref("node", node), Ref("node", peer)]
        yield Finding("drbd_peers_disagree", Severity.WARNING, detail, tuple(refs))
