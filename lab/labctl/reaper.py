"""End processes whose SSH channel is gone (a lab convenience; real nodes do not do this).

When a client closes an exec channel, sshd closes its end of the command's stdout pipe but
does not signal the command; something like `tail -F log | grep --line-buffered x` then
runs until it next writes, which may be never. The node's holder calls `reap_orphaned`
about once a second: a process started over SSH (SSH_CONNECTION in its environment) whose
stdout is a pipe without readers gets SIGTERM, and SIGKILL if still there 2 s later. Each
one is logged in the node's holder.log ("orphaned ssh process"), so tests can notice
leaks that a real node would keep.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path

from .procs import all_pids, is_alive, ns_inode, proc_info

KILL_AFTER = 2.0


def started_over_ssh(pid: int) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return b"\0SSH_CONNECTION=" in environ or environ.startswith(b"SSH_CONNECTION=")


def stdout_orphaned(pid: int) -> bool:
    """True if fd 1 is a pipe whose read end nobody holds any more (poll says POLLERR)."""
    path = f"/proc/{pid}/fd/1"
    try:
        if not os.readlink(path).startswith("pipe:"):
            return False
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        poller = select.poll()
        poller.register(fd, 0)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    finally:
        os.close(fd)


class ChannelReaper:
    """Remembers whom it asked to terminate, to SIGKILL them if they do not."""

    def __init__(self, netns: int, log: Callable[[str], None]) -> None:
        self.netns = netns
        self.log = log
        self.terminated: dict[int, float] = {}
        self.last_run = 0.0

    def candidates(self) -> list[int]:
        pids = []
        for pid in all_pids():
            if ns_inode(pid) != self.netns:  # a stat(): cheap; most processes stop here
                continue
            info = proc_info(pid)
            if info is None or info.comm == "sshd":
                continue
            if started_over_ssh(pid) and stdout_orphaned(pid):
                pids.append(pid)
        return pids

    def maybe_run(self, interval: float = 1.0) -> None:
        now = time.monotonic()
        if now - self.last_run >= interval:
            self.last_run = now
            self.run(now)

    def run(self, now: float) -> None:
        self.terminated = {p: t for p, t in self.terminated.items() if is_alive(p)}
        for pid in self.candidates():
            since = self.terminated.get(pid)
            if since is None:
                self.log(f"orphaned ssh process {pid} ({command_line(pid)}): SIGTERM")
                self.terminated[pid] = now
                self.signal(pid, signal.SIGTERM)
            elif now - since >= KILL_AFTER:
                self.log(f"orphaned ssh process {pid} survived SIGTERM: SIGKILL")
                self.signal(pid, signal.SIGKILL)

    @staticmethod
    def signal(pid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:120]
