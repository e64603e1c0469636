"""The virtualisation stack under the cluster: libvirt's virsh and DRBD's drbdsetup."""

from __future__ import annotations

import re

from hacore.commands import Argv
from hacore.errors import InvalidInput

# DRBD's live state on a node: every resource, volume and peer (one JSON document).
DRBD_STATUS: Argv = ("drbdsetup", "status", "--json", "--verbose", "--statistics")
_URI = re.compile(r"[a-z][a-z0-9+]*://[A-Za-z0-9._@:/?=&-]*")


def virsh_list(uri: str) -> Argv:
    """Every domain libvirt knows at uri on the node, running or not, with its state."""
    if not _URI.fullmatch(uri) or len(uri) > 200:
        raise InvalidInput(f"not a libvirt URI: {uri[:60]!r}")
    return ("virsh", "--connect", uri, "list", "--all")
