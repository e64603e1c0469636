"""The lab's nodes as machines: own PID namespace, the lab's service manager (systemctl),
pcsd on every node (pcs cluster stop/start through it, node add of the spare), and
partitions. Each test leaves the plain lab, up and healthy."""

from __future__ import annotations

import subprocess

import pytest

from tests.lab.labmachines import dc, info, node_names, on, online, reset, wait_until
from tests.labutil import lab

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module", autouse=True)
def plain_lab() -> None:
    """The plain lab when the module starts (other tests may have left anything)."""
    reset()


def test_a_node_sees_only_its_own_processes() -> None:
    ps = [line.split() for line in on(2, "ps", "-eo", "pid=,comm=").splitlines()]
    holder = next(n["holder"] for n in info()["nodes"] if n["name"] == "node2")
    assert ps[0] == ["1", holder]  # the holder is the node's init
    assert {"corosync", "pacemakerd", "sshd"} <= {comm for _, comm in ps}
    assert on(2, "pgrep", "-c", "-x", "corosync").strip() == "1"
    everywhere = subprocess.run(
        ["pgrep", "-c", "-x", "corosync"], capture_output=True, text=True, check=False
    )
    assert int(everywhere.stdout) >= len(node_names())  # the host sees every node's


def test_systemctl_of_the_lab_answers_for_the_nodes_services() -> None:
    assert (
        on(1, "systemctl", "is-active", "corosync", "pacemaker", "pcsd", "libvirtd").split()
        == ["active"] * 4
    )
    assert on(1, "systemctl", "is-enabled", "pacemaker").strip() == "enabled"
    assert lab("exec", "1", "systemctl", "is-active", "--quiet", "sbd", check=False).returncode == 3
    status = on(1, "systemctl", "status", "corosync")
    assert "Active: active (running)" in status
    assert "Main PID:" in status
    units = on(1, "systemctl", "list-unit-files", "--full")
    assert "pacemaker.service" in units
    assert "sbd.service" not in units


def test_pcs_cluster_stop_and_start_a_node_through_pcsd() -> None:
    lab("exec", "1", "pcs", "cluster", "stop", "node2", check=True, timeout=120)
    assert on(2, "systemctl", "is-active", "pacemaker", "corosync").split() == ["inactive"] * 2
    wait_until("node2 offline", lambda: "node2" not in online(1) or None, 60)
    lab("exec", "1", "pcs", "cluster", "start", "node2", "--wait=120", check=True, timeout=180)
    wait_until("node2 online", lambda: online(1) == set(node_names()) or None, 90)
    assert "pacemaker: active/enabled" in on(3, "pcs", "status")


def test_pcs_cluster_node_add_and_remove_the_spare_through_pcsd() -> None:
    spare = info()["spare"]
    number = int(spare.removeprefix("node"))
    address = next(n["address"] for n in info()["nodes"] if n["name"] == spare)
    lab("spare", "up", timeout=300)
    try:
        assert on(number, "systemctl", "is-active", "corosync").strip() == "inactive"
        added = lab(
            "exec", "1", "pcs", "cluster", "node", "add", spare, f"addr={address}",
            "--start", "--enable", "--wait=120", check=False, timeout=300,
        )  # fmt: skip
        assert added.returncode == 0, added.stdout + added.stderr
        wait_until(f"{spare} online", lambda: spare in online(1) or None, 90)
        assert on(number, "systemctl", "is-enabled", "pacemaker").strip() == "enabled"
        removed = lab(
            "exec", "1", "pcs", "cluster", "node", "remove", spare, check=False, timeout=300
        )
        assert removed.returncode == 0, removed.stdout + removed.stderr
        wait_until(f"{spare} gone", lambda: spare not in online(1) or None, 60)
        assert on(number, "systemctl", "is-active", "corosync").strip() == "inactive"
    finally:
        lab("spare", "down", timeout=120)
    reset()
    assert online(1) == set(node_names())


def test_partition_gives_each_side_its_own_dc_and_heal_joins_them() -> None:
    lab("exec", "1", "pcs", "property", "set", "stonith-enabled=false", check=True)
    try:
        lab("partition", "3", check=True)
        wait_until("node3 alone", lambda: online(3) == {"node3"} or None, 60)
        wait_until("node1 without node3", lambda: "node3" not in online(1) or None, 60)
        assert dc(3) == "node3"
        assert dc(1) in ("node1", "node2")
        lab("heal", check=True)
        wait_until("one cluster again", lambda: online(3) == set(node_names()) or None, 90)
        assert dc(3) == dc(1)
    finally:
        lab("heal")
        reset()
