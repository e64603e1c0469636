"""Processes: running commands, reading /proc, pid files, locks, killing a namespace."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import LabError

CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def log(message: str) -> None:
    """Progress messages go to stderr, so stdout stays machine-readable."""
    print(f"lab: {message}", file=sys.stderr, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """A minimal environment for lab daemons: no pyenv, no inherited oddities."""
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "HOME": "/root", "SHELL": "/bin/bash"}
    env.update(extra)
    return env


def run(
    cmd: Sequence[str],
    *,
    check: bool = True,
    timeout: float = 30.0,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capture its output; raise LabError on failure if `check`."""
    try:
        result = subprocess.run(
            list(cmd),
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input_text,
            env=env,
            cwd=cwd,
            check=False,
            stdin=None if input_text is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise LabError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from exc
    except FileNotFoundError as exc:
        raise LabError(f"command not found: {cmd[0]}") from exc
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise LabError(f"command failed ({result.returncode}): {' '.join(cmd)}: {detail}")
    return result


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    ppid: int
    state: str
    comm: str
    session: int


def proc_info(pid: int) -> ProcInfo | None:
    """Parse /proc/PID/stat; None if the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return ProcInfo(pid, int(fields[1]), fields[0], comm, int(fields[3]))


def is_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie (or dead, or being torn down)."""
    info = proc_info(pid)
    return info is not None and info.state not in ("Z", "X", "x")


def all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def ns_inode(pid: int | str, kind: str = "net") -> int | None:
    """Inode of a process's namespace, None if unreadable (gone, zombie, not ours)."""
    try:
        return os.stat(f"/proc/{pid}/ns/{kind}").st_ino
    except OSError:
        return None


def pids_in_netns(inode: int) -> list[int]:
    """Live processes whose network namespace has this inode."""
    me = os.getpid()
    return [pid for pid in all_pids() if pid != me and ns_inode(pid) == inode and is_alive(pid)]


def kill_pids(pids: Sequence[int], sig: signal.Signals = signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def kill_netns(inode: int, timeout: float = 10.0) -> set[int]:
    """SIGKILL every process in a network namespace, repeatedly, until none is left."""
    if inode == ns_inode(os.getpid()):
        raise LabError("refusing to kill the processes of our own network namespace")
    deadline = time.monotonic() + timeout
    killed: set[int] = set()
    while True:
        pids = pids_in_netns(inode)
        if not pids:
            return killed
        if time.monotonic() > deadline:
            raise LabError(f"processes survive SIGKILL in netns {inode}: {pids}")
        kill_pids(pids)
        killed.update(pids)
        time.sleep(0.02)


def wait_reaped(pids: Iterable[int], timeout: float = 5.0) -> bool:
    """Wait until the processes have left /proc altogether (their zombies reaped)."""
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending:
        pending = {pid for pid in pending if Path(f"/proc/{pid}").exists()}
        if pending and time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_gone(pids: Sequence[int], timeout: float = 5.0) -> bool:
    """Wait until none of the processes is alive (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while any(is_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def read_pidfile(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def write_pidfile(path: Path, pid: int) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(path)


def rotate(path: Path, limit: int = 64 << 20) -> None:
    """Keep a log from growing without bound: past `limit` bytes it becomes PATH.1."""
    with contextlib.suppress(OSError):
        if path.stat().st_size > limit:
            path.replace(path.with_name(path.name + ".1"))


def set_comm(name: str) -> None:
    """Name this process (ps, /proc/PID/comm): how the lab recognises its holders."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(name[:15])


@contextlib.contextmanager
def file_lock(path: Path, timeout: float = 60.0) -> Iterator[None]:
    """An exclusive flock on `path`, waiting at most `timeout` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise LabError(f"another lab command holds {path}") from exc
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
