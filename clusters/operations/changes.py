"""What each action does on a cluster, as argv lists: the command builders.

A Change is a pure value: `stage` lists pcs commands (without `pcs -f FILE`) applied to
a copy of the CIB, for the preview and, when `live` is empty, for the push; `live`
lists whole commands run on the cluster instead of the push (actions pcs does better
live, such as a move that clears its own constraint, or that cannot run on a file,
such as cleanup); `simulate` adds crm_simulate options for what a live change does
(`--node-down N` for stopping a node); `on_node` makes the live commands run on that
node itself (pcs starts and stops the local stack); `patch` is a CIB patchset applied to
the copy before `stage` (reverting an earlier change); `upload` is a file (base64) the
live commands name as "{upload}". Every user-supplied piece is
checked here and is one argv element. Actions that can lose data need the target typed
back (`confirm`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hacore.pacemaker.ids import (
    InvalidName,
    check_agent,
    check_id,
    check_name,
    check_pairs,
    check_value,
)
from hacore.validators import check_address

OPERATE = "clusters.operate_cluster"
ADMINISTER = "clusters.administer_cluster"
Argv = tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """One validated change to a cluster."""

    kind: str
    target: str
    summary: str
    permission: str
    stage: tuple[Argv, ...] = ()
    live: tuple[Argv, ...] = field(default=())
    simulate: Argv = ()
    on_node: str = ""
    patch: str = ""
    upload: str = field(default="", repr=False)

    def as_json(self) -> dict[str, Any]:
        """What is stored with a plan or an operation."""
        return {
            "kind": self.kind,
            "target": self.target,
            "summary": self.summary,
            "permission": self.permission,
            "stage": [list(a) for a in self.stage],
            "live": [list(a) for a in self.live],
            "simulate": list(self.simulate),
            "on_node": self.on_node,
            "patch": self.patch,
            "upload": self.upload,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """The inverse of as_json."""
        return cls(
            kind=data["kind"],
            target=data["target"],
            summary=data["summary"],
            permission=data["permission"],
            stage=tuple(tuple(a) for a in data["stage"]),
            live=tuple(tuple(a) for a in data["live"]),
            simulate=tuple(data.get("simulate", ())),
            on_node=data.get("on_node", ""),
            patch=data.get("patch", ""),
            upload=data.get("upload", ""),
        )


def node_flag(node: str, verb: str) -> Change:
    """`pcs node standby|unstandby|maintenance|unmaintenance NODE` on the copy."""
    name = check_id(node, "node")
    return Change(f"node.{verb}", name, f"{verb} {name}", OPERATE, (("node", verb, name),))


def node_standby(node: str) -> Change:
    """Put a node in standby: its resources move away."""
    return node_flag(node, "standby")


def node_unstandby(node: str) -> Change:
    """Take a node out of standby."""
    return node_flag(node, "unstandby")


def resource_flag(rid: str, verb: str) -> Change:
    """`pcs resource disable|enable|manage|unmanage RID` on the copy."""
    r = check_id(rid, "resource")
    return Change(f"resource.{verb}", r, f"{verb} {r}", OPERATE, (("resource", verb, r),))


def resource_disable(rid: str) -> Change:
    """Stop a resource and keep it stopped (target-role=Stopped)."""
    return resource_flag(rid, "disable")


def resource_enable(rid: str) -> Change:
    """Let a resource run again."""
    return resource_flag(rid, "enable")


def resource_delete(rid: str) -> Change:
    """Remove a resource and the constraints that name it."""
    r = check_id(rid, "resource")
    return Change("resource.delete", r, f"delete {r}", ADMINISTER, (("resource", "delete", r),))


def resource_cleanup(rid: str) -> Change:
    """Forget a resource's failures and re-probe it (live: pcs cannot do it on a file)."""
    r = check_id(rid, "resource")
    return Change(
        "resource.cleanup", r, f"cleanup {r}", OPERATE, live=(("pcs", "resource", "cleanup", r),)
    )


def resource_refresh(rid: str, body: Body) -> Change:
    """Forget a resource's whole operation history and re-probe it everywhere (live)."""
    r = check_id(rid, "resource")
    return Change(
        "resource.refresh", r, f"refresh {r}", OPERATE, live=(("pcs", "resource", "refresh", r),)
    )


def resource_move(rid: str, node: object, promoted: bool = False) -> Change:
    """Move a resource (promoted: its promoted role) to a node; pcs removes its move
    constraint once it runs there."""
    r, n = check_id(rid, "resource"), check_id(node, "node")
    flag = ("--promoted",) if promoted else ()
    what = "promote" if promoted else "move"
    return Change(
        f"resource.{what}",
        r,
        f"promote {r} on {n}" if promoted else f"move {r} to {n}",
        OPERATE,
        stage=(("resource", "move-with-constraint", r, n, *flag),),
        live=(("pcs", "resource", "move", r, n, *flag),),
    )


def resource_demote(rid: str, body: Body) -> Change:
    """Keep a promotable clone's promoted role off a node (a ban until cleared)."""
    r, n = check_id(rid, "resource"), check_id(body.get("node"), "node")
    argv = ("resource", "ban", r, n, "--promoted")
    return Change("resource.demote", r, f"demote {r} on {n}", OPERATE, (argv,))


def resource_create(
    rid: object, agent: object, params: object, meta: object, operations: object
) -> Change:
    """Create a primitive from an agent, its parameters, meta attributes and operations."""
    r, a = check_id(rid, "id"), check_agent(agent)
    argv: list[str] = ["resource", "create", r, a, *_assignments(check_pairs(params, "params"))]
    meta_pairs = check_pairs(meta, "meta")
    if meta_pairs:
        argv += ["meta", *_assignments(meta_pairs)]
    for op in _operations(operations):
        argv += ["op", *op]
    return Change("resource.create", r, f"create {r} ({a})", ADMINISTER, (tuple(argv),))


def _assignments(pairs: dict[str, str]) -> list[str]:
    return [f"{name}={value}" for name, value in pairs.items()]


def _operations(value: object) -> list[list[str]]:
    """[{"name": "monitor", "interval": "10s", ...}] -> [["monitor", "interval=10s"], ...]."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidName("operations must be a list of objects with a name")
    ops = []
    for item in value:
        if not isinstance(item, dict) or "name" not in item:
            raise InvalidName("each operation needs a name (start, stop, monitor...)")
        rest = {k: v for k, v in item.items() if k != "name"}
        name = check_id(item["name"], "operation name")
        ops.append([name, *_assignments(check_pairs(rest, f"operation {name}"))])
    return ops


class ConfirmationRequired(InvalidName):
    """A risky action without the confirmation text it needs."""


def confirmed(body: Body, expected: str, risk: str) -> None:
    """Refuse unless body["confirm"] is exactly expected (typed back by the operator)."""
    if body.get("confirm") != expected:
        raise ConfirmationRequired(f'{risk} To go on, send "confirm": "{expected}".')


def _cluster_service(node: str, verb: str, simulate: Argv = ()) -> Change:
    """pcs cluster start|stop|enable|disable, run on the node itself (systemd units there;
    from another node pcs would need pcsd)."""
    name = check_id(node, "node")
    return Change(
        f"node.{verb}",
        name,
        f"{verb} cluster services on {name}"
        if verb in ("start", "stop")
        else f"{verb} cluster services at boot on {name}",
        ADMINISTER,
        live=(("pcs", "cluster", verb),),
        simulate=simulate,
        on_node=name,
    )


def node_fence(node: str, body: Body) -> Change:
    """Fence a node (reboot, or off); the node's name must be typed back."""
    name = check_id(node, "node")
    action = body.get("action", "reboot")
    if action not in ("reboot", "off"):
        raise InvalidName("action must be reboot or off")
    confirmed(body, name, f"Fencing {name} cuts its power ({action}) and kills what runs there.")
    argv = ("pcs", "stonith", "fence", name, *(("--off",) if action == "off" else ()))
    return Change(
        "node.fence",
        name,
        f"fence {name} ({action})",
        ADMINISTER,
        live=(argv,),
        simulate=("--node-fail", name),
    )


def node_confirm_fenced(node: str, body: Body) -> Change:
    """Tell the cluster a node is off (manual fencing); wrong, it corrupts shared data."""
    name = check_id(node, "node")
    confirmed(
        body,
        f"{name} is off",
        f"Confirming {name} as fenced while it still runs lets two nodes write the same "
        "data (DRBD split brain, a VM started twice): check that it is powered off.",
    )
    return Change(
        "node.confirm-fenced",
        name,
        f"confirm {name} is fenced",
        ADMINISTER,
        live=(("pcs", "stonith", "confirm", name, "--force"),),
    )


def node_add(body: Body) -> Change:
    """Add a node to the cluster (pcs cluster node add, started and enabled at boot).

    pcs reaches the new node through pcsd: it must run there and be authenticated.
    """
    name = check_id(body.get("node"), "node")
    argv = ["pcs", "cluster", "node", "add", name]
    if body.get("address"):
        try:
            argv.append(f"addr={check_address(str(body['address']))}")
        except ValueError as exc:
            raise InvalidName(str(exc)) from exc
    argv += ["--start", "--enable"]
    return Change("cluster.node-add", name, f"add node {name}", ADMINISTER, live=(tuple(argv),))


def node_remove(node: str, body: Body) -> Change:
    """Remove a node from the cluster; its name must be typed back."""
    name = check_id(node, "node")
    confirmed(
        body,
        name,
        f"Removing {name} stops its cluster services and deletes it from corosync.conf on "
        "every node; what runs there moves away.",
    )
    return Change(
        "cluster.node-remove",
        name,
        f"remove node {name}",
        ADMINISTER,
        live=(("pcs", "cluster", "node", "remove", name),),
        simulate=("--node-down", name),
    )


def resource_ban(rid: str, body: Body) -> Change:
    """Keep a resource off a node (a cli-ban constraint until cleared)."""
    r, n = check_id(rid, "resource"), check_id(body.get("node"), "node")
    return Change("resource.ban", r, f"ban {r} from {n}", OPERATE, (("resource", "ban", r, n),))


def resource_clear(rid: str, body: Body) -> Change:
    """Remove the move/ban constraints (cli-prefer, cli-ban) of a resource."""
    r = check_id(rid, "resource")
    node = body.get("node")
    on = (check_id(node, "node"),) if node else ()
    return Change(
        "resource.clear",
        r,
        f"clear move constraints of {r}",
        OPERATE,
        (("resource", "clear", r, *on),),
    )


def resource_restart(rid: str, body: Body) -> Change:
    """Stop and start a resource where it runs (live; pcs waits for it)."""
    r = check_id(rid, "resource")
    return Change(
        "resource.restart", r, f"restart {r}", OPERATE, live=(("pcs", "resource", "restart", r),)
    )


def resource_update(rid: str, body: Body) -> Change:
    """Set parameters and meta attributes; an empty value removes the attribute."""
    r = check_id(rid, "resource")
    params, meta = check_pairs(body.get("params"), "params"), check_pairs(body.get("meta"), "meta")
    if not params and not meta:
        raise InvalidName("nothing to update: give params and/or meta")
    argv = ["resource", "update", r, *_assignments(params)]
    if meta:
        argv += ["meta", *_assignments(meta)]
    return Change("resource.update", r, f"update {r}", ADMINISTER, (tuple(argv),))


def resource_clone(rid: str, body: Body, promotable: bool = False) -> Change:
    """Make a resource a clone (or a promotable clone, as DRBD's master/slave is now)."""
    r = check_id(rid, "resource")
    verb = "promotable" if promotable else "clone"
    options = _assignments(check_pairs(body.get("options"), "clone option"))
    return Change(
        f"resource.{verb}", r, f"{verb} {r}", ADMINISTER, (("resource", verb, r, *options),)
    )


def resource_unclone(rid: str, body: Body) -> Change:
    """Turn a clone back into its primitive or group."""
    r = check_id(rid, "resource")
    return Change("resource.unclone", r, f"unclone {r}", ADMINISTER, (("resource", "unclone", r),))


def resource_debug_start(rid: str, body: Body) -> Change:
    """Run the agent's start on the node the command runs on, outside the cluster's
    control, and show its output (pcs resource debug-start)."""
    r = check_id(rid, "resource")
    return Change(
        "resource.debug-start",
        r,
        f"debug-start {r}",
        ADMINISTER,
        live=(("pcs", "resource", "debug-start", r, "--full"),),
    )


def group_add(body: Body) -> Change:
    """Create a group or add members to it, optionally before/after a member (reorder)."""
    gid = check_id(body.get("id"), "group")
    members = body.get("resources")
    if not isinstance(members, list) or not members:
        raise InvalidName("resources must be a non-empty list of resource ids")
    ids = [check_id(m, "resource") for m in members]
    where: list[str] = []
    for key in ("before", "after"):
        if body.get(key):
            where = [f"--{key}", check_id(body[key], key)]
    argv = ("resource", "group", "add", gid, *ids, *where)
    return Change("group.add", gid, f"group {gid}: add {', '.join(ids)}", ADMINISTER, (argv,))


def group_remove(gid: str, body: Body) -> Change:
    """Take members out of a group (the last one out removes the group)."""
    g = check_id(gid, "group")
    members = body.get("resources")
    if not isinstance(members, list) or not members:
        raise InvalidName("resources must be a non-empty list of resource ids")
    ids = [check_id(m, "resource") for m in members]
    argv = ("resource", "group", "remove", g, *ids)
    return Change("group.remove", g, f"group {g}: remove {', '.join(ids)}", ADMINISTER, (argv,))


def defaults_update(kind: str, body: Body) -> Change:
    """Resource defaults (kind "resource") or operation defaults (kind "op")."""
    values = check_pairs(body.get("values"), "defaults")
    if not values:
        raise InvalidName("values must name at least one default")
    prefix = ("resource", "defaults") if kind == "resource" else ("resource", "op", "defaults")
    argv = (*prefix, "update", *_assignments(values))
    summary = f"{kind} defaults: {', '.join(_assignments(values))}"
    return Change(f"defaults.{kind}", kind, summary, ADMINISTER, (argv,))


def cluster_all(verb: str, body: Body) -> Change:
    """Start or stop cluster services on every node (pcs cluster start|stop --all, via
    pcsd). Stopping all takes every resource down: "stop the whole cluster" typed back."""
    if verb not in ("start", "stop"):
        raise InvalidName("start or stop")
    if verb == "stop":
        confirmed(body, "stop the whole cluster", "Stopping every node stops every resource.")
    return Change(
        f"cluster.{verb}-all",
        "all",
        f"{verb} cluster services on all nodes",
        ADMINISTER,
        live=(("pcs", "cluster", verb, "--all"),),
    )


def cluster_sync(body: Body) -> Change:
    """Copy this node's corosync.conf to every node (pcs cluster sync, through pcsd)."""
    return Change(
        "cluster.sync",
        "corosync.conf",
        "sync corosync.conf to all nodes",
        ADMINISTER,
        live=(("pcs", "cluster", "sync"),),
    )


MAX_BACKUP = 10 * 1024 * 1024


def config_restore(node: str, backup: bytes, body: Body) -> Change:
    """Restore a `pcs config backup` tarball on one node (pcs config restore --local)."""
    name = check_id(node, "node")
    if not backup.startswith(b"BZh") or len(backup) > MAX_BACKUP:
        raise InvalidName("the backup must be a pcs config backup (.tar.bz2) of at most 10 MiB")
    confirmed(
        body,
        f"restore {name}",
        f"Restoring replaces {name}'s corosync.conf and CIB files with the backup's. pcs "
        "refuses while the cluster runs there (stop it first); a backup from another "
        "cluster or another time silently brings its configuration back.",
    )
    return Change(
        "cluster.restore",
        name,
        f"restore the configuration backup on {name}",
        ADMINISTER,
        live=(("pcs", "config", "restore", "--local", "{upload}"),),
        on_node=name,
        upload=base64.b64encode(backup).decode(),
    )


def corosync_reload(body: Body) -> Change:
    """Make corosync re-read corosync.conf on the node the command runs on."""
    return Change(
        "cluster.reload-corosync",
        "corosync",
        "reload corosync",
        ADMINISTER,
        live=(("pcs", "cluster", "reload", "corosync"),),
    )


def history_revert(operation_id: int, patch: str) -> Change:
    """Undo an earlier operation's configuration change: its reverse patchset (kept when
    it was pushed), staged and pushed like any change, so later changes stay."""
    if not patch:
        raise InvalidName(f"operation #{operation_id} made no configuration change to revert")
    return Change(
        "history.revert",
        f"#{operation_id}",
        f"revert operation #{operation_id}",
        ADMINISTER,
        patch=patch,
    )


def property_set(body: Body) -> Change:
    """Set (or with an empty value, unset) a cluster property."""
    name = check_name(body.get("name"), "property")
    value = check_value(body.get("value", ""), "value")
    if name == "stonith-enabled" and value.strip().lower() in _FALSE:
        confirmed(
            body,
            "disable fencing",
            "Without fencing the cluster cannot recover from a node that stops answering, "
            "and may run the same resource (or VM) on two nodes at once.",
        )
    argv = ("property", "set", f"{name}={value}") if value else ("property", "unset", name)
    summary = f"set {name}={value}" if value else f"unset {name}"
    return Change("cluster.property", name, summary, ADMINISTER, (argv,))


_FALSE = {"false", "0", "no", "off", "n"}
Body = dict[str, Any]
Builder = Callable[[str, Body], Change]

# Actions reachable by name from the API: builder(target, request body).
NODE_ACTIONS: dict[str, Builder] = {
    "standby": lambda n, _: node_standby(n),
    "unstandby": lambda n, _: node_unstandby(n),
    "maintenance": lambda n, _: node_flag(n, "maintenance"),
    "unmaintenance": lambda n, _: node_flag(n, "unmaintenance"),
    "start": lambda n, _: _cluster_service(n, "start", ("--node-up", n)),
    "stop": lambda n, _: _cluster_service(n, "stop", ("--node-down", n)),
    "enable": lambda n, _: _cluster_service(n, "enable"),
    "disable": lambda n, _: _cluster_service(n, "disable"),
    "fence": node_fence,
    "confirm-fenced": node_confirm_fenced,
    "remove": node_remove,
}
RESOURCE_ACTIONS: dict[str, Builder] = {
    "move": lambda r, body: resource_move(r, body.get("node")),
    "promote": lambda r, body: resource_move(r, body.get("node"), promoted=True),
    "demote": resource_demote,
    "disable": lambda r, _: resource_disable(r),
    "enable": lambda r, _: resource_enable(r),
    "cleanup": lambda r, _: resource_cleanup(r),
    "refresh": resource_refresh,
    "manage": lambda r, _: resource_flag(r, "manage"),
    "unmanage": lambda r, _: resource_flag(r, "unmanage"),
    "ban": resource_ban,
    "clear": resource_clear,
    "restart": resource_restart,
    "update": resource_update,
    "clone": resource_clone,
    "promotable": lambda r, body: resource_clone(r, body, promotable=True),
    "unclone": resource_unclone,
    "debug-start": resource_debug_start,
}
