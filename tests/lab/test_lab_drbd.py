"""The DRBD stand-in in the running lab: drbdadm/drbdsetup inside the nodes, both sides of
a connection agreeing, the lab's trouble (split-brain, resync, failed disk, a crashed
node) shown as DRBD shows it. A resource between node1 and node2, brought up by hand
(no cluster resource); the module ends with the plain lab."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.lab.labmachines import info, on, reset, wait_until
from tests.labutil import LAB, lab

pytestmark = pytest.mark.lab
RES = "lab0"


def config(two_primaries: bool) -> str:
    addresses = {n["name"]: n["address"] for n in info()["nodes"]}
    hosts = "".join(
        f"\ton {name} {{\n\t\taddress {addresses[name]}:7790;\n\t\tnode-id {i};\n\t}}\n"
        for i, name in enumerate(("node1", "node2"))
    )
    net = "\t\tallow-two-primaries yes;\n" if two_primaries else ""
    return (
        f"resource {RES} {{\n\tdevice /dev/drbd10;\n\tdisk /dev/lab/{RES};\n\tmeta-disk internal;\n"
        f"\tnet {{\n\t\tprotocol C;\n{net}\t}}\n{hosts}}}\n"
    )


def status(number: int) -> dict[str, Any]:
    data = json.loads(on(number, "drbdsetup", "status", RES, "--json"))
    assert isinstance(data, list)
    assert len(data) == 1
    result: dict[str, Any] = data[0]
    return result


def peer_device(view: dict[str, Any]) -> dict[str, Any]:
    device: dict[str, Any] = view["connections"][0]["peer_devices"][0]
    return device


def bring_up(two_primaries: bool) -> None:
    """The resource on node1 and node2 from scratch (fresh state, connected)."""
    for number in (1, 2):
        on(number, "drbdadm", "down", RES)
    reset_state()
    for number in (1, 2):
        conf = config(two_primaries)
        lab("exec", str(number), "tee", f"/etc/drbd.d/{RES}.res", check=True, input_text=conf)
        lab("exec", str(number), "drbdadm", "up", RES, check=True)
    wait_until("connected", lambda: connection_state(1) == "Connected" or None, 30)


def replication(number: int) -> str:
    return str(peer_device(status(number))["replication-state"])


def connection_state(number: int) -> str:
    return str(status(number)["connections"][0]["connection-state"])


def reset_state() -> None:
    """Forget the resource (as `drbdadm down` everywhere would)."""
    path = f"{info()['lab_dir']}/drbd/state.json"
    subprocess.run(["rm", "-f", path], check=True)


@pytest.fixture(scope="module", autouse=True)
def plain_lab_after() -> Iterator[None]:
    lab("up", timeout=600)
    yield
    reset()


def test_a_primary_is_refused_next_to_a_primary_without_allow_two_primaries() -> None:
    bring_up(two_primaries=False)
    lab("exec", "1", "drbdadm", "primary", RES, check=True)
    refused = lab("exec", "2", "drbdadm", "primary", RES, check=False)
    assert refused.returncode == 11
    assert refused.stderr.splitlines() == [
        f"{RES}: State change failed: (-1) Multiple primaries not allowed by config",
        f"Command 'drbdsetup primary {RES}' terminated with exit code 11",
    ]
    assert status(2)["role"] == "Secondary"
    assert status(2)["connections"][0]["peer-role"] == "Primary"
    assert on(1, "drbdadm", "role", RES).strip() == "Primary"


def events2(number: int) -> subprocess.Popen[str]:
    """`drbdsetup events2` streaming on a node, read by the test."""
    return subprocess.Popen(
        [str(LAB), "exec", str(number), "drbdsetup", "events2", RES],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def read_until(stream: subprocess.Popen[str], needle: str, timeout: float = 20) -> list[str]:
    assert stream.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.stdout.readline()
        lines.append(line.rstrip("\n"))
        if needle in line:
            return lines
    pytest.fail(f"no {needle!r} in events2: {lines}")


def test_split_brain_shows_on_both_nodes_as_drbd_shows_it() -> None:
    bring_up(two_primaries=True)
    streams = {n: events2(n) for n in (1, 2)}
    try:
        for stream in streams.values():
            read_until(stream, "exists -")
        lab("drbd", "split-brain", RES, check=True)
        for number, stream in streams.items():
            peer = "node2" if number == 1 else "node1"
            lines = read_until(stream, f"conn-name:{peer} connection:StandAlone")
            call = f"call helper name:{RES} peer-node-id:{2 - number} conn-name:{peer}"
            assert f"{call} volume:0 helper:split-brain" in lines
    finally:
        for stream in streams.values():
            stream.kill()
            stream.wait()
    for number in (1, 2):
        view = status(number)
        conn = view["connections"][0]
        assert view["role"] == "Primary"
        assert view["devices"][0]["disk-state"] == "UpToDate"
        assert (conn["connection-state"], conn["peer-role"]) == ("StandAlone", "Unknown")
        pd = peer_device(view)
        assert (pd["replication-state"], pd["peer-disk-state"]) == ("Off", "DUnknown")
        assert pd["out-of-sync"] > 0
        assert pd["percent-in-sync"] < 100


def test_a_split_brain_is_resolved_by_discarding_one_sides_data() -> None:
    bring_up(two_primaries=True)
    lab("drbd", "split-brain", RES, check=True)
    lab("exec", "2", "drbdadm", "secondary", RES, check=True)
    lab("exec", "2", "drbdadm", "connect", "--discard-my-data", RES, check=True)
    assert connection_state(2) == "StandAlone" or connection_state(1) == "StandAlone"
    lab("exec", "1", "drbdadm", "connect", RES, check=True)
    wait_until(
        "both UpToDate",
        lambda: peer_device(status(1))["replication-state"] == "Established" or None,
        30,
    )
    for number in (1, 2):
        view = status(number)
        assert view["devices"][0]["disk-state"] == "UpToDate"
        assert view["connections"][0]["connection-state"] == "Connected"
        assert peer_device(view)["out-of-sync"] == 0
    assert status(2)["role"] == "Secondary"


def test_a_resync_progresses_at_the_rate_set_by_the_lab() -> None:
    bring_up(two_primaries=False)
    lab("drbd", "resync", RES, "--rate", "64", "--from", "1", check=True)
    first = peer_device(status(2))
    assert (first["replication-state"], status(2)["devices"][0]["disk-state"]) == (
        "SyncTarget", "Inconsistent",
    )  # fmt: skip
    assert peer_device(status(1))["replication-state"] == "SyncSource"
    time.sleep(2)
    second = peer_device(status(2))
    moved_kib = first["out-of-sync"] - second["out-of-sync"]
    assert 64 * 1024 <= moved_kib <= 64 * 1024 * 6  # 2 s at 64 MiB/s, slack for slow calls
    assert second["percent-resync-done"] > first["percent-resync-done"]
    assert second["want"] == 64.0
    lab("drbd", "resync", RES, "--rate", "4096", check=True)
    wait_until(
        "resync done",
        lambda: peer_device(status(2))["replication-state"] == "Established" or None,
        30,
    )
    assert status(2)["devices"][0]["disk-state"] == "UpToDate"


def test_a_failed_disk_leaves_the_node_diskless() -> None:
    bring_up(two_primaries=False)
    lab("drbd", "fail-disk", "2", RES, check=True)
    assert status(2)["devices"][0]["disk-state"] == "Diskless"
    assert peer_device(status(1))["peer-disk-state"] == "Diskless"
    text = on(1, "drbdadm", "status", RES)
    assert text.splitlines()[2:4] == [
        "  node2 role:Secondary",
        "    peer-disk:Diskless peer-client:no",
    ]


def test_a_crashed_node_loses_its_drbd_and_the_peer_keeps_writing() -> None:
    bring_up(two_primaries=False)
    lab("exec", "1", "drbdadm", "primary", RES, check=True)
    lab("kill-node", "2", check=True)
    wait_until("node2 gone", lambda: connection_state(1) == "Connecting" or None, 20)
    time.sleep(1.5)  # node1, Primary, writes while node2 is away
    assert peer_device(status(1))["out-of-sync"] > 0
    lab("start-node", "2", timeout=240)
    assert lab("exec", "2", "drbdsetup", "status", RES, check=False).returncode == 10  # down
    lab("exec", "2", "drbdadm", "up", RES, check=True)
    view = status(2)
    assert view["devices"][0]["disk-state"] in ("Inconsistent", "UpToDate")
    wait_until("in sync", lambda: status(2)["devices"][0]["disk-state"] == "UpToDate" or None, 30)
