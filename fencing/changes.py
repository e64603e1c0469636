"""Command builders for fencing: devices, levels (fencing topology), the fencing switch.

Same rules as clusters/operations/changes.py. Deleting or disabling the last fence device
needs a confirmation that names the risk, as turning stonith-enabled off does.
"""

from __future__ import annotations

import re
from typing import Any

from clusters.operations.changes import ADMINISTER, Change, confirmed
from hacore.pacemaker.ids import InvalidName, check_id, check_pairs

_FENCE_AGENT = re.compile(r"(stonith:)?(fence_[A-Za-z0-9_]+)")
Body = dict[str, Any]
LAST_DEVICE = "leave the cluster without fencing"


def check_fence_agent(value: object) -> str:
    """fence_ipmilan or stonith:fence_ipmilan -> fence_ipmilan (pcs takes the bare name)."""
    match = _FENCE_AGENT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidName("agent must be a fence agent such as fence_ipmilan")
    return match.group(2)


def _assignments(pairs: dict[str, str]) -> list[str]:
    return [f"{name}={value}" for name, value in pairs.items()]


def device_create(body: Body) -> Change:
    """A fence device from an agent, its parameters (pcmk_host_list...) and meta."""
    dev, agent = check_id(body.get("id"), "id"), check_fence_agent(body.get("agent"))
    argv = [
        "stonith",
        "create",
        dev,
        agent,
        *_assignments(check_pairs(body.get("params"), "params")),
    ]
    meta = check_pairs(body.get("meta"), "meta")
    if meta:
        argv += ["meta", *_assignments(meta)]
    return Change(
        "fence.create", dev, f"create fence device {dev} ({agent})", ADMINISTER, (tuple(argv),)
    )


def device_update(dev: str, body: Body) -> Change:
    """Set parameters (an empty value removes one)."""
    d = check_id(dev, "device")
    params = check_pairs(body.get("params"), "params")
    if not params:
        raise InvalidName("nothing to update: give params")
    argv = ("stonith", "update", d, *_assignments(params))
    return Change("fence.update", d, f"update fence device {d}", ADMINISTER, (argv,))


def _last_one(dev: str, body: Body, others: int, doing: str) -> None:
    if others == 0:
        confirmed(
            body,
            LAST_DEVICE,
            f"{dev} is the last fence device: {doing} it leaves no way to fence a node that "
            "stops answering, so the cluster stops recovering from failures (or, with "
            "stonith-enabled=false, may run a resource twice).",
        )


def device_delete(dev: str, body: Body, others: int) -> Change:
    """Remove a fence device (others: how many other devices the cluster has)."""
    d = check_id(dev, "device")
    _last_one(d, body, others, "deleting")
    return Change(
        "fence.delete", d, f"delete fence device {d}", ADMINISTER, (("stonith", "delete", d),)
    )


def device_disable(dev: str, body: Body, others: int) -> Change:
    """Stop a fence device (target-role=Stopped)."""
    d = check_id(dev, "device")
    _last_one(d, body, others, "disabling")
    return Change(
        "fence.disable", d, f"disable fence device {d}", ADMINISTER, (("stonith", "disable", d),)
    )


def device_enable(dev: str, body: Body, others: int) -> Change:
    """Let a fence device run again."""
    d = check_id(dev, "device")
    return Change(
        "fence.enable", d, f"enable fence device {d}", ADMINISTER, (("stonith", "enable", d),)
    )


def _level(body: Body) -> tuple[str, str, list[str]]:
    level = body.get("level")
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 9:
        raise InvalidName("level must be an integer from 1 to 9")
    node = check_id(body.get("node"), "node")
    devices = body.get("devices")
    if not isinstance(devices, list) or not devices:
        raise InvalidName("devices must be a non-empty list of fence device ids")
    return str(level), node, [check_id(d, "device") for d in devices]


def level_add(body: Body) -> Change:
    """Fencing topology: at level N, node is fenced by all of devices (tried in level order)."""
    level, node, devices = _level(body)
    argv = ("stonith", "level", "add", level, node, *devices)
    summary = f"fencing level {level} for {node}: {', '.join(devices)}"
    return Change("fence.level-add", node, summary, ADMINISTER, (argv,))


def level_delete(body: Body) -> Change:
    """Remove a fencing level of a node."""
    level, node, devices = _level(body)
    argv = ("stonith", "level", "delete", level, "target", node, "stonith", *devices)
    summary = f"remove fencing level {level} of {node}"
    return Change("fence.level-delete", node, summary, ADMINISTER, (argv,))


DEVICE_ACTIONS = {"disable": device_disable, "enable": device_enable}
