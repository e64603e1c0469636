#!/usr/bin/env python3
"""Record real crm_mon XML (and CIBs) from the lab cluster in several states, as test fixtures.

    .venv/bin/python tools/record_fixtures.py [--out tests/fixtures/crm_mon]
        [--cib-out tests/fixtures/cib] [--states all_online,standby,...] [--no-wait]

Drives the lab (`lab/lab`, see docs/lab.md) through the states of STATES (all_online,
standby, failed_resource, group_promotable, cloned, maintenance, orphan, pending, fenced
-- which also records node_lost -- and no_quorum), and in each writes
`OUT/STATE.xml` (`crm_mon --one-shot --inactive --output-as=xml`, run on node1 unless
said otherwise) and `CIB_OUT/STATE.xml` (`cibadmin --query`). Every state starts from
`lab/lab reset`; at the end, whatever happens, stopped nodes are started again and the
lab is reset to its seeded state.

Before touching the lab it waits until no lab test runs (`pgrep -f test_lab_cluster`,
`pytest ... tests/lab`) nor lab/lab command, and
`lab/lab status` has been healthy for 60 consecutive seconds (--no-wait skips that).
The XML is written as crm_mon printed it; `--include=all` is not recorded separately
because for XML it prints exactly the default sections (only `request=` differs).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hacore.commands.pacemaker import CRM_MON_XML  # noqa: E402
from hacore.pacemaker.model import ClusterStatus, Role  # noqa: E402
from hacore.pacemaker.status import parse_crm_mon  # noqa: E402
from hacore.pacemaker.xmlsafe import ParseError  # noqa: E402

LAB = ROOT / "lab" / "lab"
STABLE_FOR = 60.0
MAX_FIXTURE = 100_000
# Other users of the lab (pgrep -f patterns): lab tests, however started, and lab/lab
# commands that change it.
LAB_USERS = (
    "test_lab_cluster",
    "pytest.*tests/lab",
    "pytest.*-m lab",
    r"lab/lab (up|down|reset|kill-node|crash-node|start-node)",
)


class RecordError(Exception):
    """A state could not be reached or recorded."""


@dataclass
class Recorder:
    """Runs lab commands, waits for cluster states, writes fixtures."""

    out: Path
    cib_out: Path | None
    timeout: float = 180.0
    stopped: set[int] = field(default_factory=set)
    written: list[Path] = field(default_factory=list)

    def lab(self, *args: str, check: bool = True, timeout: float | None = None) -> str:
        """Run `lab/lab ARGS`; its stdout."""
        proc = subprocess.run(
            [str(LAB), *args],
            capture_output=True,
            text=True,
            timeout=timeout or self.timeout + 60,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RecordError(f"lab/lab {' '.join(args)}: {proc.returncode} {proc.stderr.strip()}")
        return proc.stdout

    def on(self, node: int, *cmd: str, check: bool = True) -> str:
        """Run CMD inside lab node N (`lab/lab exec N CMD`)."""
        print(f"  node{node}$ {' '.join(cmd)}", file=sys.stderr)
        return self.lab("exec", str(node), *cmd, check=check)

    def sh(self, line: str, node: int = 1) -> str:
        """Run a command line (split like a shell would, no shell) inside lab node N."""
        return self.on(node, *shlex.split(line))

    def status(self, node: int = 1) -> ClusterStatus | None:
        """crm_mon on NODE, parsed; None if it does not answer with XML we can read."""
        try:
            return parse_crm_mon(self.lab("exec", str(node), *CRM_MON_XML, check=False))
        except ParseError:
            return None

    def wait(self, what: str, ok: Callable[[ClusterStatus], bool], node: int = 1) -> ClusterStatus:
        """Poll crm_mon on NODE until ok(status); RecordError after the timeout."""
        print(f"  waiting: {what}", file=sys.stderr)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            status = self.status(node)
            if status is not None and ok(status):
                return status
            time.sleep(1)
        raise RecordError(f"timed out waiting for: {what}")

    def settle(self, node: int = 1) -> None:
        """Wait until the cluster has no transition in progress."""
        self.on(node, "crm_resource", "--wait", f"--timeout={int(self.timeout)}s", check=False)

    def record(self, name: str, node: int = 1, all_online: bool = True) -> None:
        """Write OUT/NAME.xml (crm_mon) and CIB_OUT/NAME.xml (cibadmin --query).

        With all_online, first checks that every node is online (a node that is not means
        someone else is using the lab: nothing is written).
        """
        status = self.status(node)
        if all_online and (status is None or not online(status)):
            raise RecordError(f"{name}: not every node is online; is someone else using the lab?")
        outputs = [(self.out / f"{name}.xml", [*CRM_MON_XML])]
        if self.cib_out is not None:
            outputs.append((self.cib_out / f"{name}.xml", ["cibadmin", "--query"]))
        for path, cmd in outputs:
            text = self.lab("exec", str(node), *cmd)
            if len(text.encode()) > MAX_FIXTURE:
                raise RecordError(f"{path}: {len(text)} bytes, over {MAX_FIXTURE}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            self.written.append(path)
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"  wrote {shown} ({len(text)} bytes)", file=sys.stderr)

    def kill(self, *nodes: int) -> None:
        """Power NODES off at the same moment (they stay off until started or fenced)."""
        self.stopped.update(nodes)
        procs = [
            subprocess.Popen([str(LAB), "kill-node", str(node)], stderr=subprocess.DEVNULL)
            for node in nodes
        ]
        for node, proc in zip(nodes, procs, strict=True):
            if proc.wait(timeout=60) != 0:
                raise RecordError(f"lab/lab kill-node {node} failed")

    def start(self, *nodes: int) -> None:
        """Start NODES (in parallel) and wait until the cluster sees them online."""
        procs = [
            subprocess.Popen([str(LAB), "start-node", str(node)], stderr=subprocess.DEVNULL)
            for node in nodes
        ]
        for proc in procs:
            proc.wait(timeout=self.timeout + 60)
        self.stopped.difference_update(nodes)

    def reset(self) -> None:
        """Back to the seeded state: nodes up, seeded CIB, everything started."""
        if self.stopped:
            self.start(*sorted(self.stopped))
        self.lab("reset")


def online(status: ClusterStatus, *names: str) -> bool:
    """All NAMES online (and, with no names, every node), with a quorate DC."""
    nodes = [n for n in status.nodes if not names or n.name in names]
    return bool(status.quorate) and bool(nodes) and all(n.online for n in nodes)


def resource(status: ClusterStatus, rsc_id: str) -> list[Role]:
    """Roles of every instance called rsc_id (primitives only)."""
    return [r.role for r in status.all_resources() if r.id == rsc_id and not r.children]


def state_all_online(rec: Recorder) -> None:
    """The seeded state: lab-fence, dummy1, dummy2 started, three nodes online."""
    rec.record("all_online")


def state_standby(rec: Recorder) -> None:
    """node2 in standby (its resources moved away); node attributes on node1 and node3."""
    # permanent attributes (in configuration/nodes): `lab/lab reset` removes them
    rec.sh("pcs node attribute node3 rack=r3")
    rec.sh("pcs node attribute node1 site=paris")
    rec.sh("pcs node standby node2")
    rec.settle()
    rec.wait("node2 standby, running nothing", lambda s: _standby_empty(s, "node2"))
    rec.record("standby")
    rec.sh("pcs node unstandby node2")


def _standby_empty(status: ClusterStatus, name: str) -> bool:
    node = status.node(name)
    return _node_flag(status, name, "standby") and node is not None and not node.resources_running


def state_failed(rec: Recorder) -> None:
    """A monitor failure (state file removed) and a start failure (fail_start_on)."""
    rec.sh("pcs resource create web_frontend ocf:heartbeat:Dummy op monitor interval=5s")
    rec.sh("pcs resource create batch_job ocf:pacemaker:Dummy fail_start_on=node1")
    rec.sh("pcs constraint location batch_job prefers node1=100")
    rec.settle()
    status = rec.wait("web_frontend started", lambda s: _started_on(s, "web_frontend") != "")
    where = _started_on(status, "web_frontend")
    rec.sh("rm -f /run/resource-agents/Dummy-web_frontend.state", int(where.removeprefix("node")))
    rec.wait("web_frontend monitor failure seen", lambda s: _failed(s, "web_frontend", "monitor"))
    rec.settle()
    rec.wait("batch_job start failure", lambda s: _failed(s, "batch_job", "start"))
    rec.record("failed_resource")


def _started_on(status: ClusterStatus, rsc_id: str) -> str:
    found = [r for r in status.all_resources() if r.id == rsc_id and r.active]
    return found[0].nodes[0] if found and found[0].nodes else ""


def _failed(status: ClusterStatus, rsc_id: str, task: str) -> bool:
    return any(f.resource == rsc_id and f.task == task for f in status.failures)


def state_group_promotable(rec: Recorder) -> None:
    """A group of two, a promotable clone (1 promoted, 2 unpromoted), a disabled primitive."""
    rec.sh("pcs resource create web_ip ocf:heartbeat:Dummy --group web")
    rec.sh("pcs resource create web_server ocf:heartbeat:Dummy --group web")
    rec.sh("pcs resource create stateful ocf:pacemaker:Stateful promotable")
    rec.sh("pcs resource create spare ocf:heartbeat:Dummy --disabled")
    rec.settle()
    rec.wait("stateful promoted once", lambda s: resource(s, "stateful").count(Role.PROMOTED) == 1)
    rec.record("group_promotable")


def state_cloned(rec: Recorder) -> None:
    """An anonymous clone, a clone of a group, a unique clone with a stopped instance."""
    rec.sh("pcs resource create ping_like ocf:heartbeat:Dummy clone")
    rec.sh("pcs resource create cg_a ocf:heartbeat:Dummy --group cgrp")
    rec.sh("pcs resource create cg_b ocf:heartbeat:Dummy --group cgrp")
    rec.sh("pcs resource clone cgrp")
    rec.sh(
        "pcs resource create uniq ocf:heartbeat:Dummy clone"
        " globally-unique=true clone-max=4 clone-node-max=1"
    )
    rec.settle()
    rec.wait("ping_like on 3 nodes", lambda s: resource(s, "ping_like").count(Role.STARTED) == 3)
    rec.record("cloned")


def state_maintenance(rec: Recorder) -> None:
    """node3 in maintenance, dummy1 unmanaged, dummy2 target-role Stopped."""
    rec.sh("pcs node maintenance node3")
    rec.sh("pcs resource unmanage dummy1")
    rec.sh("pcs resource disable dummy2")
    rec.settle()
    rec.wait("node3 in maintenance", lambda s: _node_flag(s, "node3", "maintenance"))
    rec.record("maintenance")
    rec.sh("pcs node unmaintenance node3")


def _node_flag(status: ClusterStatus, name: str, flag: str) -> bool:
    node = status.node(name)
    return node is not None and bool(getattr(node, flag))


def state_orphan(rec: Recorder) -> None:
    """dummy2 deleted from the configuration while running (stop-orphan-resources=false)."""
    rec.sh("crm_attribute --type crm_config --name stop-orphan-resources --update false")
    rec.sh("""cibadmin --delete --xml-text '<primitive id="dummy2"/>'""")
    rec.settle()
    rec.wait("dummy2 orphaned", lambda s: any(r.orphaned for r in s.all_resources()))
    rec.record("orphan")


def state_pending(rec: Recorder) -> None:
    """A resource whose start takes 8 s, recorded while it is starting."""
    rec.sh("pcs resource create slow ocf:pacemaker:Dummy op_sleep=8 op start timeout=30s")
    rec.wait("slow starting", lambda s: Role.STARTING in resource(s, "slow") or _pending(s))
    rec.record("pending")
    rec.settle()


def _pending(status: ClusterStatus) -> bool:
    return any(r.pending for r in status.all_resources())


def state_fenced(rec: Recorder) -> None:
    """node3 powered off: recorded once lost (if caught), then after the fence reboot."""
    rec.kill(3)
    try:
        rec.wait("node3 lost", lambda s: _lost(s, "node3"))
        rec.record("node_lost", all_online=False)
    except RecordError as exc:
        print(f"  (not caught while lost: {exc})", file=sys.stderr)
    rec.wait("node3 fenced", lambda s: _fenced(s, "node3"))
    rec.stopped.discard(3)  # the fence agent's reboot powers it on again
    rec.wait("node3 back online", online)
    rec.settle()
    rec.record("fenced")


def _fenced(status: ClusterStatus, name: str) -> bool:
    return any(e.target == name and e.status == "success" for e in status.fence_history)


def _lost(status: ClusterStatus, name: str) -> bool:
    node = status.node(name)
    return node is not None and not node.online


def state_no_quorum(rec: Recorder) -> None:
    """node2 and node3 powered off together: node1 alone, without quorum (so no fencing)."""
    rec.kill(2, 3)
    rec.wait("node1 without quorum", lambda s: s.quorate is False)
    rec.settle()
    # node1 stops what it runs; resources of the lost nodes stay "Started" there (cached,
    # unclean nodes that cannot be fenced without quorum)
    rec.wait("node1 running nothing", lambda s: _node_running(s, "node1") == 0)
    rec.record("no_quorum", all_online=False)
    rec.start(2, 3)
    rec.wait("all online again", online)


def _node_running(status: ClusterStatus, name: str) -> int | None:
    node = status.node(name)
    return None if node is None else node.resources_running


STATES: dict[str, Callable[[Recorder], None]] = {
    "all_online": state_all_online,
    "standby": state_standby,
    "failed_resource": state_failed,
    "group_promotable": state_group_promotable,
    "cloned": state_cloned,
    "maintenance": state_maintenance,
    "orphan": state_orphan,
    "pending": state_pending,
    "fenced": state_fenced,
    "no_quorum": state_no_quorum,
}


def lab_in_use() -> bool:
    """Whether someone else uses the lab: a lab test, or a lab/lab command changing it.

    Only meaningful while this script runs no lab/lab command itself.
    """
    for pattern in LAB_USERS:
        proc = subprocess.run(["pgrep", "-f", pattern], capture_output=True, check=False)
        if proc.returncode == 0:
            return True
    return False


def wait_for_lab(stable_for: float, timeout: float) -> None:
    """Until no lab test runs and `lab/lab status` has been OK for stable_for seconds."""
    deadline = time.monotonic() + timeout
    since: float | None = None
    while time.monotonic() < deadline:
        healthy = (
            not lab_in_use()
            and subprocess.run(
                [str(LAB), "status"], capture_output=True, check=False, timeout=60
            ).returncode
            == 0
        )
        now = time.monotonic()
        since = (since or now) if healthy else None
        print(f"  lab {'free' if healthy else 'busy'}", file=sys.stderr)
        if since is not None and now - since >= stable_for:
            return
        time.sleep(5)
    raise RecordError(f"the lab was not free and healthy for {stable_for:.0f} s within {timeout} s")


def record_states(rec: Recorder, names: list[str], watch_others: bool) -> list[str]:
    """Record each state in turn, then restore the lab; the names of those that failed.

    With watch_others, stops before the next state if someone else starts using the lab.
    """
    failed: list[str] = []
    try:
        for index, name in enumerate(names):
            if watch_others and lab_in_use():
                print("someone else uses the lab: stopping here", file=sys.stderr)
                failed.extend(names[index:])
                break
            print(f"{name}:", file=sys.stderr)
            try:
                rec.reset()
                STATES[name](rec)
            except (RecordError, subprocess.TimeoutExpired) as exc:
                print(f"  FAILED: {exc}", file=sys.stderr)
                failed.append(name)
    finally:
        print("restoring the lab", file=sys.stderr)
        try:
            rec.reset()
        except (RecordError, subprocess.TimeoutExpired) as exc:
            print(f"could not restore the lab: {exc}", file=sys.stderr)
            failed.append("restore")
    return failed


def main(argv: list[str] | None = None) -> int:
    """Record the states asked for (all by default); 0 if every one was recorded."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests/fixtures/crm_mon")
    parser.add_argument("--cib-out", type=Path, default=ROOT / "tests/fixtures/cib")
    parser.add_argument("--no-cib", action="store_true", help="do not record cibadmin --query")
    parser.add_argument("--states", default=",".join(STATES), help="comma-separated")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a free lab")
    parser.add_argument("--wait-timeout", type=float, default=3600.0)
    parser.add_argument("--timeout", type=float, default=180.0, help="per cluster state")
    args = parser.parse_args(argv)
    names = [s for s in args.states.split(",") if s]
    unknown = [s for s in names if s not in STATES]
    if unknown:
        parser.error(f"unknown states {unknown}; known: {', '.join(STATES)}")
    cib_out = None if args.no_cib else args.cib_out.resolve()
    rec = Recorder(args.out.resolve(), cib_out, args.timeout)
    if not args.no_wait:
        try:
            wait_for_lab(STABLE_FOR, args.wait_timeout)
        except RecordError as exc:
            print(f"not recording: {exc}", file=sys.stderr)
            return 2
    failed = record_states(rec, names, watch_others=not args.no_wait)
    summary = f"{len(rec.written)} files written; failed: {', '.join(failed) or 'none'}"
    print(summary, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
