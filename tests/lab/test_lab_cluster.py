"""The lab itself (lab/lab): a real 3-node Pacemaker/Corosync cluster in namespaces.

No Django here. The module starts with `lab/lab reset` (the seeded configuration, whatever
earlier tests left). Every test leaves the lab up, healthy and with all three nodes online,
so that the tests after it (and other lab tests) can run: the crash/kill tests restore the
node with `lab/lab start-node`, the recovery and down tests end with `lab/lab up`. Several
tests reboot nodes and one takes the whole lab down and up again (~10 s).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytestmark = pytest.mark.lab

LAB = Path(__file__).resolve().parents[2] / "lab" / "lab"
NAMES = ["node1", "node2", "node3"]
T = TypeVar("T")


def lab(*args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run lab/lab with args; with check, a failure shows lab/lab's own messages."""
    done = subprocess.run(
        [str(LAB), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        pytest.fail(f"lab/lab {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def wait_until(what: str, probe: Callable[[], T | None], timeout: float = 90) -> T:
    """Poll probe until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.25)


def crm_mon(number: int = 1) -> ET.Element | None:
    """crm_mon XML read on node number, or None if its Pacemaker does not answer."""
    done = lab("exec", str(number), "crm_mon", "--one-shot", "--output-as=xml", check=False)
    try:
        return ET.fromstring(done.stdout)  # noqa: S314 - the lab's own crm_mon
    except ET.ParseError:
        return None


def online(root: ET.Element | None) -> set[str]:
    """Names of the nodes crm_mon shows online."""
    if root is None:
        return set()
    return {n.get("name", "") for n in root.iterfind("nodes/node") if n.get("online") == "true"}


def fence_successes(target: str, number: int = 1) -> list[ET.Element]:
    """Successful fencing actions against target, from node number's fencer history."""
    done = lab(
        "exec",
        str(number),
        "stonith_admin",
        "--history",
        target,
        "--output-as=xml",
        check=False,
    )
    try:
        root = ET.fromstring(done.stdout)  # noqa: S314 - the lab's own stonith_admin
    except ET.ParseError:
        return []
    return [e for e in root.iter("fence_event") if e.get("status") == "success"]


def status_json() -> tuple[int, dict[str, object]]:
    done = lab("status", "--json", check=False)
    return done.returncode, json.loads(done.stdout)


def node_row(status: dict[str, object], name: str) -> dict[str, object]:
    rows = status["nodes"]
    assert isinstance(rows, list)
    return next(row for row in rows if row["name"] == name)


def nodes() -> list[tuple[str, str]]:
    return [
        (name, addr) for name, addr in (line.split() for line in lab("nodes").stdout.splitlines())
    ]


def ssh(address: str, known_hosts: Path, *command: str) -> subprocess.CompletedProcess[str]:
    key = lab("ssh-key").stdout.strip()
    return subprocess.run(
        [
            "ssh",
            "-i",
            key,
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            f"root@{address}",
            *command,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@functools.cache
def info() -> dict[str, Any]:
    """This lab instance's names (`lab/lab info`): LAB_INSTANCE picks the instance."""
    data = json.loads(lab("info").stdout)
    assert isinstance(data, dict)
    return data


def lab_dir() -> Path:
    return Path(info()["lab_dir"])


def clear_fence_history() -> None:
    lab("exec", "1", "stonith_admin", "--cleanup", "--history", "*")


@pytest.fixture(scope="module", autouse=True)
def lab_up() -> None:
    """The lab is up, with the seeded configuration, when the module starts.

    `reset` (which runs `up` first) because other tests may have left resources behind.
    """
    lab("reset", timeout=600)


def test_nodes_lists_three_nodes() -> None:
    listed = nodes()
    assert [name for name, _ in listed] == NAMES
    base = ipaddress.IPv4Network(info()["subnet"]).network_address
    assert [addr for _, addr in listed] == [str(base + 10 + n) for n in (1, 2, 3)]


def test_exec_runs_on_the_right_node() -> None:
    for number, name in enumerate(NAMES, 1):
        assert lab("exec", str(number), "hostname").stdout.strip() == name
        assert lab("exec", str(number), "uname", "-n").stdout.strip() == name
    done = subprocess.run(
        [str(LAB), "exec", "2", "sh", "-c", "cat; exit 7"],
        input="through stdin",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout) == (7, "through stdin")


def test_all_online_and_quorate() -> None:
    root = crm_mon()
    assert root is not None
    dc = root.find("summary/current_dc")
    assert dc is not None
    assert dc.get("with_quorum") == "true"
    assert online(root) == set(NAMES)
    resources = {r.get("id"): r.get("resource_agent") for r in root.iter("resource")}
    assert resources == {
        "lab-fence": "stonith:fence_haconsole_lab",
        "dummy1": "ocf:heartbeat:Dummy",
        "dummy2": "ocf:heartbeat:Dummy",
    }


def test_status_exit_zero_when_healthy() -> None:
    done = lab("status", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    code, status = status_json()
    assert code == 0
    assert status["healthy"] is True
    assert status["quorate"] is True
    for name in NAMES:
        row = node_row(status, name)
        assert row["sshd"]
        assert row["corosync"]
        assert row["pacemakerd"]
        assert row["cluster"] == "online"


def test_ssh_with_key_and_pinned_known_hosts(tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(lab("known-hosts").stdout)
    for name, address in nodes():
        done = ssh(address, known, "hostname; crm_mon --one-shot")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"{name}\n")
        assert "Online: [ node1 node2 node3 ]" in done.stdout


def test_ssh_rejects_a_wrong_known_hosts_entry(tmp_path: Path) -> None:
    lines = lab("known-hosts").stdout.splitlines()
    (first, _, _), (_, keytype, blob) = (line.split() for line in lines[:2])
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"{first} {keytype} {blob}\n")  # node2's key for node1's address
    done = ssh(first, wrong, "true")
    assert done.returncode == 255
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in done.stderr


def test_known_hosts_matches_ssh_keyscan() -> None:
    pinned = set(lab("known-hosts").stdout.splitlines())
    assert len(pinned) == 3
    scanned: set[str] = set()
    for _, address in nodes():
        done = subprocess.run(
            ["ssh-keyscan", "-t", "ed25519", "-T", "10", address],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        scanned.update(line for line in done.stdout.splitlines() if not line.startswith("#"))
    assert scanned == pinned


def test_up_again_is_quick() -> None:
    started = time.monotonic()
    lab("up")
    assert time.monotonic() - started < 10


def test_process_of_a_closed_ssh_channel_ends(tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text(lab("known-hosts").stdout)
    key = lab("ssh-key").stdout.strip()
    client = subprocess.Popen(
        [
            "ssh",
            "-i",
            key,
            "-o",
            f"UserKnownHostsFile={known}",
            "-o",
            "BatchMode=yes",
            f"root@{nodes()[0][1]}",
            "sleep 86399 | cat",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def remote_sleeps() -> str:
        """The remote `sleep` (exact command line: not the local ssh client's)."""
        done = lab("exec", "1", "pgrep", "--full", "--exact", "sleep 86399", check=False)
        return done.stdout.strip()

    log = lab_dir() / "nodes" / "node1" / "log" / "holder.log"
    reaped_before = log.read_text().count("orphaned ssh process")
    try:
        wait_until("the remote command to run", remote_sleeps, timeout=30)
    finally:
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=10)
    wait_until("the remote command to end", lambda: not remote_sleeps() or None, timeout=30)
    assert log.read_text().count("orphaned ssh process") > reaped_before


def test_crash_node_gets_fenced_and_comes_back() -> None:
    clear_fence_history()
    lab("crash-node", "3")
    code, status = status_json()
    row = node_row(status, "node3")
    assert code == 1
    assert row["sshd"]
    assert not row["corosync"]
    assert not row["pacemakerd"]
    wait_until("node3 fenced", lambda: fence_successes("node3"), timeout=60)
    wait_until("node3 online again", lambda: online(crm_mon(1)) == set(NAMES), timeout=60)
    lab("start-node", "3")
    assert online(crm_mon(3)) == set(NAMES)


def test_kill_node_is_seen_offline_then_fenced() -> None:
    clear_fence_history()
    lab("kill-node", "3")
    code, status = status_json()
    assert code == 1
    assert not any(node_row(status, "node3")[d] for d in ("sshd", "corosync"))
    wait_until("node3 offline", lambda: "node3" not in online(crm_mon(1)) or None, timeout=60)
    wait_until("node3 fenced", lambda: fence_successes("node3"), timeout=60)
    lab("start-node", "3")
    wait_until("node3 online", lambda: online(crm_mon(1)) == set(NAMES), timeout=60)


def test_reset_restores_the_seeded_configuration() -> None:
    lab("exec", "1", "crm_attribute", "--node", "node2", "--name", "standby", "--update", "on")
    lab("exec", "1", "crm_resource", "--ban", "--resource", "dummy1", "--node", "node1")
    lab("exec", "1", "crm_attribute", "--name", "no-quorum-policy", "--update", "freeze")
    lab("reset")
    config = lab("exec", "1", "cibadmin", "--query", "--scope", "configuration").stdout
    root = ET.fromstring(config)  # noqa: S314 - the lab's own cibadmin
    assert root.find("constraints/*") is None
    assert not [n for n in root.iter("nvpair") if n.get("name") in ("standby", "no-quorum-policy")]
    mon = crm_mon()
    assert mon is not None
    assert online(mon) == set(NAMES)
    assert all(r.get("role") == "Started" for r in mon.iter("resource"))
    assert not [n for n in mon.iterfind("nodes/node") if n.get("standby") == "true"]


def test_status_is_one_when_a_node_is_down() -> None:
    lab("kill-node", "2")
    try:
        assert lab("status", check=False).returncode == 1
    finally:
        lab("start-node", "2")
    assert lab("status", check=False).returncode == 0


def holder_comms() -> list[str]:
    """Process names of this instance's holders (another instance's differ)."""
    nodes = [node for node in info()["nodes"] if node["name"] != info()["spare"]]
    return [node["holder"] for node in nodes] + [info()["root_holder"]]


def lab_pids() -> list[int]:
    """Holders of the lab, found by their process names."""
    found = []
    for comm in holder_comms():
        done = subprocess.run(["pgrep", "-x", comm], capture_output=True, text=True, check=False)
        found += [int(pid) for pid in done.stdout.split()]
    return found


def test_up_recovers_from_a_killed_run() -> None:
    pids = lab_pids()
    assert len(pids) == len(holder_comms())
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    subprocess.run(["ip", "link", "delete", info()["nodes"][1]["veth"]], check=True)
    assert lab("status", check=False).returncode == 1
    lab("up", timeout=300)
    assert lab("status", check=False).returncode == 0
    assert online(crm_mon(2)) == set(NAMES)


def running_comms() -> set[str]:
    """Names of live (not zombie) processes on the machine."""
    done = subprocess.run(["ps", "-eo", "stat=,comm="], capture_output=True, text=True, check=True)
    return {
        comm
        for stat, _, comm in (line.strip().partition(" ") for line in done.stdout.splitlines())
        if not stat.startswith("Z")
    }


def processes_of_this_lab() -> list[str]:
    """Live processes started by this lab (the holders put LAB_DIR in their environment,
    every node daemon inherits it); another lab instance's have another LAB_DIR."""
    marker = f"LAB_DIR={lab_dir()}".encode()  # with LAB_HOME: not this test's own process
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        variables = environ.split(b"\0")
        lab_process = marker in variables and any(v.startswith(b"LAB_HOME=") for v in variables)
        if lab_process and stat.rpartition(")")[2].split()[0] != "Z":
            found.append(stat.partition(" ")[2].partition(")")[0].lstrip("("))
    return found


def test_down_leaves_nothing_and_up_comes_back() -> None:
    lab("down")
    lab("down")  # idempotent
    assert not set(holder_comms()) & running_comms()
    assert processes_of_this_lab() == []
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    assert not [n for n in info()["nodes"] if n["netns"] in netns.stdout.split()]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    names = [info()["bridge"], *(n["veth"] for n in info()["nodes"])]
    assert not [
        name for name in names if f" {name}:" in links.stdout or f" {name}@" in links.stdout
    ]
    assert lab("status", check=False).returncode == 1
    started = time.monotonic()
    lab("up", timeout=600)
    assert time.monotonic() - started < 60
    assert lab("status", check=False).returncode == 0
