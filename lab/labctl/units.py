"""The lab's service manager: what `systemctl` does inside a lab node (a stand-in).

There is no systemd in the lab. `lab/node/systemctl`, bind-mounted over the node's
/usr/bin/systemctl, starts and stops the node's daemons with this module, so that pcs and
pcsd (which call /bin/systemctl) run their real code paths. Everything runs inside the
node: its daemons become children of the node's holder (PID 1 of the node's PID
namespace), which reaps them and marks a unit "failed" when its main process dies without
being stopped (see `record_exit`).

State lives where systemd keeps it, on the node's private file systems:
- /run/lab-units/UNIT.pid (main pid), UNIT.failed (how it died), UNIT.stopping;
- enablement as systemd does it, a symlink
  /etc/systemd/system/multi-user.target.wants/UNIT.service (the node's private /etc).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .procs import all_pids, file_lock, is_alive, kill_pids, proc_info, run

STATE_DIR = Path("/run/lab-units")
RUN_INFO = Path("/run/haconsole-lab.json")
WANTS_DIR = Path("/etc/systemd/system/multi-user.target.wants")
UNIT_DIR = Path("/lib/systemd/system")
LOG_DIR_FILE = STATE_DIR / "log-dir"  # where daemons' stdout/stderr go (LAB_DIR/nodes/N/log)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
POLL = 0.05


class UnitError(Exception):
    """A start or stop that failed; the message is what systemctl prints."""


@dataclass(frozen=True)
class Unit:
    """A service the lab knows how to run, modelled on its Debian unit file."""

    name: str
    description: str
    command: tuple[str, ...]
    ready: str = "alive"  # alive | cmap | socket:PATH | tcp:PORT
    requires: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    stop_command: tuple[str, ...] = ()
    start_timeout: float = 90.0
    stop_timeout: float = 90.0
    kill_after_timeout: bool = True
    leftovers: tuple[str, ...] = ()  # process-name prefixes killed before a start

    @property
    def file(self) -> Path:
        return UNIT_DIR / f"{self.name}.service"

    @property
    def installed(self) -> bool:
        return Path(self.command[0]).exists()


UNITS: tuple[Unit, ...] = (
    Unit(
        "ssh",
        "OpenBSD Secure Shell server",
        ("/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config"),
        ready="tcp:22",
        aliases=("sshd",),
        env_files=("/etc/default/ssh",),
    ),
    Unit(
        "corosync",
        "Corosync Cluster Engine",
        ("/usr/sbin/corosync", "-f"),
        ready="cmap",
        env_files=("/etc/default/corosync",),
        stop_command=("/usr/sbin/corosync-cfgtool", "-H", "--force"),
        start_timeout=60.0,
    ),
    Unit(
        "pacemaker",
        "Pacemaker High Availability Cluster Manager",
        ("/usr/sbin/pacemakerd",),
        requires=("corosync",),
        env_files=("/etc/default/pacemaker",),
        env=(("PCMK_logfile", "/var/log/pacemaker/pacemaker.log"), ("PCMK_logfacility", "none")),
        stop_timeout=1800.0,  # TimeoutStopSec=30min, SendSIGKILL=no
        kill_after_timeout=False,
        leftovers=("pacemaker-",),
    ),
    Unit(
        "pcsd-ruby",
        "PCS GUI and remote configuration interface (Ruby)",
        ("/usr/share/pcsd/pcsd",),
        ready="socket:/run/pcsd-ruby.socket",
        env_files=("/etc/default/pcsd",),
    ),
    Unit(
        "pcsd",
        "PCS GUI and remote configuration interface",
        ("/usr/sbin/pcsd",),
        ready="tcp:2224",
        requires=("pcsd-ruby",),
        env_files=("/etc/default/pcsd",),
    ),
    Unit(
        "libvirtd",
        "Virtualization daemon",
        ("/usr/sbin/libvirtd",),
        ready="socket:/run/libvirt/libvirt-sock",
        env_files=("/etc/default/libvirtd",),
    ),
)
BOOT_ORDER = ("ssh", "corosync", "pacemaker", "libvirtd", "pcsd")


def find(name: str) -> Unit | None:
    """The unit called `name` (with or without .service, or an alias)."""
    base = name.removesuffix(".service")
    return next((u for u in UNITS if base == u.name or base in u.aliases), None)


def dependents(unit: Unit) -> list[Unit]:
    """The units that require this one (pacemaker requires corosync)."""
    return [u for u in UNITS if unit.name in u.requires]


def state_file(unit: Unit, kind: str) -> Path:
    """/run/lab-units/UNIT.KIND: pid, failed, stopping, lock."""
    return STATE_DIR / f"{unit.name}.{kind}"


def main_pid(unit: Unit) -> int | None:
    """The unit's main process if it is alive (a zombie or a reused pid does not count)."""
    try:
        pid = int(state_file(unit, "pid").read_text().strip())
    except (OSError, ValueError):
        return None
    info = proc_info(pid)
    expected = Path(unit.command[0]).name[:15]
    if info is None or not is_alive(pid) or info.comm != expected:
        return None
    return pid


def is_active(unit: Unit) -> bool:
    """The unit's main process runs."""
    return main_pid(unit) is not None


def active_state(unit: Unit) -> str:
    """active, failed or inactive, as `systemctl is-active` prints it."""
    if is_active(unit):
        return "active"
    return "failed" if state_file(unit, "failed").exists() else "inactive"


def wants_link(unit: Unit) -> Path:
    """The enablement symlink systemd would use for the unit."""
    return WANTS_DIR / f"{unit.name}.service"


def is_enabled(unit: Unit) -> bool:
    """The unit starts at boot (its wants link exists)."""
    return wants_link(unit).is_symlink()


def enable(unit: Unit) -> list[str]:
    """Make the unit start at boot; returns systemctl's messages."""
    link = wants_link(unit)
    if link.is_symlink():
        return []
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(unit.file)
    return [f"Created symlink {link} \u2192 {unit.file}."]


def disable(unit: Unit) -> list[str]:
    """Stop starting the unit at boot; returns systemctl's messages."""
    link = wants_link(unit)
    if not link.is_symlink():
        return []
    link.unlink()
    return [f'Removed "{link}".']


def lab_variables() -> dict[str, str]:
    """LAB_DIR, LAB_HOME, LAB_INSTANCE of the node (from its /run), whoever calls systemctl:
    every daemon of the lab carries them (tests find a lab's processes by them)."""
    try:
        info = json.loads(RUN_INFO.read_text())
    except (OSError, ValueError):
        return {}
    keys = {"LAB_DIR": "lab_dir", "LAB_HOME": "lab_home", "LAB_INSTANCE": "instance"}
    return {env: str(info[key]) for env, key in keys.items() if key in info}


def environment(unit: Unit) -> dict[str, str]:
    """A clean environment plus the unit's EnvironmentFile= files, as systemd builds it."""
    env = {"PATH": PATH, "LANG": "C.UTF-8", "HOME": "/root", **lab_variables()}
    for path in unit.env_files:
        env.update(read_env_file(Path(path)))
    env.update(dict(unit.env))
    return env


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an EnvironmentFile= (missing file: none)."""
    values: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and key and not key.startswith("#") and " " not in key:
                values[key] = value.strip().strip("\"'")
    return values


def log_path(unit: Unit) -> Path:
    """Where the unit's stdout and stderr go: LAB_DIR/nodes/NODE/log/UNIT.out."""
    try:
        base = Path(LOG_DIR_FILE.read_text().strip())
    except OSError:
        base = Path("/var/log")
    return base / f"{unit.name}.out"


def node_processes(prefixes: tuple[str, ...]) -> list[int]:
    """Live processes of this node (its own PID namespace) named with one of the prefixes."""
    me = os.getpid()
    found = []
    for pid in all_pids():
        info = proc_info(pid)
        if pid != me and info is not None and info.comm.startswith(prefixes) and is_alive(pid):
            found.append(pid)
    return found


def spawn(unit: Unit) -> int:
    """Start the unit's main process in its own session; the holder (PID 1) adopts it."""
    for kind in ("failed", "stopping"):
        state_file(unit, kind).unlink(missing_ok=True)
    stale = node_processes(unit.leftovers) if unit.leftovers else []
    if stale:
        kill_pids(stale)
    path = log_path(unit)
    with path.open("ab") as out:
        proc = subprocess.Popen(
            unit.command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=environment(unit),
            cwd="/",
            start_new_session=True,
            close_fds=True,
        )
    state_file(unit, "pid").write_text(f"{proc.pid}\n")
    proc.returncode = 0  # never waited for here: the holder reaps it (no ResourceWarning)
    return proc.pid


def ready(unit: Unit) -> bool:
    """The unit's readiness test (Type=notify daemons: what they wait for)."""
    kind, _, arg = unit.ready.partition(":")
    if kind == "cmap":
        result = run(["corosync-cmapctl", "-g", "totem.cluster_name"], check=False, timeout=5)
        return result.returncode == 0
    if kind == "socket":
        return Path(arg).exists()
    if kind == "tcp":
        return tcp_listening(int(arg))
    return True


def tcp_listening(port: int) -> bool:
    """Something listens on this TCP port (any local address): from /proc/net/tcp."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def wait_ready(unit: Unit, pid: int) -> None:
    """Until the unit is ready; UnitError if its process dies or it takes too long."""
    deadline = time.monotonic() + unit.start_timeout
    while not ready(unit):
        if not is_alive(pid):
            raise UnitError(
                f"Job for {unit.name}.service failed because the control process exited with "
                f'error code.\nSee "systemctl status {unit.name}.service" for details.'
            )
        if time.monotonic() > deadline:
            raise UnitError(f"Job for {unit.name}.service failed because a timeout was exceeded.")
        time.sleep(POLL)


@contextlib.contextmanager
def unit_lock(unit: Unit) -> Iterator[None]:
    """One start or stop of a unit at a time."""
    with file_lock(STATE_DIR / f"{unit.name}.lock", timeout=unit.stop_timeout + 60):
        yield


def start(unit: Unit) -> None:
    """Start the unit (and what it requires first); wait until it is ready."""
    if not unit.installed:
        raise UnitError(f"Failed to start {unit.name}.service: Unit {unit.name}.service not found.")
    for name in unit.requires:
        required = find(name)
        if required is not None:
            start(required)
    with unit_lock(unit):
        if is_active(unit):
            return
        pid = spawn(unit)
        wait_ready(unit, pid)


def stop(unit: Unit) -> None:
    """Stop what requires the unit, then the unit; wait until its process has gone."""
    for dependent in dependents(unit):
        if is_active(dependent):
            stop(dependent)
    with unit_lock(unit):
        state_file(unit, "failed").unlink(missing_ok=True)
        pid = main_pid(unit)
        if pid is None:
            state_file(unit, "pid").unlink(missing_ok=True)
            return
        state_file(unit, "stopping").write_text("")
        terminate(unit, pid)
        state_file(unit, "pid").unlink(missing_ok=True)
    for required in (find(name) for name in unit.requires):
        if required is not None and required.name == "pcsd-ruby":  # PartOf/StopWhenUnneeded
            stop(required)


def terminate(unit: Unit, pid: int) -> None:
    """ExecStop= if any, then SIGTERM; SIGKILL after the stop timeout (if allowed)."""
    if unit.stop_command:
        run(list(unit.stop_command), check=False, timeout=unit.stop_timeout)
    if is_alive(pid):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + unit.stop_timeout
    while is_alive(pid):
        if time.monotonic() > deadline:
            if not unit.kill_after_timeout:
                raise UnitError(f"Job for {unit.name}.service timed out while stopping.")
            os.kill(pid, signal.SIGKILL)
        time.sleep(POLL)


def record_exit(pid: int, status: int) -> str | None:
    """Called by the holder for every child it reaps: the unit whose main process died.

    Unless the unit was being stopped, it becomes "failed" (with how it died), which is
    what `systemctl is-active` then reports, as systemd does.
    """
    for unit in UNITS:
        try:
            recorded = int(state_file(unit, "pid").read_text().strip())
        except (OSError, ValueError):
            continue
        if recorded != pid:
            continue
        if not state_file(unit, "stopping").exists():
            state_file(unit, "failed").write_text(describe(status) + "\n")
        return unit.name
    return None


def describe(status: int) -> str:
    """How a process ended, as the holder logs it."""
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"


@dataclass
class Outcome:
    """What a systemctl verb produced: exit status and lines for stdout and stderr."""

    code: int = 0
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)


def started_since(pid: int) -> str:
    """`Tue 2026-12-01 14:24:05 UTC; 1min 3s ago`, from the process's start time."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return "unknown"
    age = max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))
    since = time.strftime("%a %Y-%m-%d %H:%M:%S %Z", time.localtime(time.time() - age))
    minutes, seconds = divmod(int(age), 60)
    ago = f"{minutes}min {seconds}s ago" if minutes else f"{seconds}s ago"
    return f"{since}; {ago}"


def status_lines(unit: Unit) -> list[str]:
    """`systemctl status UNIT`, the first lines of it (no journal in the lab)."""
    state = active_state(unit)
    enabled = "enabled" if is_enabled(unit) else "disabled"
    pid = main_pid(unit)
    dot = "\u25cf" if state == "active" else "\u25cb"
    lines = [
        f"{dot} {unit.name}.service - {unit.description}",
        f"     Loaded: loaded ({unit.file}; {enabled}; preset: enabled)",
    ]
    if pid is not None:
        lines.append(f"     Active: active (running) since {started_since(pid)}")
        lines.append(f"   Main PID: {pid} ({Path(unit.command[0]).name[:15]})")
    elif state == "failed":
        how = state_file(unit, "failed").read_text().strip()
        lines.append(f"     Active: failed (Result: {how})")
    else:
        lines.append("     Active: inactive (dead)")
    return lines


def list_unit_files() -> list[str]:
    """`systemctl list-unit-files --full`: the lab's units (pcs looks for NAME.service)."""
    rows = [(f"{u.name}.service", "enabled" if is_enabled(u) else "disabled") for u in UNITS]
    rows += [(f"{a}.service", "alias") for u in UNITS for a in u.aliases]
    installed = {f"{u.name}.service" for u in UNITS if u.installed}
    installed |= {f"{a}.service" for u in UNITS if u.installed for a in u.aliases}
    rows = [row for row in rows if row[0] in installed]
    width = max([len("UNIT FILE"), *(len(name) for name, _ in rows)]) + 1
    lines = [f"{'UNIT FILE':<{width}}{'STATE':<16}VENDOR PRESET"]
    lines += [f"{name:<{width}}{state:<16}enabled" for name, state in sorted(rows)]
    return [*lines, "", f"{len(rows)} unit files listed."]
