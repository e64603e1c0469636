"""Bringing the whole lab up and down, and (re)starting single nodes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal

from . import net, pcsd
from .assets import ensure_assets, ensure_known_hosts, ensure_node_files, recorded
from .cluster import ClusterView, wait_cluster, wait_healthy
from .config import Lab, Names, Node
from .errors import LabError
from .node import (
    ensure_root_holder,
    holder_pid,
    node_pids,
    node_state,
    power_off,
    power_on,
    root_holders,
    set_lab_state,
)
from .packages import ensure_packages
from .procs import file_lock, kill_netns, kill_pids, log, run, wait_reaped


def anything_running(lab: Lab) -> bool:
    return any(node_pids(node) for node in lab.all_nodes) or net.link(lab.bridge) is not None


def check_same_lab(lab: Lab) -> None:
    """Refuse to take over a running lab started with another LAB_DIR or LAB_SUBNET.

    Each instance (LAB_INSTANCE) is checked on its own names, so two instances coexist;
    but one LAB_DIR never serves two instances at once.
    """
    owner = net.bridge_owner(lab)
    env = f"LAB_INSTANCE={lab.instance} " if lab.instance else ""
    if owner and owner != str(lab.dir) and anything_running(lab):
        raise LabError(
            f"a lab started with {env}LAB_DIR={owner} is running; run `{env}lab/lab down` "
            "with that LAB_DIR first",
            2,
        )
    subnet = recorded(lab, "subnet")
    if subnet and subnet != str(lab.subnet) and anything_running(lab):
        raise LabError(
            f"the lab in {lab.dir} is up with subnet {subnet}, not {lab.subnet}; "
            f"run `{env}lab/lab down` first",
            2,
        )
    count = recorded(lab, "node_count")
    if count and count != str(len(lab.nodes)) and anything_running(lab):
        raise LabError(
            f"the lab in {lab.dir} is up with {count} nodes, not {len(lab.nodes)} "
            f"(HACONSOLE_LAB_NODES); run `{env}lab/lab down` first",
            2,
        )
    check_dir_not_shared(lab)


def check_dir_not_shared(lab: Lab) -> None:
    """Refuse a LAB_DIR that another running instance uses."""
    other = recorded(lab, "instance") or ""
    if other == lab.instance:
        return
    names = Names(other)
    if net.link(names.bridge) is not None and net.alias(names.bridge) == str(lab.dir):
        shown = other or "(default)"
        raise LabError(
            f"LAB_DIR={lab.dir} belongs to the running lab instance {shown}; give "
            "this instance its own LAB_DIR",
            2,
        )


def ensure_platform(lab: Lab) -> None:
    """Everything but the nodes: files, bridge, root-namespace holder."""
    check_same_lab(lab)
    net.check_subnet_free(lab)
    cold = not any(holder_pid(lab, node) for node in lab.all_nodes)
    count = recorded(lab, "node_count")
    if cold and count and count != str(len(lab.nodes)):
        reseed(lab, int(count))
    ensure_assets(lab, cold)
    set_lab_state(lab, "up")
    net.ensure_bridge(lab)
    for node in lab.all_nodes:
        net.reattach(node)
    remove_stray_netns(lab)
    ensure_root_holder(lab)


def reseed(lab: Lab, before: int) -> None:
    """Another node count (HACONSOLE_LAB_NODES) is another cluster: every node forgets
    its CIB and corosync state (re-seeded at boot); the spare has no cluster files."""
    log(f"{before} nodes before, {len(lab.nodes)} now: the nodes' CIBs are seeded again")
    for node in lab.all_nodes:
        base = lab.node_dir(node)
        for directory in (base / "var-lib-pacemaker" / "cib", base / "var-lib-corosync"):
            for path in directory.glob("*"):
                if path.is_file():
                    path.unlink()
    if lab.spare is not None:
        clean_cluster_files(lab, lab.spare)


def bring_up_node(lab: Lab, node: Node) -> str:
    """Leave a healthy node alone; otherwise power it on (which repairs what is broken)."""
    if node_state(lab, node).healthy:
        return "running"
    return power_on(lab, node)


def up(lab: Lab) -> ClusterView:
    with file_lock(lab.lockfile("lab"), timeout=lab.timeout):
        if shutil.which("ip"):  # refuse early, before any apt-get (iproute2 may be missing)
            check_same_lab(lab)
            net.check_subnet_free(lab)
        ensure_packages()
        ensure_platform(lab)
        if net.heal(lab):
            log("partition healed")
        for node in lab.nodes:
            action = bring_up_node(lab, node)
            if action != "running":
                log(f"{node.name} ({node.address}): {action}")
        view = wait_healthy(lab)
        pcsd.ensure_auth(lab)
        return view


def start_node(lab: Lab, node: Node) -> ClusterView:
    with file_lock(lab.lockfile("lab"), timeout=lab.timeout):
        ensure_platform(lab)
        power_on(lab, node)
    return wait_cluster(lab, lambda v: v.online(node.name), f"{node.name} online")


def spare(lab: Lab) -> Node:
    """The spare node (LabError if none)."""
    if lab.spare is None:
        raise LabError("this lab has no spare node")
    return lab.spare


def is_member(lab: Lab, node: Node) -> bool:
    """Is the node in the cluster's corosync.conf (as the first cluster node has it)?"""
    conf = lab.node_dir(lab.nodes[0]) / "etc-corosync" / "corosync.conf"
    try:
        text = conf.read_text()
    except OSError:
        return False
    return any(line.split() == ["name:", node.name] for line in text.splitlines())


def clean_cluster_files(lab: Lab, node: Node) -> None:
    """A spare that is not in the cluster has no cluster configuration (pcs refuses to add
    a node that has one): left over from an earlier `pcs cluster node add`, it goes."""
    base = lab.node_dir(node)
    for path in (base / "etc-corosync" / "corosync.conf", base / "etc-corosync" / "authkey"):
        path.unlink(missing_ok=True)
    for directory in (base / "var-lib-pacemaker" / "cib", base / "var-lib-corosync"):
        for path in directory.glob("*"):
            if path.is_file():
                path.unlink()


def spare_up(lab: Lab) -> Node:
    """Boot the spare: pcsd, libvirtd, the packages, but not in the cluster."""
    node = spare(lab)
    with file_lock(lab.lockfile("lab"), timeout=lab.timeout):
        ensure_platform(lab)
        if holder_pid(lab, node) is None and not is_member(lab, node):
            clean_cluster_files(lab, node)
        ensure_node_files(lab, node)
        ensure_known_hosts(lab)
        power_on(lab, node)
    pcsd.wait_pcsd(lab, [node])
    pcsd.ensure_auth(lab)
    return node


def spare_down(lab: Lab) -> Node:
    """Power the spare off and remove its network (whether or not it was added)."""
    node = spare(lab)
    with file_lock(lab.lockfile("lab"), timeout=lab.timeout):
        power_off(lab, node)
        net.delete_node_net(node)
    return node


def remove_stray_netns(lab: Lab) -> None:
    for name in net.stray_lab_netns(lab):
        with contextlib.suppress(OSError):
            kill_netns(os.stat(net.NETNS_DIR / name).st_ino)
        run(["ip", "netns", "delete", name], check=False)


def down(lab: Lab) -> None:
    with file_lock(lab.lockfile("lab"), timeout=lab.timeout):
        set_lab_state(lab, "down")
        killed = set().union(*(power_off(lab, node) for node in lab.all_nodes))
        holders = root_holders(lab)
        kill_pids(holders, signal.SIGKILL)
        killed.update(holders)
        for node in lab.all_nodes:
            net.delete_node_net(node)
        remove_stray_netns(lab)
        net.delete_bridge(lab)
        lab.root_holder_pidfile.unlink(missing_ok=True)
        # Killed processes stay <defunct> until PID 1 reaps them (lazily): wait a little, so
        # that nothing of the lab shows in ps/pgrep once `down` returns.
        if not wait_reaped(killed, timeout=5.0):
            log("some killed lab processes are still <defunct> (PID 1 reaps them later)")


def purge(lab: Lab) -> None:
    """Delete LAB_DIR (only after `down`): the next `up` starts from the seeded CIB."""
    if lab.info_file.exists():  # a lab directory, not some unrelated LAB_DIR
        shutil.rmtree(lab.dir)
