"""The virtualisation stack under the cluster: libvirt's virsh and DRBD's drbdsetup."""

from __future__ import annotations

import re

from hacore.commands import Argv
from hacore.errors import InvalidInput


def virsh_autostart(uri: str) -> Argv:
    """The names of the domains libvirt at uri starts by itself when it starts."""
    return (*virsh_list(uri), "--autostart", "--name")


# Whether libvirt-guests (which starts and stops guests at boot and shutdown) is enabled.
LIBVIRT_GUESTS_ENABLED: Argv = ("systemctl", "is-enabled", "libvirt-guests")


def virsh_events(uri: str) -> Argv:
    """libvirt's domain events at uri on the node, one line each, until interrupted."""
    return (*virsh_list(uri)[:3], "event", "--all", "--loop")


# DRBD's live state on a node: every resource, volume and peer (one JSON document).
DRBD_STATUS: Argv = ("drbdsetup", "status", "--json", "--verbose", "--statistics")
_URI = re.compile(r"[a-z][a-z0-9+]*://[A-Za-z0-9._@:/?=&-]*")


def virsh_domain(uri: str, verb: str, domain: str) -> Argv:
    """`virsh dominfo|domstate --reason|domblklist --details --domain NAME` at uri: the
    domain's facts, its state with the reason, its disks (read only)."""
    flags = {"dominfo": (), "domstate": ("--reason",), "domblklist": ("--details",)}
    if verb not in flags:
        raise InvalidInput(f"not a virsh read of a domain: {verb[:30]!r}")
    if not isinstance(domain, str) or not domain or len(domain) > 200 or "\n" in domain:
        raise InvalidInput(f"not a domain name: {str(domain)[:60]!r}")
    return (*virsh_list(uri)[:3], verb, *flags[verb], "--domain", domain)


def virsh_list(uri: str) -> Argv:
    """Every domain libvirt knows at uri on the node, running or not, with its state."""
    if not _URI.fullmatch(uri) or len(uri) > 200:
        raise InvalidInput(f"not a libvirt URI: {uri[:60]!r}")
    return ("virsh", "--connect", uri, "list", "--all")


_DRBD_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}")
DRBD_STATE_CHANGES = ("secondary", "disconnect", "connect")


def drbd_name(value: object) -> str:
    """A DRBD resource name as drbd.conf takes it, or InvalidInput."""
    if not isinstance(value, str) or not _DRBD_NAME.fullmatch(value):
        raise InvalidInput(f"not a DRBD resource name: {str(value)[:60]!r}")
    return value


def drbdadm(verb: str, resource: str, discard_my_data: bool = False) -> Argv:
    """`drbdadm secondary|disconnect|connect RES` on the node it runs on;
    `connect --discard-my-data` makes that node the split-brain's victim."""
    if verb not in DRBD_STATE_CHANGES:
        raise InvalidInput(f"not a drbdadm state change: {verb[:30]!r}")
    if discard_my_data and verb != "connect":
        raise InvalidInput("--discard-my-data goes with connect only")
    flags = ("--discard-my-data",) if discard_my_data else ()
    return ("drbdadm", verb, *flags, drbd_name(resource))


def drbd_dump_xml(resource: str) -> Argv:
    """DRBD's configuration of one resource, as XML (drbdadm dump-xml RES)."""
    return ("drbdadm", "dump-xml", drbd_name(resource))
