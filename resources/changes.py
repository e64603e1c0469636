"""What resource actions do, as Changes: create, update, delete, enable/disable,
manage/unmanage, cleanup/refresh, move/ban/clear, promote/demote, restart, debug-start,
clones and groups. Every piece of input is checked here."""

from __future__ import annotations

import re

from hacore.commands import pacemaker, pcs
from hacore.errors import InvalidInput
from hacore.pacemaker.ids import check_agent, check_id, check_pairs
from operations.change import ADMINISTER, OPERATE, Body, Builder, Change, Hold


def resource_flag(rid: str, verb: str) -> Change:
    """`pcs resource disable|enable|manage|unmanage RID` on the copy."""
    r = check_id(rid, "resource")
    return Change(f"resource.{verb}", r, f"{verb} {r}", OPERATE, (pcs.resource_flag(verb, r),))


def resource_disable(rid: str) -> Change:
    """Stop a resource and keep it stopped (target-role=Stopped)."""
    return resource_flag(rid, "disable")


def resource_enable(rid: str) -> Change:
    """Let a resource run again."""
    return resource_flag(rid, "enable")


def resource_delete(rid: str) -> Change:
    """Remove a resource and the constraints that name it."""
    r = check_id(rid, "resource")
    return Change(
        "resource.delete", r, f"delete {r}", ADMINISTER, (pcs.resource_flag("delete", r),)
    )


LIVE_ONLY = {
    "cleanup": "pcs forgets the failures and re-probes live; the plan shows the cluster as "
    "it is, not the result of the re-probe",
    "refresh": "pcs forgets the operation history and re-probes everywhere live; the plan "
    "shows the cluster as it is, not the result of the re-probe",
    "restart": "pcs stops and starts the resource live and waits for it; a restart is not "
    "something the scheduler can simulate",
    "debug-start": "the agent's start runs on the node outside the cluster's control; "
    "nothing of it can be simulated",
}


def _live(rid: str, verb: str, permission: str = OPERATE, *options: str) -> Change:
    """An action pcs runs on the cluster itself (it cannot, or should not, on a file)."""
    r = check_id(rid, "resource")
    argv = pcs.resource_live(verb, r, *options)
    return Change(
        f"resource.{verb}", r, f"{verb} {r}", permission, live=(argv,), unchecked=LIVE_ONLY[verb]
    )


def resource_cleanup(rid: str) -> Change:
    """Forget a resource's failures and re-probe it (live: pcs cannot do it on a file)."""
    return _live(rid, "cleanup")


def resource_refresh(rid: str, body: Body) -> Change:
    """Forget a resource's whole operation history and re-probe it everywhere (live)."""
    return _live(rid, "refresh")


def resource_restart(rid: str, body: Body) -> Change:
    """Stop and start a resource where it runs (live; pcs waits for it)."""
    return _live(rid, "restart")


def resource_debug_start(rid: str, body: Body) -> Change:
    """Run the agent's start on the node the command runs on, outside the cluster's
    control, and show its output (pcs resource debug-start)."""
    return _live(rid, "debug-start", ADMINISTER, "--full")


def resource_move(
    rid: str, node: object, promoted: bool = False, body: Body | None = None
) -> Change:
    """Move a resource (promoted: its promoted role) to a node. pcs removes its move
    constraint once the resource runs there, and refuses when the resource would not stay
    without it: the plan checks that too (the Hold). With body["keep_constraint"] the
    constraint stays (optionally for body["lifetime"], an ISO 8601 duration)."""
    r, n = check_id(rid, "resource"), check_id(node, "node")
    what = "promote" if promoted else "move"
    summary = f"promote {r} on {n}" if promoted else f"move {r} to {n}"
    keep, lifetime = _kept(body or {})
    staged = pacemaker.move_constraint(r, n, promoted, lifetime)
    if keep:
        return Change(
            f"resource.{what}",
            r,
            f"{summary}, keeping the move constraint" + (f" for {lifetime}" if lifetime else ""),
            OPERATE,
            stage=(staged,),
        )
    live = (pcs.resource_move(r, n, promoted),)
    if promoted:
        # Whether the promoted role stays once pcs removes its constraint depends on the
        # promotion scores the agent sets after promoting: no simulation can show them.
        unchecked = (
            "whether the promoted role stays on the node once pcs removes its move "
            "constraint: that depends on the promotion scores the agent sets after it "
            "promotes, which no simulation can show"
        )
        return Change(f"resource.{what}", r, summary, OPERATE, (staged,), live, unchecked=unchecked)
    hold = Hold(r, n, (pacemaker.clear_moves(r),))
    return Change(f"resource.{what}", r, summary, OPERATE, stage=(staged,), live=live, hold=hold)


_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?")


def _kept(body: Body) -> tuple[bool, str]:
    """keep_constraint (a boolean) and lifetime (an ISO 8601 duration, keep only)."""
    keep = body.get("keep_constraint", False)
    if not isinstance(keep, bool):
        raise InvalidInput("keep_constraint must be true or false")
    lifetime = body.get("lifetime") or ""
    if lifetime and not keep:
        raise InvalidInput("lifetime applies to a kept move constraint: send keep_constraint")
    if lifetime and not (isinstance(lifetime, str) and _DURATION.fullmatch(lifetime)):
        raise InvalidInput("lifetime must be an ISO 8601 duration such as PT1H or P1D")
    return keep, lifetime


def resource_demote(rid: str, body: Body) -> Change:
    """Keep a promotable clone's promoted role off a node (a ban until cleared)."""
    r, n = check_id(rid, "resource"), check_id(body.get("node"), "node")
    argv = pcs.resource_ban(r, n, promoted=True)
    return Change("resource.demote", r, f"demote {r} on {n}", OPERATE, (argv,))


def resource_create(
    rid: object, agent: object, params: object, meta: object, operations: object
) -> Change:
    """Create a primitive from an agent, its parameters, meta attributes and operations."""
    r, a = check_id(rid, "id"), check_agent(agent)
    argv = pcs.resource_create(
        r, a, check_pairs(params, "params"), check_pairs(meta, "meta"), _operations(operations)
    )
    return Change("resource.create", r, f"create {r} ({a})", ADMINISTER, (argv,))


def _operations(value: object) -> list[tuple[str, dict[str, str]]]:
    """[{"name": "monitor", "interval": "10s", ...}] -> [("monitor", {"interval": "10s"})]."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput("operations must be a list of objects with a name")
    ops = []
    for item in value:
        if not isinstance(item, dict) or "name" not in item:
            raise InvalidInput("each operation needs a name (start, stop, monitor...)")
        rest = {k: v for k, v in item.items() if k != "name"}
        name = check_id(item["name"], "operation name")
        ops.append((name, check_pairs(rest, f"operation {name}")))
    return ops


def resource_ban(rid: str, body: Body) -> Change:
    """Keep a resource off a node (a cli-ban constraint until cleared)."""
    r, n = check_id(rid, "resource"), check_id(body.get("node"), "node")
    return Change("resource.ban", r, f"ban {r} from {n}", OPERATE, (pcs.resource_ban(r, n),))


def resource_clear(rid: str, body: Body) -> Change:
    """Remove the move/ban constraints (cli-prefer, cli-ban) of a resource."""
    r = check_id(rid, "resource")
    node = check_id(body["node"], "node") if body.get("node") else None
    argv = pcs.resource_clear(r, node)
    return Change("resource.clear", r, f"clear move constraints of {r}", OPERATE, (argv,))


def resource_update(rid: str, body: Body) -> Change:
    """Set parameters and meta attributes; an empty value removes the attribute."""
    r = check_id(rid, "resource")
    params, meta = check_pairs(body.get("params"), "params"), check_pairs(body.get("meta"), "meta")
    if not params and not meta:
        raise InvalidInput("nothing to update: give params and/or meta")
    argv = pcs.resource_update(r, params, meta)
    return Change("resource.update", r, f"update {r}", ADMINISTER, (argv,))


def resource_clone(rid: str, body: Body, promotable: bool = False) -> Change:
    """Make a resource a clone (or a promotable clone, as DRBD's master/slave is now)."""
    r = check_id(rid, "resource")
    verb = "promotable" if promotable else "clone"
    options = check_pairs(body.get("options"), "clone option")
    argv = pcs.resource_clone(r, promotable, options)
    return Change(f"resource.{verb}", r, f"{verb} {r}", ADMINISTER, (argv,))


def resource_unclone(rid: str, body: Body) -> Change:
    """Turn a clone back into its primitive or group."""
    r = check_id(rid, "resource")
    argv = pcs.resource_flag("unclone", r)
    return Change("resource.unclone", r, f"unclone {r}", ADMINISTER, (argv,))


def _members(body: Body) -> list[str]:
    members = body.get("resources")
    if not isinstance(members, list) or not members:
        raise InvalidInput("resources must be a non-empty list of resource ids")
    return [check_id(m, "resource") for m in members]


def group_add(body: Body) -> Change:
    """Create a group or add members to it, optionally before/after a member (reorder)."""
    gid = check_id(body.get("id"), "group")
    ids = _members(body)
    where = {key: check_id(body[key], key) for key in ("before", "after") if body.get(key)}
    if "after" in where:  # as before: the last one named wins
        where.pop("before", None)
    argv = pcs.group_add(gid, ids, where.get("before", ""), where.get("after", ""))
    return Change("group.add", gid, f"group {gid}: add {', '.join(ids)}", ADMINISTER, (argv,))


def group_remove(gid: str, body: Body) -> Change:
    """Take members out of a group (the last one out removes the group)."""
    g = check_id(gid, "group")
    ids = _members(body)
    argv = pcs.group_remove(g, ids)
    return Change("group.remove", g, f"group {g}: remove {', '.join(ids)}", ADMINISTER, (argv,))


# Actions reachable by name from the API: builder(resource id, request body).
RESOURCE_ACTIONS: dict[str, Builder] = {
    "move": lambda r, body: resource_move(r, body.get("node"), body=body),
    "promote": lambda r, body: resource_move(r, body.get("node"), promoted=True, body=body),
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
