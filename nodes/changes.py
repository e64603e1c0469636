"""What node actions do, as Changes: standby, maintenance, cluster services, fencing,
adding and removing a node. Every piece of input is checked here."""

from __future__ import annotations

from hacore.commands import Argv, pacemaker, pcs
from hacore.errors import InvalidInput
from hacore.pacemaker.ids import check_id
from hacore.validators import check_address
from operations.change import ADMINISTER, OPERATE, Body, Builder, Change, confirmed

_FLAGS = {
    "standby": ("standby", "on"),
    "unstandby": ("standby", None),
    "maintenance": ("maintenance", "on"),
    "unmaintenance": ("maintenance", None),
}


def node_flag(node: str, verb: str) -> Change:
    """standby|unstandby|maintenance|unmaintenance of NODE on the copy: the node
    attribute `pcs node VERB NODE` writes, set (or removed) with crm_attribute."""
    name = check_id(node, "node")
    attribute, value = _FLAGS[verb]
    argv = pacemaker.node_attribute(name, attribute, value)
    return Change(f"node.{verb}", name, f"{verb} {name}", OPERATE, (argv,))


def node_standby(node: str) -> Change:
    """Put a node in standby: its resources move away."""
    return node_flag(node, "standby")


def node_unstandby(node: str) -> Change:
    """Take a node out of standby."""
    return node_flag(node, "unstandby")


def cluster_service(node: str, verb: str, simulate: Argv = ()) -> Change:
    """pcs cluster start|stop|enable|disable NODE, run from another node (pcs reaches the
    node's services through its pcsd), so that the cluster can be read afterwards."""
    name = check_id(node, "node")
    return Change(
        f"node.{verb}",
        name,
        f"{verb} cluster services on {name}"
        if verb in ("start", "stop")
        else f"{verb} cluster services at boot on {name}",
        ADMINISTER,
        live=(pcs.cluster_service(verb, name),),
        simulate=simulate,
        avoid=name,
        unchecked=SERVICES.get(verb, ""),
    )


def node_fence(node: str, body: Body) -> Change:
    """Fence a node (reboot, or off); the node's name must be typed back."""
    name = check_id(node, "node")
    action = body.get("action", "reboot")
    if action not in ("reboot", "off"):
        raise InvalidInput("action must be reboot or off")
    confirmed(body, name, f"Fencing {name} cuts its power ({action}) and kills what runs there.")
    return Change(
        "node.fence",
        name,
        f"fence {name} ({action})",
        ADMINISTER,
        live=(pcs.stonith_fence(name, off=action == "off"),),
        simulate=("--node-fail", name),
        unchecked="whether a fence device can reach the node (see the advisor's fence "
        "path check): the plan simulates the node failing, not the device",
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
        live=(pcs.stonith_confirm(name),),
        unchecked="that the node is really powered off: nothing can check that for you",
    )


def node_add(body: Body) -> Change:
    """Add a node to the cluster (pcs cluster node add, started and enabled at boot).

    pcs reaches the new node through pcsd: it must run there and be authenticated.
    """
    name = check_id(body.get("node"), "node")
    address = None
    if body.get("address"):
        try:
            address = check_address(str(body["address"]))
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
    return Change(
        "cluster.node-add",
        name,
        f"add node {name}",
        ADMINISTER,
        live=(pcs.node_add(name, address),),
        unchecked="pcs reaches the new node through pcsd (authenticated, running) and "
        "writes corosync.conf on every node; the plan cannot try that on a copy",
    )


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
        live=(pcs.node_remove(name),),
        simulate=("--node-down", name),
        avoid=name,
        unchecked="pcs edits corosync.conf on every node through pcsd; the plan simulates "
        "the node leaving, not corosync's quorum afterwards",
    )


SERVICES = {
    "stop": "pcs refuses to stop a node whose loss costs the cluster its quorum; the plan "
    "simulates the node going down but does not compute quorum",
    "start": "whether the node's corosync and pacemaker start; the plan simulates it joining",
    "enable": "a boot-time setting of the node's service manager: nothing to simulate",
    "disable": "a boot-time setting of the node's service manager: nothing to simulate",
}

# Actions reachable by name from the API: builder(node name, request body).
NODE_ACTIONS: dict[str, Builder] = {
    "standby": lambda n, _: node_standby(n),
    "unstandby": lambda n, _: node_unstandby(n),
    "maintenance": lambda n, _: node_flag(n, "maintenance"),
    "unmaintenance": lambda n, _: node_flag(n, "unmaintenance"),
    "start": lambda n, _: cluster_service(n, "start", ("--node-up", n)),
    "stop": lambda n, _: cluster_service(n, "stop", ("--node-down", n)),
    "enable": lambda n, _: cluster_service(n, "enable"),
    "disable": lambda n, _: cluster_service(n, "disable"),
    "fence": node_fence,
    "confirm-fenced": node_confirm_fenced,
    "remove": node_remove,
}
