"""Reads about fencing, run on a node and recorded: a device test and the coverage of
every node (which devices can fence it, its levels)."""

from __future__ import annotations

from typing import Any

from hacore.commands import pacemaker
from hacore.pacemaker.constraints import parse_fencing_topology
from hacore.pacemaker.ids import check_id
from hacore.pacemaker.stonith import DeviceTest, NodeCoverage, parse_device_list
from operations.directory import ClusterRef
from operations.engine import run_reads


def test_device(cluster: ClusterRef, user: Any, dev: str) -> DeviceTest:
    """`stonith_admin --query DEV` (the agent's status) and `--list-targets DEV`."""
    name = check_id(dev, "device")
    commands = [pacemaker.stonith_query(name), pacemaker.stonith_list_targets(name)]
    status, targets = run_reads(cluster, user, "fence.test", f"test fence device {name}", commands)
    shown = status.strip() or "the agent reports the device as reachable (exit 0)"
    return DeviceTest(dev, shown, tuple(parse_device_list(targets)))


def coverage(cluster: ClusterRef, user: Any) -> list[NodeCoverage]:
    """`stonith_admin --list NODE` for every node, and the fencing topology.

    The whole configuration is read: --scope fencing-topology fails when the CIB has no
    levels.
    """
    commands = [pacemaker.CIB_CONFIGURATION]
    commands += [pacemaker.stonith_devices_for(n) for n in cluster.nodes]
    topology, *lists = run_reads(cluster, user, "read.fencing", "read fencing coverage", commands)
    levels = parse_fencing_topology(topology)
    return [
        NodeCoverage(
            node,
            tuple(parse_device_list(listed)),
            tuple(lv for lv in levels if lv.target == node),
        )
        for node, listed in zip(cluster.nodes, lists, strict=True)
    ]
