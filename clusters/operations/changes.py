"""What each action does on a cluster, as argv lists: the command builders.

A Change is a pure value: `stage` lists pcs commands (without `pcs -f FILE`) applied to
a copy of the CIB, for the preview and, when `live` is empty, for the push; `live`
lists whole commands run on the cluster instead of the push (actions pcs does better
live, such as a move that clears its own constraint, or that cannot run on a file,
such as cleanup). Every user-supplied piece is checked here and is one argv element.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clusters.pacemaker.ids import InvalidName, check_agent, check_id, check_pairs

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

    def as_json(self) -> dict[str, Any]:
        """What is stored with a plan or an operation."""
        return {
            "kind": self.kind,
            "target": self.target,
            "summary": self.summary,
            "permission": self.permission,
            "stage": [list(a) for a in self.stage],
            "live": [list(a) for a in self.live],
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
        )


def node_standby(node: str) -> Change:
    """Put a node in standby: its resources move away."""
    name = check_id(node, "node")
    return Change("node.standby", name, f"standby {name}", OPERATE, (("node", "standby", name),))


def node_unstandby(node: str) -> Change:
    """Take a node out of standby."""
    name = check_id(node, "node")
    return Change(
        "node.unstandby", name, f"unstandby {name}", OPERATE, (("node", "unstandby", name),)
    )


def resource_disable(rid: str) -> Change:
    """Stop a resource and keep it stopped (target-role=Stopped)."""
    r = check_id(rid, "resource")
    return Change("resource.disable", r, f"disable {r}", OPERATE, (("resource", "disable", r),))


def resource_enable(rid: str) -> Change:
    """Let a resource run again."""
    r = check_id(rid, "resource")
    return Change("resource.enable", r, f"enable {r}", OPERATE, (("resource", "enable", r),))


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


def resource_move(rid: str, node: object) -> Change:
    """Move a resource to a node; pcs removes its move constraint once it runs there."""
    r, n = check_id(rid, "resource"), check_id(node, "node")
    return Change(
        "resource.move",
        r,
        f"move {r} to {n}",
        OPERATE,
        stage=(("resource", "move-with-constraint", r, n),),
        live=(("pcs", "resource", "move", r, n),),
    )


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


# Actions reachable by name from the API: (node or resource) -> builder.
NODE_ACTIONS: dict[str, Callable[[str], Change]] = {
    "standby": node_standby,
    "unstandby": node_unstandby,
}
RESOURCE_ACTIONS: dict[str, Callable[[str], Change]] = {
    "disable": resource_disable,
    "enable": resource_enable,
    "cleanup": resource_cleanup,
}
