"""pcsd in the lab: every node runs Debian's pcsd; the nodes are authenticated to each
other with `pcs host auth` (user hacluster, the lab's password), once per LAB_DIR.

Tokens live in each node's /var/lib/pcsd (LAB_DIR/nodes/N/var-lib-pcsd), so they survive
`down`/`up`; `up` only checks the files, and authenticates again when a node's
known-hosts lacks another running node (a new LAB_DIR, the spare's first boot).
"""

from __future__ import annotations

import json
import socket
import time

from .assets import hacluster_password
from .cluster import run_on
from .config import Lab, Node
from .errors import LabError
from .node import holder_pid
from .procs import log

PCSD_PORT = 2224
PCSD_TIMEOUT = 60.0


def known_hosts(lab: Lab, node: Node) -> set[str]:
    """Names in the node's /var/lib/pcsd/known-hosts (whom it has tokens for)."""
    path = lab.node_dir(node) / "var-lib-pcsd" / "known-hosts"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return set()
    hosts = data.get("known_hosts") if isinstance(data, dict) else None
    return set(hosts) if isinstance(hosts, dict) else set()


def pcsd_listening(node: Node) -> bool:
    """Something accepts connections on the node's port 2224."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((str(node.address), PCSD_PORT)) == 0


def wait_pcsd(lab: Lab, nodes: list[Node], timeout: float = PCSD_TIMEOUT) -> None:
    """Until pcsd accepts connections on every one of `nodes`."""
    deadline = time.monotonic() + timeout
    pending = list(nodes)
    while pending:
        pending = [node for node in pending if not pcsd_listening(node)]
        if pending and time.monotonic() > deadline:
            names = ", ".join(n.name for n in pending)
            raise LabError(f"pcsd does not listen on {names} after {timeout:.0f} s")
        time.sleep(0.2)


def running_nodes(lab: Lab) -> list[Node]:
    """Nodes (and the spare) whose holder runs."""
    return [node for node in lab.all_nodes if holder_pid(lab, node) is not None]


def ensure_auth(lab: Lab) -> None:
    """`pcs host auth` on every running node that lacks a token for another one."""
    nodes = running_nodes(lab)
    names = {node.name for node in nodes}
    missing = [node for node in nodes if not names <= known_hosts(lab, node)]
    if not missing:
        return
    wait_pcsd(lab, nodes)
    password = hacluster_password(lab)
    for node in missing:
        if names <= known_hosts(lab, node):  # pcsd's config sync got there first
            continue
        cmd = ["pcs", "host", "auth", *sorted(names), "-u", "hacluster", "-p", password]
        result = run_on(lab, node, cmd, timeout=120)
        if result.returncode != 0:
            raise LabError(f"pcs host auth on {node.name} failed: {result.stderr.strip()}")
        log(f"{node.name}: pcs host auth {' '.join(sorted(names))}")
