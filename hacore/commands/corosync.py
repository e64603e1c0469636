"""Corosync's runtime map and configuration."""

from __future__ import annotations

from hacore.commands import Argv

CMAP_CLUSTER_NAME: Argv = ("corosync-cmapctl", "totem.cluster_name")
CMAP_NODELIST: Argv = ("corosync-cmapctl", "nodelist.node.")
CMAP_TOTEM: Argv = ("corosync-cmapctl", "totem.")
CMAP_QUORUM: Argv = ("corosync-cmapctl", "quorum.")


def read_file(path: str) -> Argv:
    """corosync.conf (or another file) as the node has it."""
    return ("cat", "--", path)
