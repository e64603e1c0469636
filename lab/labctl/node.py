"""Node power: holders, start ("power on"), kill ("power off"), crash, per-node state.

All of this runs in the root namespaces: from `lab/lab`, or from the fence agent through
`nsenter -t ROOT_HOLDER -m -n -u -- lab/lab _power ...`. A per-node lock serialises power
operations, so the CLI and a fence agent never start the same node twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import socketserver
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import net
from .config import PYTHON, Lab, Node, lab_env
from .errors import LabError
from .procs import (
    all_pids,
    clean_env,
    file_lock,
    is_alive,
    kill_netns,
    kill_pids,
    ns_inode,
    pids_in_netns,
    proc_info,
    read_pidfile,
    rotate,
    run,
    set_comm,
    wait_gone,
    write_pidfile,
)

HOLDER_START_TIMEOUT = 20.0
POWER_TIMEOUT = 90.0
LEAVE_TIMEOUT = 30.0
CRASH_PREFIXES = ("corosync", "pacemaker")
DAEMONS = ("sshd", "corosync", "pacemakerd")  # what a healthy node runs
OPTIONAL_DAEMONS = ("pcsd", "libvirtd")  # shown by status; `up` does not wait for them


def python() -> str:
    return PYTHON if Path(PYTHON).exists() else "python3"


def lab_state(lab: Lab) -> str:
    try:
        return lab.state_file.read_text().strip()
    except OSError:
        return "down"


def set_lab_state(lab: Lab, state: str) -> None:
    lab.run_dir.mkdir(parents=True, exist_ok=True)
    lab.state_file.write_text(state + "\n")


def same_ns_as_me(pid: int) -> bool:
    return all(ns_inode(pid, kind) == ns_inode(os.getpid(), kind) for kind in ("net", "mnt"))


def is_lab_process(pid: int, comm: str, marker: bytes) -> bool:
    """Alive (not a zombie), named `comm`, and `marker` in its command line."""
    info = proc_info(pid)
    if info is None or info.comm != comm or not is_alive(pid):
        return False
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def find_pid(pidfile: Path, valid: Callable[[int], bool], candidates: Iterable[int]) -> int | None:
    """The pid file's process if valid, else the first valid candidate (pid file rewritten)."""
    pid = read_pidfile(pidfile)
    if pid is not None and valid(pid):
        return pid
    for candidate in candidates:
        if valid(candidate):
            with contextlib.suppress(OSError):  # best effort: LAB_DIR may be gone
                write_pidfile(pidfile, candidate)
            return candidate
    return None


def is_root_holder(lab: Lab, pid: int) -> bool:
    comm = lab.names.root_holder_comm
    return is_lab_process(pid, comm, b"_root-holder") and same_ns_as_me(pid)


def root_holders(lab: Lab) -> list[int]:
    """Every root holder of this lab instance in our namespaces, whatever LAB_DIR it came
    from (another instance's root holder has another name)."""
    return [pid for pid in all_pids() if is_root_holder(lab, pid)]


def root_holder_pid(lab: Lab) -> int | None:
    candidates = lazy(lambda: root_holders(lab))
    return find_pid(lab.root_holder_pidfile, lambda pid: is_root_holder(lab, pid), candidates)


def is_holder_of(node: Node, pid: int) -> bool:
    return is_lab_process(pid, node.holder_comm, f"_node-init\0{node.name}\0".encode())


def holder_pid(lab: Lab, node: Node) -> int | None:
    """The node's holder: pid file first, else found among the node's processes."""
    inode = net.netns_inode(node)
    if inode is None:
        return None

    def valid(pid: int) -> bool:
        return is_holder_of(node, pid) and ns_inode(pid) == inode

    return find_pid(lab.pidfile(node), valid, lazy(lambda: pids_in_netns(inode)))


def lazy(produce: Callable[[], list[int]]) -> Iterator[int]:
    """Candidates computed only if the pid file did not do (a /proc scan costs)."""
    yield from produce()


def spawn_detached(lab: Lab, cmd: list[str], log: Path) -> None:
    """Start a long-lived lab process in its own session, detached from our stdio."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            cwd="/",
            env=clean_env(LAB_HOME=str(lab.home), **lab_env(lab)),
            start_new_session=True,
            close_fds=True,
        )


def wait_for(check: Callable[[], int | None], timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = check()
        if pid is not None:
            return pid
        time.sleep(0.02)
    return None


def power_socket_answers(lab: Lab) -> bool:
    """The root holder's socket exists and accepts connections (LAB_DIR may have been
    deleted under a running root holder)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2.0)
        try:
            sock.connect(str(lab.power_socket))
        except OSError:
            return False
    return True


def ensure_root_holder(lab: Lab) -> int:
    """One root holder of this instance, serving this LAB_DIR's power socket."""
    pid = root_holder_pid(lab)
    if pid is not None and power_socket_answers(lab):
        kill_pids([other for other in root_holders(lab) if other != pid])
        return pid
    kill_pids(root_holders(lab))
    lab.root_holder_pidfile.unlink(missing_ok=True)
    cmd = [python(), "-I", str(lab.script), "_root-holder"]
    spawn_detached(lab, cmd, lab.run_dir / "root-holder.log")
    pid = wait_for(
        lambda: root_holder_pid(lab) if power_socket_answers(lab) else None, HOLDER_START_TIMEOUT
    )
    if pid is None:
        log = lab.run_dir / "root-holder.log"
        raise LabError(f"the root-namespace holder did not start; see {log}")
    return pid


class PowerHandler(socketserver.StreamRequestHandler):
    """One request on the power socket: a JSON line in, a JSON line out."""

    lab: Lab

    def handle(self) -> None:
        try:
            request = json.loads(self.rfile.readline(4096))
            reply = power_request(self.lab, request)
        except (ValueError, LabError, TypeError, KeyError) as exc:
            reply = {"rc": 1, "output": f"bad power request: {exc}"}
        self.wfile.write(json.dumps(reply).encode() + b"\n")


def power_request(lab: Lab, request: dict[str, object]) -> dict[str, object]:
    """`lab/lab _power NODE on|off|status` in the root namespaces, for a fence agent."""
    node = lab.node(str(request["node"]))
    action = str(request["action"])
    if action not in ("on", "off", "reboot", "status"):
        raise LabError(f"unknown power action {action!r}")
    delay = float(str(request.get("boot_delay", 0)))
    cmd = [python(), "-I", str(lab.script), "_power", node.name, action]
    result = subprocess.run(
        [*cmd, f"--boot-delay={delay}"],
        capture_output=True,
        text=True,
        timeout=POWER_TIMEOUT,
        env=clean_env(LAB_HOME=str(lab.home), **lab_env(lab)),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return {"rc": result.returncode, "output": (result.stdout + result.stderr).strip()}


def root_holder_main(lab: Lab) -> int:
    """`lab/lab _root-holder`: lives in the root namespaces and serves the power socket.

    Code inside a node (the fence agent) cannot enter the root namespaces (its own PID
    namespace hides the host's processes, and /proc/1/ns is not readable here): it asks
    this process, over LAB_DIR/run/power.sock (root only), to power a node on or off.
    """
    set_comm(lab.names.root_holder_comm)
    lab.power_socket.unlink(missing_ok=True)
    PowerHandler.lab = lab
    server = socketserver.ThreadingUnixStreamServer(str(lab.power_socket), PowerHandler)
    server.daemon_threads = True
    lab.power_socket.chmod(0o600)
    write_pidfile(lab.root_holder_pidfile, os.getpid())
    server.serve_forever()
    return 0


def node_pids(node: Node) -> list[int]:
    inode = net.netns_inode(node)
    return [] if inode is None else pids_in_netns(inode)


def node_netns_inodes(node: Node) -> set[int]:
    """The node's netns, plus that of any holder of this node left in an unnamed netns
    (e.g. after `ip netns delete` while it ran)."""
    inodes = {ns_inode(pid) for pid in all_pids() if is_holder_of(node, pid)}
    inodes.add(net.netns_inode(node))
    return {inode for inode in inodes if inode is not None}


def kill_node_locked(lab: Lab, node: Node) -> set[int]:
    killed: set[int] = set()
    lab.boot_file(node).unlink(missing_ok=True)
    for inode in node_netns_inodes(node):
        killed |= kill_netns(inode)
    lab.pidfile(node).unlink(missing_ok=True)
    return killed


def booted_from_lab_dir(lab: Lab, node: Node, pid: int) -> bool:
    """Was the holder booted by this lab: from this LAB_DIR (its /etc/ssh is ours, not a
    deleted or older LAB_DIR's) and as this version boots nodes (PID 1 of its own PID
    namespace; a holder of an older lab/lab shares the host's and is rebooted)?"""
    if ns_inode(pid, "pid") in (None, ns_inode(os.getpid(), "pid")):
        return False
    try:
        seen = os.stat(f"/proc/{pid}/root/etc/ssh")
        ours = os.stat(lab.node_dir(node) / "etc-ssh")
    except OSError:
        return False
    return (seen.st_dev, seen.st_ino) == (ours.st_dev, ours.st_ino)


def power_off(lab: Lab, node: Node) -> set[int]:
    """Pull the plug: SIGKILL every process in the node's network namespace."""
    with file_lock(lab.lockfile(node.name)):
        return kill_node_locked(lab, node)


def spawn_holder(lab: Lab, node: Node, boot_delay: float, services: str) -> int:
    lab.pidfile(node).unlink(missing_ok=True)
    init = [python(), "-I", str(lab.script), "_node-init", node.name]
    cmd = ["ip", "netns", "exec", node.netns, *init, f"--boot-delay={boot_delay}"]
    log = lab.node_dir(node) / "log" / "holder.log"
    rotate(log)
    spawn_detached(lab, [*cmd, f"--services={services}"], log)
    pid = wait_for(lambda: holder_pid(lab, node), HOLDER_START_TIMEOUT)
    if pid is None:
        tail = log.read_text(errors="replace").splitlines()[-5:] if log.exists() else []
        raise LabError(f"{node.name} did not boot; {log}:\n" + "\n".join(tail))
    return pid


def power_on(lab: Lab, node: Node, boot_delay: float = 0.0, services: str = "all") -> str:
    """Press the power button: boot the node, or start its missing services if it runs.

    `services`: "all" brings every service of the node up (`lab/lab up`, `start-node`);
    "enabled" starts what is enabled, as a real machine's power-on does (the fence
    agent's "on"). Decided under the node's lock, so a fence agent's "on" and `lab/lab up`
    or `start-node` never kill each other's freshly booted holder. A node without network
    is rebooted.
    """
    with file_lock(lab.lockfile(node.name)):
        return power_on_locked(lab, node, boot_delay, services)


def power_on_locked(lab: Lab, node: Node, boot_delay: float, services: str) -> str:
    """power_on with the node's lock already held."""
    if lab_state(lab) != "up":
        raise LabError(f"the lab is down; not starting {node.name}")
    pid = holder_pid(lab, node)
    if pid is not None and net.node_net_ok(lab, node) and booted_from_lab_dir(lab, node, pid):
        if services == "all":
            os.kill(pid, signal.SIGUSR1)
        return "running; asked to start any missing service"
    action = "rebooted" if kill_node_locked(lab, node) else "booted"
    net.ensure_node_net(lab, node)
    net.apply_partition(lab, node)  # a partition outlives the node's reboots
    spawn_holder(lab, node, boot_delay, services)
    return action


def member_joined(lab: Lab, node: Node) -> bool:
    """Does any other running node's corosync still have `node` in its membership?"""
    key = f"runtime.members.{node.index}.status"
    for other in lab.all_nodes:
        pid = holder_pid(lab, other) if other != node else None
        if pid is None:
            continue
        result = run(nsenter(pid, ["corosync-cmapctl", "-g", key]), check=False, timeout=10)
        if result.returncode == 0 and result.stdout.strip().endswith("joined"):
            return True
    return False


def reboot(lab: Lab, node: Node, boot_delay: float) -> str:
    """The fence agent's reboot, under the node's lock from off to on (so that `up` or
    start-node cannot boot the node half-way). Between the two it waits until the other
    nodes' corosync has dropped the node: only then can the fencer's result reach the
    cluster (CPG stalls during a membership change), so the node cannot rejoin first and
    learn that it was "allegedly just fenced"."""
    with file_lock(lab.lockfile(node.name)):
        kill_node_locked(lab, node)
        deadline = time.monotonic() + LEAVE_TIMEOUT
        while member_joined(lab, node) and time.monotonic() < deadline:
            time.sleep(0.2)
        return power_on_locked(lab, node, boot_delay, "enabled")


def crash(node: Node) -> list[int]:
    """Corosync and every Pacemaker daemon of the node die at once (SIGKILL)."""
    victims = [
        pid
        for pid in node_pids(node)
        if (info := proc_info(pid)) is not None and info.comm.startswith(CRASH_PREFIXES)
    ]
    kill_pids(victims)
    wait_gone(victims)
    return victims


@dataclass
class NodeState:
    """What runs on a node, from the root namespace's point of view."""

    node: Node
    netns: bool = False
    network: bool = False
    holder: int | None = None
    files: bool = False
    daemons: dict[str, bool] = field(default_factory=dict)
    optional: dict[str, bool] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return (
            self.network and self.holder is not None and self.files and all(self.daemons.values())
        )


def node_state(lab: Lab, node: Node) -> NodeState:
    state = NodeState(node, netns=net.netns_inode(node) is not None)
    state.network = state.netns and net.node_net_ok(lab, node)
    state.holder = holder_pid(lab, node)
    state.files = state.holder is not None and booted_from_lab_dir(lab, node, state.holder)
    comms = {info.comm for pid in node_pids(node) if (info := proc_info(pid)) is not None}
    state.daemons = {name: name in comms for name in DAEMONS}
    state.optional = {name: name in comms for name in OPTIONAL_DAEMONS}
    return state


def nsenter(pid: int, cmd: list[str]) -> list[str]:
    """Run cmd "on" a node: in its holder's mount, network, UTS and PID namespaces."""
    return ["nsenter", "-t", str(pid), "-m", "-n", "-u", "-p", "--", *cmd]


def require_holder(lab: Lab, node: Node) -> int:
    pid = holder_pid(lab, node)
    if pid is None:
        raise LabError(
            f"{node.name} is not running (no holder); try `lab/lab start-node "
            f"{node.index}` or `lab/lab up`"
        )
    return pid
