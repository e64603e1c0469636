"""The lab network: a bridge in the root namespace, one veth and one netns per node.

Nothing here touches any interface but the lab's own (bridge, veths, namespaces); no
default route is given to the nodes, so they reach only each other and the host's bridge
address.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from ipaddress import IPv4Address, IPv4Network, ip_network
from pathlib import Path
from typing import Any

from .config import DEVICE_FAMILY, NODE_IFACE, Lab, Node
from .errors import LabError
from .procs import run

NETNS_DIR = Path("/run/netns")
MAX_NODE_SLOTS = 6  # node addresses .11 to .16: up to five nodes and a spare


def ip_json(*args: str) -> list[dict[str, Any]]:
    result = run(["ip", "-j", *args], check=False)
    if result.returncode != 0 or not result.stdout.strip():
        return []
    data = json.loads(result.stdout)
    return data if isinstance(data, list) else []


def route_network(route: dict[str, Any]) -> IPv4Network | None:
    dst = str(route.get("dst", ""))
    if dst in ("", "default") or ":" in dst:
        return None
    with contextlib.suppress(ValueError):
        network = ip_network(dst, strict=False)
        if isinstance(network, IPv4Network):
            return network
    return None


def used_addresses(lab: Lab) -> list[IPv4Address]:
    """The addresses this lab puts on the wire: its bridge and every node slot."""
    base = lab.subnet.network_address
    return [base + 1, *(base + 10 + index for index in range(1, MAX_NODE_SLOTS + 1))]


def other_lab_route_ok(lab: Lab, network: IPv4Network) -> bool:
    """A route of another lab instance may nest with ours, never share our addresses.

    Either it is wider than our subnet (ours, more specific, wins for all our addresses),
    or it is narrower and holds none of the addresses we use.
    """
    if network == lab.subnet:
        return False
    if lab.subnet.subnet_of(network):
        return True
    return not any(address in network for address in used_addresses(lab))


def route_conflicts(lab: Lab) -> list[str]:
    conflicts = []
    for route in ip_json("route", "show", "table", "all"):
        network = route_network(route)
        dev = str(route.get("dev", ""))
        if network is None or not network.overlaps(lab.subnet) or lab.names.is_own_device(dev):
            continue
        if dev.startswith(DEVICE_FAMILY) and other_lab_route_ok(lab, network):
            continue
        conflicts.append(f"route {route.get('dst')} dev {dev or '?'}")
    return conflicts


def address_conflicts(lab: Lab) -> list[str]:
    conflicts = []
    for link in ip_json("-4", "addr", "show"):
        name = str(link.get("ifname", ""))
        if lab.names.is_own_device(name):
            continue
        for addr in link.get("addr_info", []):
            local = IPv4Address(addr["local"])
            network = ip_network(f"{local}/{addr['prefixlen']}", strict=False)
            if not network.overlaps(lab.subnet):
                continue
            if name.startswith(DEVICE_FAMILY) and local not in used_addresses(lab):
                continue
            conflicts.append(f"address {addr['local']}/{addr['prefixlen']} on {name}")
    return conflicts


def subnet_conflicts(lab: Lab) -> list[str]:
    """Routes and addresses that overlap the subnet, on anything but the lab's own devices.

    Another lab instance's bridge may hold a nested subnet (see `other_lab_route_ok`).
    """
    return route_conflicts(lab) + address_conflicts(lab)


def check_subnet_free(lab: Lab) -> None:
    conflicts = subnet_conflicts(lab)
    if conflicts:
        raise LabError(
            f"subnet {lab.subnet} is already in use on this machine ({'; '.join(conflicts)}); "
            "set LAB_SUBNET to a free range",
            2,
        )


def link(name: str, netns: str | None = None) -> dict[str, Any] | None:
    prefix = ["-n", netns] if netns else []
    links = ip_json(*prefix, "addr", "show", "dev", name)
    return links[0] if links else None


def has_address(info: dict[str, Any], address: str, prefixlen: int) -> bool:
    return any(
        a.get("local") == address and a.get("prefixlen") == prefixlen
        for a in info.get("addr_info", [])
    )


def disable_ipv6(device: str) -> None:
    """No IPv6 chatter (router solicitations, DAD) from the lab's devices."""
    with contextlib.suppress(OSError):
        Path(f"/proc/sys/net/ipv6/conf/{device}/disable_ipv6").write_text("1")


def bridge_ok(lab: Lab) -> bool:
    info = link(lab.bridge)
    iface = lab.bridge_interface
    return (
        info is not None
        and bridge_owner(lab) == str(lab.dir)
        and "UP" in info.get("flags", [])
        and has_address(info, str(iface.ip), iface.network.prefixlen)
        and len([a for a in info.get("addr_info", []) if a.get("family") == "inet"]) == 1
    )


def alias(device: str) -> str | None:
    links = ip_json("link", "show", "dev", device)
    value = links[0].get("ifalias") if links else None
    return str(value) if value else None


def bridge_owner(lab: Lab) -> str | None:
    """The LAB_DIR that created the instance's bridge (kept as the bridge's alias)."""
    return alias(lab.bridge)


def ensure_bridge(lab: Lab) -> None:
    if bridge_ok(lab):
        return
    bridge = lab.bridge
    if link(bridge) is None:
        run(["ip", "link", "add", bridge, "type", "bridge", "stp_state", "0"])
    disable_ipv6(bridge)
    run(["ip", "link", "set", bridge, "alias", str(lab.dir)])
    run(["ip", "-4", "addr", "flush", "dev", bridge])
    run(["ip", "addr", "add", str(lab.bridge_interface), "dev", bridge])
    run(["ip", "link", "set", bridge, "up"])


def netns_inode(node: Node) -> int | None:
    try:
        return os.stat(NETNS_DIR / node.netns).st_ino
    except OSError:
        return None


def node_net_ok(lab: Lab, node: Node) -> bool:
    """Namespace, both veth ends, the node's address, all up and on the bridge."""
    if netns_inode(node) is None:
        return False
    outer = link(node.veth)
    inner = link(NODE_IFACE, node.netns)
    return (
        outer is not None
        and inner is not None
        and outer.get("master") == node.names.bridge
        and "UP" in outer.get("flags", [])
        and "UP" in inner.get("flags", [])
        and has_address(inner, str(node.address), lab.subnet.prefixlen)
    )


def create_node_net(lab: Lab, node: Node) -> None:
    """(Re)create the node's namespace plumbing from scratch."""
    delete_node_net(node, keep_netns=True)
    if netns_inode(node) is None:
        with contextlib.suppress(LabError):
            run(["ip", "netns", "delete", node.netns])
        run(["ip", "netns", "add", node.netns])
    run(
        [
            "ip",
            "netns",
            "exec",
            node.netns,
            "sysctl",
            "-q",
            "-w",
            "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1",
        ]
    )
    run(
        [
            "ip",
            "link",
            "add",
            node.veth,
            "type",
            "veth",
            "peer",
            "name",
            NODE_IFACE,
            "netns",
            node.netns,
        ]
    )
    disable_ipv6(node.veth)
    run(["ip", "link", "set", node.veth, "master", node.names.bridge, "up"])
    run(["ip", "-n", node.netns, "addr", "add", str(node.interface), "dev", NODE_IFACE])
    run(["ip", "-n", node.netns, "link", "set", "lo", "up"])
    run(["ip", "-n", node.netns, "link", "set", NODE_IFACE, "up"])


def reattach(node: Node) -> None:
    """Plug a node's veth back into a re-created bridge (its node need not reboot)."""
    outer = link(node.veth)
    bridge = node.names.bridge
    if outer is not None and outer.get("master") != bridge and link(bridge) is not None:
        run(["ip", "link", "set", node.veth, "master", bridge, "up"], check=False)


def ensure_node_net(lab: Lab, node: Node) -> None:
    if not node_net_ok(lab, node):
        create_node_net(lab, node)


def delete_node_net(node: Node, *, keep_netns: bool = False) -> None:
    """Remove the veth pair (deleting one end deletes both) and, unless kept, the netns."""
    if link(node.veth) is not None:
        run(["ip", "link", "delete", node.veth], check=False)
    if netns_inode(node) is not None and link(NODE_IFACE, node.netns) is not None:
        run(["ip", "-n", node.netns, "link", "delete", NODE_IFACE], check=False)
    if not keep_netns and (NETNS_DIR / node.netns).exists():
        run(["ip", "netns", "delete", node.netns], check=False)


def stray_lab_netns(lab: Lab) -> list[str]:
    """This instance's node namespaces that are not among its nodes (e.g. other NODE_COUNT)."""
    known = {node.netns for node in lab.all_nodes}
    pattern = re.compile(re.escape(lab.names.netns_prefix) + r"node[0-9]+")
    with contextlib.suppress(OSError):
        return sorted(
            name for name in os.listdir(NETNS_DIR) if pattern.fullmatch(name) and name not in known
        )
    return []


def delete_bridge(lab: Lab) -> None:
    if link(lab.bridge) is not None:
        run(["ip", "link", "delete", lab.bridge], check=False)


# --- partitions ---------------------------------------------------------------------


def partition_file(lab: Lab) -> Path:
    """Where a partition is recorded."""
    return lab.run_dir / "partition.json"


def partition_side(lab: Lab) -> list[str]:
    """Names of the nodes cut off from the others (empty: no partition)."""
    try:
        data = json.loads(partition_file(lab).read_text())
    except (OSError, ValueError):
        return []
    return [str(n) for n in data.get("cut", [])] if isinstance(data, dict) else []


def blackholes(node: Node) -> list[str]:
    """Destinations of the blackhole routes in the node's network namespace."""
    if netns_inode(node) is None:
        return []
    routes = ip_json("-n", node.netns, "route", "show", "type", "blackhole")
    return [str(r.get("dst")) for r in routes if r.get("dst")]


def apply_partition(lab: Lab, node: Node) -> None:
    """Blackhole routes between the node and the nodes on the other side, in its own
    namespace (the others get theirs from `partition`). Traffic with the host stays."""
    side = partition_side(lab)
    if not side or netns_inode(node) is None:
        return
    mine = node.name in side
    for other in lab.all_nodes:
        if other != node and (other.name in side) != mine:
            run(["ip", "-n", node.netns, "route", "replace", "blackhole", f"{other.address}/32"])


def partition(lab: Lab, side: list[Node]) -> None:
    """Cut the links between `side` and every other node (corosync, pcsd, ssh, DRBD)."""
    partition_file(lab).write_text(json.dumps({"cut": [n.name for n in side]}) + "\n")
    for node in lab.all_nodes:
        apply_partition(lab, node)


def heal(lab: Lab) -> bool:
    """Remove every partition route; True if there was a partition."""
    had = partition_file(lab).exists()
    partition_file(lab).unlink(missing_ok=True)
    addresses = {f"{n.address}" for n in lab.all_nodes}
    for node in lab.all_nodes:
        for dst in blackholes(node):
            if dst.split("/")[0] in addresses:
                run(["ip", "-n", node.netns, "route", "del", "blackhole", dst], check=False)
                had = True
    return had
