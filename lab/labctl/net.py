"""The lab network: a bridge in the root namespace, one veth and one netns per node.

Nothing here touches any interface but the lab's own (bridge, veths, namespaces); no
default route is given to the nodes, so they reach only each other and the host's bridge
address.
"""

from __future__ import annotations

import contextlib
import json
import os
from ipaddress import IPv4Network, ip_network
from pathlib import Path
from typing import Any

from .config import BRIDGE, NETNS_PREFIX, NODE_IFACE, VETH_PREFIX, Lab, Node
from .errors import LabError
from .procs import run

NETNS_DIR = Path("/run/netns")


def ip_json(*args: str) -> list[dict[str, Any]]:
    result = run(["ip", "-j", *args], check=False)
    if result.returncode != 0 or not result.stdout.strip():
        return []
    data = json.loads(result.stdout)
    return data if isinstance(data, list) else []


def is_lab_device(name: str) -> bool:
    return name == BRIDGE or name.startswith(VETH_PREFIX)


def route_network(route: dict[str, Any]) -> IPv4Network | None:
    dst = str(route.get("dst", ""))
    if dst in ("", "default") or ":" in dst:
        return None
    with contextlib.suppress(ValueError):
        network = ip_network(dst, strict=False)
        if isinstance(network, IPv4Network):
            return network
    return None


def subnet_conflicts(lab: Lab) -> list[str]:
    """Routes and addresses, on anything but the lab's own devices, that overlap the subnet."""
    conflicts = []
    for route in ip_json("route", "show", "table", "all"):
        network = route_network(route)
        dev = str(route.get("dev", ""))
        if network is not None and network.overlaps(lab.subnet) and not is_lab_device(dev):
            conflicts.append(f"route {route.get('dst')} dev {dev or '?'}")
    for link in ip_json("-4", "addr", "show"):
        name = str(link.get("ifname", ""))
        for addr in link.get("addr_info", []):
            address = ip_network(f"{addr['local']}/{addr['prefixlen']}", strict=False)
            if address.overlaps(lab.subnet) and not is_lab_device(name):
                conflicts.append(f"address {addr['local']}/{addr['prefixlen']} on {name}")
    return conflicts


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
    info = link(BRIDGE)
    iface = lab.bridge_interface
    return (
        info is not None
        and bridge_owner() == str(lab.dir)
        and "UP" in info.get("flags", [])
        and has_address(info, str(iface.ip), iface.network.prefixlen)
        and len([a for a in info.get("addr_info", []) if a.get("family") == "inet"]) == 1
    )


def bridge_owner() -> str | None:
    """The LAB_DIR that created the bridge (kept as the bridge's alias)."""
    links = ip_json("link", "show", "dev", BRIDGE)
    alias = links[0].get("ifalias") if links else None
    return str(alias) if alias else None


def ensure_bridge(lab: Lab) -> None:
    if bridge_ok(lab):
        return
    if link(BRIDGE) is None:
        run(["ip", "link", "add", BRIDGE, "type", "bridge", "stp_state", "0"])
    disable_ipv6(BRIDGE)
    run(["ip", "link", "set", BRIDGE, "alias", str(lab.dir)])
    run(["ip", "-4", "addr", "flush", "dev", BRIDGE])
    run(["ip", "addr", "add", str(lab.bridge_interface), "dev", BRIDGE])
    run(["ip", "link", "set", BRIDGE, "up"])


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
        and outer.get("master") == BRIDGE
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
    run(["ip", "link", "set", node.veth, "master", BRIDGE, "up"])
    run(["ip", "-n", node.netns, "addr", "add", str(node.interface), "dev", NODE_IFACE])
    run(["ip", "-n", node.netns, "link", "set", "lo", "up"])
    run(["ip", "-n", node.netns, "link", "set", NODE_IFACE, "up"])


def reattach(node: Node) -> None:
    """Plug a node's veth back into a re-created bridge (its node need not reboot)."""
    outer = link(node.veth)
    if outer is not None and outer.get("master") != BRIDGE and link(BRIDGE) is not None:
        run(["ip", "link", "set", node.veth, "master", BRIDGE, "up"], check=False)


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
    """Lab-named namespaces that are not among this lab's nodes (e.g. other NODE_COUNT)."""
    known = {node.netns for node in lab.nodes}
    with contextlib.suppress(OSError):
        return sorted(
            name
            for name in os.listdir(NETNS_DIR)
            if name.startswith(NETNS_PREFIX) and name not in known
        )
    return []


def delete_bridge() -> None:
    if link(BRIDGE) is not None:
        run(["ip", "link", "delete", BRIDGE], check=False)
