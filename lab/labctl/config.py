"""Lab configuration: names, addresses and paths, all derived from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from pathlib import Path

from .errors import LabError

CLUSTER_NAME = "haconsole-lab"
NODE_COUNT = 3  # HACONSOLE_LAB_NODES, 2 to 5
MIN_NODES, MAX_NODES = 2, 5
DEFAULT_LAB_DIR = "/var/tmp/haconsole-lab"  # noqa: S108 - a fixed, root-owned state dir
DEFAULT_SUBNET = "198.51.100.0/24"
DEFAULT_TIMEOUT = 120.0
NODE_IFACE = "eth0"
# Every machine-global name of a lab instance starts with one of these; an instance's
# name goes into all of them (interface names and process names are at most 15 bytes).
DEVICE_FAMILY = "hclab-"
INSTANCE_PATTERN = re.compile(r"[a-z0-9]{1,5}")
# Inside a node: written at boot on the node's private /run, read by the fence agent.
NODE_RUN_INFO = Path("/run/haconsole-lab.json")
PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class Names:
    """The machine-global names of one lab instance (LAB_INSTANCE).

    The default instance ("") keeps the names the lab always had; another instance, e.g.
    `dev`, gets its own bridge, namespaces, veths, holder names and LAB_DIR, so that two
    labs can run side by side without either one ever touching the other's.
    """

    instance: str = ""

    @property
    def bridge(self) -> str:
        return f"{DEVICE_FAMILY}{self.instance}-br" if self.instance else "hclab-br0"

    @property
    def netns_prefix(self) -> str:
        return f"{DEVICE_FAMILY}{self.instance}-" if self.instance else "haconsole-lab-"

    @property
    def veth_prefix(self) -> str:
        return f"{DEVICE_FAMILY}{self.instance}-v" if self.instance else "hclab-veth"

    @property
    def comm_prefix(self) -> str:
        """Process names of the holders: lab-node1 (default), lab-dev-node1 (dev)."""
        return f"lab-{self.instance}-" if self.instance else "lab-"

    @property
    def root_holder_comm(self) -> str:
        return f"lab-{self.instance}-root" if self.instance else "lab-rootholder"

    @property
    def default_lab_dir(self) -> str:
        return f"{DEFAULT_LAB_DIR}-{self.instance}" if self.instance else DEFAULT_LAB_DIR

    def is_own_device(self, name: str) -> bool:
        """The instance's bridge or one of its veths."""
        return name == self.bridge or name.startswith(self.veth_prefix)


@dataclass(frozen=True)
class Node:
    """One lab node."""

    index: int
    name: str
    address: IPv4Address
    interface: IPv4Interface
    names: Names = Names()

    @property
    def netns(self) -> str:
        return f"{self.names.netns_prefix}{self.name}"

    @property
    def veth(self) -> str:
        return f"{self.names.veth_prefix}{self.index}"

    @property
    def holder_comm(self) -> str:
        return f"{self.names.comm_prefix}{self.name}"


@dataclass(frozen=True)
class Lab:
    """Everything a command needs to know about the lab."""

    home: Path
    dir: Path
    subnet: IPv4Network
    timeout: float
    nodes: tuple[Node, ...]
    names: Names = Names()
    spare: Node | None = None

    @property
    def all_nodes(self) -> tuple[Node, ...]:
        """The cluster's nodes and the spare (which `lab/lab spare up` boots)."""
        return (*self.nodes, self.spare) if self.spare else self.nodes

    @property
    def instance(self) -> str:
        return self.names.instance

    @property
    def bridge(self) -> str:
        return self.names.bridge

    @property
    def bridge_interface(self) -> IPv4Interface:
        return IPv4Interface(f"{self.subnet.network_address + 1}/{self.subnet.prefixlen}")

    @property
    def script(self) -> Path:
        return self.home / "lab"

    @property
    def sbin(self) -> Path:
        return self.home / "sbin"

    @property
    def templates(self) -> Path:
        return self.home / "templates"

    @property
    def run_dir(self) -> Path:
        return self.dir / "run"

    @property
    def ssh_key(self) -> Path:
        return self.dir / "ssh" / "id_ed25519"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "state"

    @property
    def info_file(self) -> Path:
        return self.dir / "lab.json"

    @property
    def root_holder_pidfile(self) -> Path:
        return self.run_dir / "root-holder.pid"

    @property
    def power_socket(self) -> Path:
        """Served by the root holder: how a fence agent in a node powers nodes off and on."""
        return self.run_dir / "power.sock"

    @property
    def shared_dir(self) -> Path:
        """Seen by every node as /home/datos (the stand-in for the book's GFS2 mount)."""
        return self.dir / "shared"

    def node(self, ref: str | int) -> Node:
        """Node by number (1..N, N+1 for the spare) or by name (node1)."""
        text = str(ref).strip()
        for node in self.all_nodes:
            if text in (str(node.index), node.name):
                return node
        raise LabError(f"no such lab node: {ref!r} (use 1..{len(self.all_nodes)})", 2)

    def node_dir(self, node: Node) -> Path:
        return self.dir / "nodes" / node.name

    def pidfile(self, node: Node) -> Path:
        return self.run_dir / f"{node.name}.pid"

    def boot_file(self, node: Node) -> Path:
        """The id of the node's current boot (written by its holder, removed at power-off)."""
        return self.run_dir / f"{node.name}.boot"

    def lockfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.lock"


def lab_env(lab: Lab) -> dict[str, str]:
    """The environment that makes a child `lab/lab` describe this same lab."""
    return {
        "LAB_INSTANCE": lab.instance,
        "LAB_DIR": str(lab.dir),
        "LAB_SUBNET": str(lab.subnet),
        "HACONSOLE_LAB_NODES": str(len(lab.nodes)),
    }


def parse_subnet(text: str) -> IPv4Network:
    """The lab subnet; it must hold the bridge (.1) and the nodes (.11 to .16)."""
    try:
        subnet = IPv4Network(text, strict=True)
    except ValueError as exc:
        raise LabError(f"LAB_SUBNET={text!r} is not an IPv4 network: {exc}", 2) from exc
    if subnet.num_addresses < 32:
        raise LabError(f"LAB_SUBNET={text!r} is too small (need at least a /27)", 2)
    return subnet


def parse_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise LabError(f"LAB_TIMEOUT={text!r} is not a number of seconds", 2) from exc
    if value <= 0:
        raise LabError("LAB_TIMEOUT must be positive", 2)
    return value


def parse_instance(text: str) -> Names:
    """LAB_INSTANCE: empty for the default lab, else 1-5 lowercase letters or digits."""
    if text and not INSTANCE_PATTERN.fullmatch(text):
        raise LabError(f"LAB_INSTANCE={text!r}: use 1-5 lowercase letters or digits", 2)
    return Names(text)


def parse_node_count(text: str) -> int:
    """HACONSOLE_LAB_NODES: how many cluster nodes (the spare is one more)."""
    try:
        count = int(text)
    except ValueError as exc:
        raise LabError(f"HACONSOLE_LAB_NODES={text!r} is not a number", 2) from exc
    if not MIN_NODES <= count <= MAX_NODES:
        raise LabError(f"HACONSOLE_LAB_NODES must be {MIN_NODES} to {MAX_NODES}", 2)
    return count


def make_node(subnet: IPv4Network, index: int, names: Names = Names()) -> Node:
    """Node `index` of the lab (address .10+index)."""
    address = subnet.network_address + 10 + index
    interface = IPv4Interface(f"{address}/{subnet.prefixlen}")
    return Node(index, f"node{index}", address, interface, names)


def make_nodes(
    subnet: IPv4Network, names: Names = Names(), count: int = NODE_COUNT
) -> tuple[Node, ...]:
    return tuple(make_node(subnet, index, names) for index in range(1, count + 1))


def load_lab(env: Mapping[str, str] | None = None) -> Lab:
    """Build the lab description from LAB_INSTANCE, LAB_DIR, LAB_SUBNET and LAB_TIMEOUT."""
    env = os.environ if env is None else env
    names = parse_instance(env.get("LAB_INSTANCE") or "")
    subnet = parse_subnet(env.get("LAB_SUBNET") or DEFAULT_SUBNET)
    count = parse_node_count(env.get("HACONSOLE_LAB_NODES") or str(NODE_COUNT))
    return Lab(
        home=Path(__file__).resolve().parent.parent,
        dir=Path(env.get("LAB_DIR") or names.default_lab_dir).resolve(),
        subnet=subnet,
        timeout=parse_timeout(env.get("LAB_TIMEOUT") or str(DEFAULT_TIMEOUT)),
        nodes=make_nodes(subnet, names, count),
        names=names,
        spare=make_node(subnet, count + 1, names),
    )
