"""A node's holder: its "init", PID 1 of the node's own PID namespace.

Started by `lab/lab` as `ip netns exec NETNS python3 lab/lab _node-init NODE`. It unshares
a mount, UTS and PID namespace and forks: the child is PID 1 of the new PID namespace (so
`ps` on the node sees only the node) and is the holder. It gives the node its private
mounts (a fresh /proc, /run and /dev/shm, an overlay on /etc, private state directories),
its hostname and machine configuration (machine.py), writes its pid file (its pid as the
host sees it), then starts the node's services with the lab's service manager
(`systemctl start ...`, see units.py) and stays: it reaps every process of the node as
init does, marks a unit failed when its daemon dies unasked, ends processes of closed ssh
channels (reaper.py), and is what `nsenter -t HOLDER -m -n -u -p` enters to run a command
"on" the node. When it dies, the kernel kills every process of the node.

Signals (from the root namespace): SIGUSR1 = start every service of the node that is not
running (what `lab/lab start-node` and `up` ask); SIGTERM = stop and exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from . import machine, units
from .config import NODE_RUN_INFO, Lab, Node, lab_env
from .procs import clean_env, kill_pids, ns_inode, rotate, run, set_comm, write_pidfile
from .reaper import ChannelReaper

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWPID = 0x20000000
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
SIGNALS = {signal.SIGCHLD, signal.SIGUSR1, *STOP_SIGNALS}
SYSTEMCTL = "/usr/bin/systemctl"


def stamp(message: str) -> None:
    """A line of holder.log."""
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", flush=True)


def unshare(flags: int) -> None:
    """unshare(2) through libc."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) != 0:
        raise OSError(ctypes.get_errno(), "unshare failed")


def in_node_netns(node: Node) -> bool:
    """Guard: the mounts below must never happen in the host's namespaces."""
    try:
        return os.stat(f"/run/netns/{node.netns}").st_ino == ns_inode(os.getpid())
    except OSError:
        return False


def write_run_info(lab: Lab, node: Node, host_pid: int) -> None:
    """/run/haconsole-lab.json: where the lab is, for tools inside the node."""
    info = {
        "lab_dir": str(lab.dir),
        "lab_home": str(lab.home),
        "instance": lab.instance,
        "subnet": str(lab.subnet),
        "node": node.name,
        "holder": host_pid,
    }
    NODE_RUN_INFO.write_text(json.dumps(info) + "\n")
    # This boot's id: the DRBD stand-in's resources of this node live as long as it does
    # (like a kernel module's state); a reboot or power-off ends them.
    lab.boot_file(node).write_text(uuid.uuid4().hex + "\n")


def rotate_logs(lab: Lab, node: Node) -> None:
    """Logs over 64 MB become .1 at boot."""
    for name in ("/var/log/pacemaker/pacemaker.log", "/var/log/corosync/corosync.log"):
        rotate(Path(name))
    for path in (lab.node_dir(node) / "log").glob("*.out"):
        rotate(path)


def unblock_signals() -> None:
    """In a child before exec: undo the holder's blocked signal mask."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def ignore(_signum: int, _frame: object) -> None:
    """A handler, so that signals reach PID 1 of a PID namespace (they are then waited for
    with sigtimedwait, being blocked)."""


class Holder:
    """PID 1 of the node: starts its services, reaps its processes."""

    def __init__(self, lab: Lab, node: Node) -> None:
        self.lab = lab
        self.node = node
        self.netns = ns_inode(os.getpid()) or 0
        self.env = clean_env(LAB_HOME=str(lab.home), **lab_env(lab))
        self.starter: int | None = None

    def start_services(self, which: str) -> None:
        """`systemctl start` of the node's services, as a child (PID 1 keeps reaping)."""
        names = machine.boot_units(which)
        if not names:
            return
        proc = subprocess.Popen(
            [SYSTEMCTL, "start", *names],
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd="/",
            preexec_fn=unblock_signals,  # noqa: PLW1509 - the holder has one thread
            close_fds=True,
        )
        proc.returncode = 0  # reaped by `reap`, not by Popen
        self.starter = proc.pid
        stamp(f"starting {' '.join(names)} (systemctl pid {proc.pid})")

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            unit = units.record_exit(pid, status)
            if unit is not None:
                stamp(f"{unit} (pid {pid}) exited: {units.describe(status)}")
            elif pid == self.starter:
                self.starter = None
                if status:
                    stamp(f"systemctl start failed: {units.describe(status)}")

    def stop(self) -> None:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != 1]
        stamp(f"stopping {len(pids)} processes")
        kill_pids(pids)


def boot_wait(delay: float) -> bool:
    """Like a machine's firmware: wait before starting the services. False = asked to stop.

    SIGUSR1 ("start your services") does not cut the delay short: a fenced node must not
    rejoin before the fencer has reported its success.
    """
    if delay > 0:
        stamp(f"boot delay {delay:.1f} s")
    deadline = time.monotonic() + delay
    while (left := deadline - time.monotonic()) > 0:
        info = signal.sigtimedwait(SIGNALS, left)
        if info is not None and info.si_signo in STOP_SIGNALS:
            return False
    return True


def serve(holder: Holder, boot_delay: float, services: str) -> None:
    """The holder's loop: signals in, processes reaped, orphaned ssh channels cleaned up."""
    if not boot_wait(boot_delay):
        return
    holder.start_services(services)
    reaper = ChannelReaper(holder.netns, stamp)
    while True:
        info = signal.sigtimedwait(SIGNALS, 1.0)
        holder.reap()
        reaper.maybe_run()
        if info is None:
            continue
        if info.si_signo == signal.SIGUSR1:
            holder.start_services("all")
        elif info.si_signo in STOP_SIGNALS:
            holder.stop()
            return


def boot(lab: Lab, node: Node, host_pid: int) -> None:
    """Mounts, hostname, machine configuration: the node as a machine, before its services."""
    machine.setup_mounts(lab, node)
    socket.sethostname(node.name)
    write_run_info(lab, node, host_pid)
    rotate_logs(lab, node)
    machine.configure(lab, node)


def holder_main(lab: Lab, node: Node, boot_delay: float, services: str, host_pid: int) -> int:
    """PID 1 of the node's PID namespace."""
    for signum in SIGNALS:
        signal.signal(signum, ignore)
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    stamp(f"{node.name} booting in holder pid {host_pid} (pid 1 of the node)")
    try:
        boot(lab, node, host_pid)
    except Exception as exc:
        stamp(f"boot failed: {exc}")
        return 1
    set_comm(node.holder_comm)  # from now on, `lab/lab` recognises this holder
    write_pidfile(lab.pidfile(node), host_pid)
    with contextlib.suppress(KeyboardInterrupt):
        serve(Holder(lab, node), boot_delay, services)
    stamp(f"{node.name} holder exiting")
    sys.stdout.flush()
    return 0


def node_init(lab: Lab, node: Node, boot_delay: float, services: str) -> int:
    """Entry point of `lab/lab _node-init N` (already inside the node's network namespace)."""
    if not in_node_netns(node):
        stamp(f"not inside {node.netns}: refusing to touch this namespace's mounts")
        return 2
    unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID)
    sys.stdout.flush()
    # The first child after unshare(CLONE_NEWPID) is PID 1 of the new namespace: fork it
    # before anything else runs a subprocess.
    if os.fork():
        return 0  # the holder lives on as PID 1 of the new PID namespace
    host_pid = int(os.readlink("/proc/self"))  # the host's /proc: our pid as the host sees it
    run(["mount", "--make-rprivate", "/"])
    os._exit(holder_main(lab, node, boot_delay, services, host_pid))
