"""pcs's command grammar. A `tail` is what follows `pcs -f FILE` (staged on a CIB copy);
a `live` command is a whole argv run on the cluster itself."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hacore.commands import Argv

PCS = "pcs"
VERSION_FULL: Argv = (PCS, "--version", "--full")


def assignments(pairs: Mapping[str, str]) -> list[str]:
    """{"a": "1"} -> ["a=1"]: how pcs takes parameters, meta attributes and options."""
    return [f"{name}={value}" for name, value in pairs.items()]


def on_file(path: str, tail: Argv) -> Argv:
    """`pcs -f PATH TAIL...`: the tail applied to a CIB file instead of the live CIB."""
    return (PCS, "-f", path, *tail)


def live(tail: Argv) -> Argv:
    """`pcs TAIL...` run on the cluster."""
    return (PCS, *tail)


# --- nodes ---------------------------------------------------------------------------


def node_flag(verb: str, node: str) -> Argv:
    """standby, unstandby, maintenance, unmaintenance."""
    return ("node", verb, node)


def cluster_service(verb: str, node: str) -> Argv:
    """start, stop, enable, disable of a node's cluster services (through its pcsd)."""
    return live(("cluster", verb, node))


def cluster_service_all(verb: str) -> Argv:
    """start or stop on every node (through pcsd)."""
    return live(("cluster", verb, "--all"))


def stonith_fence(node: str, off: bool) -> Argv:
    """Fence a node (reboot, or off)."""
    return live(("stonith", "fence", node, *(("--off",) if off else ())))


def stonith_confirm(node: str) -> Argv:
    """Tell the cluster a node is off (manual fencing)."""
    return live(("stonith", "confirm", node, "--force"))


def node_add(node: str, address: str | None) -> Argv:
    """Add a node, started and enabled at boot."""
    addr = (f"addr={address}",) if address else ()
    return live(("cluster", "node", "add", node, *addr, "--start", "--enable"))


def node_remove(node: str) -> Argv:
    """Remove a node from the cluster."""
    return live(("cluster", "node", "remove", node))


# --- resources -----------------------------------------------------------------------


def resource_flag(verb: str, rid: str) -> Argv:
    """disable, enable, manage, unmanage, delete, unclone of a resource (a tail)."""
    return ("resource", verb, rid)


def resource_live(verb: str, rid: str, *options: str) -> Argv:
    """cleanup, refresh, restart, move, debug-start: run live."""
    return live(("resource", verb, rid, *options))


def resource_create(
    rid: str,
    agent: str,
    params: Mapping[str, str],
    meta: Mapping[str, str],
    operations: Iterable[tuple[str, Mapping[str, str]]],
) -> Argv:
    """A primitive from an agent, with parameters, meta attributes and operations."""
    argv = ["resource", "create", rid, agent, *assignments(params)]
    if meta:
        argv += ["meta", *assignments(meta)]
    for name, options in operations:
        argv += ["op", name, *assignments(options)]
    return tuple(argv)


def resource_update(rid: str, params: Mapping[str, str], meta: Mapping[str, str]) -> Argv:
    """Set parameters and meta attributes (an empty value removes one)."""
    argv = ["resource", "update", rid, *assignments(params)]
    if meta:
        argv += ["meta", *assignments(meta)]
    return tuple(argv)


def resource_move_with_constraint(rid: str, node: str, promoted: bool, lifetime: str = "") -> Argv:
    """Move by a cli-prefer constraint that stays (for lifetime, an ISO 8601 duration)."""
    life = (f"lifetime={lifetime}",) if lifetime else ()
    return ("resource", "move-with-constraint", rid, node, *life, *_promoted(promoted))


def resource_move(rid: str, node: str, promoted: bool) -> Argv:
    """Move live: pcs removes its constraint once the resource runs there."""
    return resource_live("move", rid, node, *_promoted(promoted))


def resource_ban(rid: str, node: str, promoted: bool = False) -> Argv:
    """A cli-ban constraint keeping the resource (or its promoted role) off node."""
    return ("resource", "ban", rid, node, *_promoted(promoted))


def resource_clear(rid: str, node: str | None) -> Argv:
    """Remove the resource's cli-prefer/cli-ban constraints (on node only, if given)."""
    return ("resource", "clear", rid, *((node,) if node else ()))


def resource_clone(rid: str, promotable: bool, options: Mapping[str, str]) -> Argv:
    """Make a resource a clone or a promotable clone."""
    return ("resource", "promotable" if promotable else "clone", rid, *assignments(options))


def _promoted(promoted: bool) -> Argv:
    return ("--promoted",) if promoted else ()


def group_add(gid: str, members: Iterable[str], before: str = "", after: str = "") -> Argv:
    """Create a group or add members, optionally before/after a member."""
    where: Argv = ("--before", before) if before else ("--after", after) if after else ()
    return ("resource", "group", "add", gid, *members, *where)


def group_remove(gid: str, members: Iterable[str]) -> Argv:
    """Take members out of a group."""
    return ("resource", "group", "remove", gid, *members)


def defaults_update(kind: str, values: Mapping[str, str]) -> Argv:
    """Resource defaults (kind "resource") or operation defaults (kind "op")."""
    prefix: Argv = (
        ("resource", "defaults") if kind == "resource" else ("resource", "op", "defaults")
    )
    return (*prefix, "update", *assignments(values))


# --- constraints ---------------------------------------------------------------------


def location(rid: str, verb: str, node: str, score: str) -> Argv:
    """`constraint location R prefers|avoids NODE=SCORE`."""
    return ("constraint", "location", rid, verb, f"{node}={score}")


def location_rule(rid: str, score: str, expression: Iterable[str]) -> Argv:
    """`constraint location R rule score=S WORD...`."""
    return ("constraint", "location", rid, "rule", f"score={score}", *expression)


def order(
    first_action: str, first: str, then_action: str, then: str, options: Iterable[str]
) -> Argv:
    """`constraint order A FIRST then B THEN [options]`."""
    return ("constraint", "order", first_action, first, "then", then_action, then, *options)


def colocation(role: str | None, rid: str, other_role: str | None, other: str, score: str) -> Argv:
    """`constraint colocation add [ROLE] R with [ROLE] OTHER SCORE`."""
    roles = ((role,) if role else (), (other_role,) if other_role else ())
    return ("constraint", "colocation", "add", *roles[0], rid, "with", *roles[1], other, score)


def constraint_sets(
    kind: str, sets: Iterable[tuple[Iterable[str], Mapping[str, str]]], options: Iterable[str]
) -> Argv:
    """`constraint order|colocation set R... [opt=v] set R... setoptions ...`."""
    argv: list[str] = ["constraint", kind]
    for ids, opts in sets:
        argv += ["set", *ids, *assignments(opts)]
    setoptions = list(options)
    if setoptions:
        argv += ["setoptions", *setoptions]
    return tuple(argv)


def constraint_delete(cid: str) -> Argv:
    """Remove a constraint by id."""
    return ("constraint", "delete", cid)


# --- fencing -------------------------------------------------------------------------


def stonith_create(
    dev: str, agent: str, params: Mapping[str, str], meta: Mapping[str, str]
) -> Argv:
    """A fence device from a fence agent (pcs takes the bare fence_x name)."""
    argv = ["stonith", "create", dev, agent, *assignments(params)]
    if meta:
        argv += ["meta", *assignments(meta)]
    return tuple(argv)


def stonith_update(dev: str, params: Mapping[str, str]) -> Argv:
    """Set a fence device's parameters."""
    return ("stonith", "update", dev, *assignments(params))


def stonith_flag(verb: str, dev: str) -> Argv:
    """delete, disable, enable of a fence device."""
    return ("stonith", verb, dev)


def stonith_level_add(level: str, node: str, devices: Iterable[str]) -> Argv:
    """A fencing level: at LEVEL, NODE is fenced by all of DEVICES."""
    return ("stonith", "level", "add", level, node, *devices)


def stonith_level_delete(level: str, node: str, devices: Iterable[str]) -> Argv:
    """Remove a fencing level of a node."""
    return ("stonith", "level", "delete", level, "target", node, "stonith", *devices)


# --- cluster -------------------------------------------------------------------------


def property_set(name: str, value: str) -> Argv:
    """Set a cluster property; an empty value unsets it."""
    return ("property", "set", f"{name}={value}") if value else ("property", "unset", name)


def cluster_sync() -> Argv:
    """Copy this node's corosync.conf to every node (through pcsd)."""
    return live(("cluster", "sync"))


def corosync_reload() -> Argv:
    """Make corosync re-read corosync.conf."""
    return live(("cluster", "reload", "corosync"))


def config_restore(path: str) -> Argv:
    """Restore a `pcs config backup` tarball on this node only."""
    return live(("config", "restore", "--local", path))


def config_backup(path: str) -> Argv:
    """`pcs config backup PATH` (writes PATH.tar.bz2)."""
    return live(("config", "backup", path))


def cluster_cib(path: str) -> Argv:
    """Save the live CIB to a file."""
    return live(("cluster", "cib", path))


def cib_push(new: str, orig: str) -> Argv:
    """Push only the difference between orig and new."""
    return live(("cluster", "cib-push", new, f"diff-against={orig}"))
