"""What fencing actions do, as Changes: devices and levels (fencing topology).

Every piece of input is checked here. Deleting or disabling the last fence device needs a
confirmation that names the risk, as turning stonith-enabled off does.
"""

from __future__ import annotations

from typing import Any

from hacore.commands import pcs
from hacore.errors import InvalidInput
from hacore.pacemaker.ids import check_fence_agent, check_id, check_pairs, check_secret_names
from operations.change import ADMINISTER, Change, confirmed

Body = dict[str, Any]
LAST_DEVICE = "leave the cluster without fencing"


def device_create(body: Body) -> Change:
    """A fence device from an agent, its parameters (pcmk_host_list...) and meta."""
    dev, agent = check_id(body.get("id"), "id"), check_fence_agent(body.get("agent"))
    params, meta = check_pairs(body.get("params"), "params"), check_pairs(body.get("meta"), "meta")
    argv = pcs.stonith_create(dev, agent, params, meta)
    summary = f"create fence device {dev} ({agent})"
    change = Change("fence.create", dev, summary, ADMINISTER, (argv,))
    return change.with_secrets(check_secret_names(body.get("secret_params")))


def device_update(dev: str, body: Body) -> Change:
    """Set parameters (an empty value removes one)."""
    d = check_id(dev, "device")
    params = check_pairs(body.get("params"), "params")
    if not params:
        raise InvalidInput("nothing to update: give params")
    argv = pcs.stonith_update(d, params)
    change = Change("fence.update", d, f"update fence device {d}", ADMINISTER, (argv,))
    return change.with_secrets(check_secret_names(body.get("secret_params")))


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
    argv = pcs.stonith_flag("delete", d)
    return Change("fence.delete", d, f"delete fence device {d}", ADMINISTER, (argv,))


def device_disable(dev: str, body: Body, others: int) -> Change:
    """Stop a fence device (target-role=Stopped)."""
    d = check_id(dev, "device")
    _last_one(d, body, others, "disabling")
    argv = pcs.stonith_flag("disable", d)
    return Change("fence.disable", d, f"disable fence device {d}", ADMINISTER, (argv,))


def device_enable(dev: str, body: Body, others: int) -> Change:
    """Let a fence device run again."""
    d = check_id(dev, "device")
    argv = pcs.stonith_flag("enable", d)
    return Change("fence.enable", d, f"enable fence device {d}", ADMINISTER, (argv,))


def _level(body: Body) -> tuple[str, str, list[str]]:
    level = body.get("level")
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 9:
        raise InvalidInput("level must be an integer from 1 to 9")
    node = check_id(body.get("node"), "node")
    devices = body.get("devices")
    if not isinstance(devices, list) or not devices:
        raise InvalidInput("devices must be a non-empty list of fence device ids")
    return str(level), node, [check_id(d, "device") for d in devices]


def level_add(body: Body) -> Change:
    """Fencing topology: at level N, node is fenced by all of devices (tried in level order)."""
    level, node, devices = _level(body)
    argv = pcs.stonith_level_add(level, node, devices)
    summary = f"fencing level {level} for {node}: {', '.join(devices)}"
    return Change("fence.level-add", node, summary, ADMINISTER, (argv,))


def level_delete(body: Body) -> Change:
    """Remove a fencing level of a node."""
    level, node, devices = _level(body)
    argv = pcs.stonith_level_delete(level, node, devices)
    summary = f"remove fencing level {level} of {node}"
    return Change("fence.level-delete", node, summary, ADMINISTER, (argv,))


DEVICE_ACTIONS = {"disable": device_disable, "enable": device_enable}
