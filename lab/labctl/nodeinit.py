"""A node's holder: its "init". Runs inside the node's netns + mount ns + UTS ns.

Started by `lab/lab` as `ip netns exec NETNS unshare --mount --uts --propagation private --
python3 lab/lab _node-init N`. It gives the node its private mounts and hostname, writes its
pid file, starts sshd, corosync and pacemakerd as its own children, reaps them promptly
(it is a child subreaper), and stays as the process that `nsenter -t HOLDER` enters.

Signals: SIGUSR1 = start whatever of sshd/corosync/pacemakerd is not running;
SIGTERM = kill the node's daemons and exit. Crashed daemons are not restarted by
themselves (the cluster fences the node instead).
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
from pathlib import Path

from .assets import BIND_DIRS
from .config import NODE_RUN_INFO, Lab, Node, lab_env
from .procs import (
    ProcInfo,
    all_pids,
    clean_env,
    is_alive,
    kill_pids,
    ns_inode,
    proc_info,
    rotate,
    run,
    set_comm,
    write_pidfile,
)
from .reaper import ChannelReaper

PR_SET_CHILD_SUBREAPER = 36
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
SIGNALS = {signal.SIGCHLD, signal.SIGUSR1, *STOP_SIGNALS}
# /run as a fresh tmpfs per boot: (path, mode, owner)
RUN_DIRS = (
    ("crm", 0o750, "hacluster:haclient"),
    ("sshd", 0o755, "root:root"),
    ("lock", 0o1777, "root:root"),
    ("resource-agents", 0o1755, "root:root"),
)
COROSYNC_READY_TIMEOUT = 30.0


def stamp(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", flush=True)


def mount(*args: str) -> None:
    run(["mount", *args])


def set_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def setup_run() -> None:
    mount("-t", "tmpfs", "-o", "mode=0755,nosuid,nodev", "lab-run", "/run")
    for name, mode, owner in RUN_DIRS:
        path = Path("/run") / name
        path.mkdir()
        path.chmod(mode)
        run(["chown", owner, str(path)])


def setup_mounts(lab: Lab, node: Node) -> None:
    """The node's private view of the file system (this mount ns only)."""
    setup_run()
    mount("-t", "tmpfs", "-o", "mode=1777,nosuid,nodev", "lab-shm", "/dev/shm")  # noqa: S108
    base = lab.node_dir(node)
    for host, name in BIND_DIRS.items():
        mount("--bind", str(base / name), host)
    if Path("/root/.bashrc").exists():
        mount("--bind", str(lab.dir / "empty-bashrc"), "/root/.bashrc")
    mount("-t", "overlay", "-o", f"lowerdir={lab.sbin}:/usr/sbin", "lab-sbin", "/usr/sbin")


def rotate_logs() -> None:
    for path in ("/var/log/pacemaker/pacemaker.log", "/var/log/corosync/corosync.log"):
        rotate(Path(path))


def in_node_netns(node: Node) -> bool:
    """Guard: the mounts below must never happen in the host's namespaces."""
    try:
        return os.stat(f"/run/netns/{node.netns}").st_ino == ns_inode(os.getpid())
    except OSError:
        return False


def write_run_info(lab: Lab, node: Node) -> None:
    info = {
        "lab_dir": str(lab.dir),
        "lab_home": str(lab.home),
        "instance": lab.instance,
        "subnet": str(lab.subnet),
        "node": node.name,
        "holder": os.getpid(),
    }
    NODE_RUN_INFO.write_text(json.dumps(info) + "\n")


def unblock_signals() -> None:
    """In a child before exec: undo the holder's blocked signal mask."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


class Supervisor:
    """Starts the node's daemons as children and keeps track of them."""

    def __init__(self, lab: Lab, node: Node) -> None:
        self.lab = lab
        self.node = node
        self.children: dict[str, int] = {}
        self.netns = ns_inode(os.getpid()) or 0
        self.log_dir = lab.node_dir(node) / "log"
        self.env = clean_env(
            PCMK_logfile="/var/log/pacemaker/pacemaker.log",
            PCMK_logfacility="none",
            LAB_HOME=str(lab.home),
            **lab_env(lab),
        )

    def spawn(self, name: str, cmd: list[str]) -> None:
        with (self.log_dir / f"{name}.out").open("ab") as out:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=self.env,
                cwd="/",
                preexec_fn=unblock_signals,  # noqa: PLW1509 - the holder has one thread
                close_fds=True,
            )
        self.children[name] = proc.pid
        stamp(f"started {name} (pid {proc.pid})")

    def running(self, name: str) -> bool:
        pid = self.children.get(name)
        return pid is not None and is_alive(pid)

    def node_procs(self) -> list[ProcInfo]:
        infos = (proc_info(pid) for pid in all_pids() if ns_inode(pid) == self.netns)
        return [i for i in infos if i is not None and i.state not in ("Z", "X")]

    def kill_comm(self, prefixes: tuple[str, ...]) -> None:
        """Kill leftovers of a crashed daemon (e.g. pacemaker-* after pacemakerd died)."""
        pids = [p.pid for p in self.node_procs() if p.comm.startswith(prefixes)]
        if pids:
            stamp(f"killing leftovers {pids}")
            kill_pids(pids)

    def corosync_ready(self) -> bool:
        result = run(["corosync-cmapctl", "-g", "totem.cluster_name"], check=False, timeout=5)
        return result.returncode == 0

    def wait_corosync(self) -> bool:
        deadline = time.monotonic() + COROSYNC_READY_TIMEOUT
        while time.monotonic() < deadline:
            if not self.running("corosync"):
                return False
            if self.corosync_ready():
                return True
            time.sleep(0.1)
        return False

    def ensure(self) -> None:
        """Start whatever is missing, in order: sshd, corosync, pacemakerd."""
        if not self.running("sshd"):
            self.spawn("sshd", ["/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config"])
        if not self.running("corosync"):
            self.kill_comm(("pacemaker", "corosync"))
            self.spawn("corosync", ["/usr/sbin/corosync", "-f"])
        if not self.running("pacemakerd"):
            if not self.wait_corosync():
                stamp("corosync is not ready; pacemakerd not started")
                return
            self.kill_comm(("pacemaker",))
            self.spawn("pacemakerd", ["/usr/sbin/pacemakerd"])

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for name, child in list(self.children.items()):
                if child == pid:
                    stamp(f"{name} (pid {pid}) exited: {describe_status(status)}")
                    del self.children[name]

    def stop(self) -> None:
        pids = list(self.children.values())
        stamp(f"stopping {pids}")
        kill_pids(pids)


def describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"


def boot_wait(delay: float) -> bool:
    """Like a machine's firmware: wait before starting the daemons. False = asked to stop.

    SIGUSR1 ("start your daemons") does not cut the delay short: a fenced node must not
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


def serve(sup: Supervisor, boot_delay: float) -> None:
    """The holder's loop: signals in, daemons reaped, orphaned ssh channels cleaned up."""
    if not boot_wait(boot_delay):
        return
    sup.ensure()
    reaper = ChannelReaper(sup.netns, stamp)
    while True:
        info = signal.sigtimedwait(SIGNALS, 1.0)
        sup.reap()
        reaper.maybe_run()
        if info is None:
            continue
        if info.si_signo == signal.SIGUSR1:
            sup.ensure()
        elif info.si_signo in STOP_SIGNALS:
            sup.stop()
            return


def node_init(lab: Lab, node: Node, boot_delay: float) -> int:
    """Entry point of `lab/lab _node-init N` (already inside the node's namespaces)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    set_subreaper()
    stamp(f"{node.name} booting in holder pid {os.getpid()}")
    if not in_node_netns(node):
        stamp(f"not inside {node.netns}: refusing to touch this namespace's mounts")
        return 2
    try:
        setup_mounts(lab, node)
        socket.sethostname(node.name)
        write_run_info(lab, node)
        rotate_logs()
    except Exception as exc:
        stamp(f"boot failed: {exc}")
        return 1
    set_comm(node.holder_comm)  # from now on, `lab/lab` recognises this holder
    write_pidfile(lab.pidfile(node), os.getpid())
    with contextlib.suppress(KeyboardInterrupt):
        serve(Supervisor(lab, node), boot_delay)
    stamp(f"{node.name} holder exiting")
    sys.stdout.flush()
    return 0
