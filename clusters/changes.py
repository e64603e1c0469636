"""What cluster-wide actions do, as Changes: properties, resource and operation defaults,
starting/stopping every node, corosync sync and reload, restoring a configuration backup."""

from __future__ import annotations

import base64

from hacore.commands import pcs
from hacore.errors import InvalidInput
from hacore.pacemaker.ids import check_id, check_name, check_pairs, check_value
from operations.change import ADMINISTER, UPLOAD, Body, Change, confirmed

MAX_BACKUP = 10 * 1024 * 1024
_FALSE = {"false", "0", "no", "off", "n"}


def defaults_update(kind: str, body: Body) -> Change:
    """Resource defaults (kind "resource") or operation defaults (kind "op")."""
    values = check_pairs(body.get("values"), "defaults")
    if not values:
        raise InvalidInput("values must name at least one default")
    summary = f"{kind} defaults: {', '.join(pcs.assignments(values))}"
    return Change(
        f"defaults.{kind}", kind, summary, ADMINISTER, (pcs.defaults_update(kind, values),)
    )


def cluster_all(verb: str, body: Body) -> Change:
    """Start or stop cluster services on every node (pcs cluster start|stop --all, via
    pcsd). Stopping all takes every resource down: "stop the whole cluster" typed back."""
    if verb not in ("start", "stop"):
        raise InvalidInput(f"cluster services can be started or stopped, not {verb[:40]!r}")
    if verb == "stop":
        confirmed(body, "stop the whole cluster", "Stopping every node stops every resource.")
    return Change(
        f"cluster.{verb}-all",
        "all",
        f"{verb} cluster services on all nodes",
        ADMINISTER,
        live=(pcs.cluster_service_all(verb),),
        reads_after=verb != "stop",
        unchecked="pcs reaches every node through pcsd; the plan cannot simulate the whole "
        "cluster starting or stopping",
    )


def cluster_sync(body: Body) -> Change:
    """Copy this node's corosync.conf to every node (pcs cluster sync, through pcsd)."""
    return Change(
        "cluster.sync",
        "corosync.conf",
        "sync corosync.conf to all nodes",
        ADMINISTER,
        live=(pcs.cluster_sync(),),
        unchecked="pcs copies corosync.conf to every node through pcsd; nothing to simulate",
    )


def config_restore(node: str, backup: bytes, body: Body) -> Change:
    """Restore a `pcs config backup` tarball on one node (pcs config restore --local)."""
    name = check_id(node, "node")
    if not backup.startswith(b"BZh") or len(backup) > MAX_BACKUP:
        raise InvalidInput("the backup must be a pcs config backup (.tar.bz2) of at most 10 MiB")
    confirmed(
        body,
        f"restore {name}",
        f"Restoring replaces {name}'s corosync.conf and CIB files with the backup's. pcs "
        "refuses while the cluster runs there (stop it first); a backup from another "
        "cluster or another time silently brings its configuration back.",
    )
    return Change(
        "cluster.restore",
        name,
        f"restore the configuration backup on {name}",
        ADMINISTER,
        live=(pcs.config_restore(UPLOAD),),
        on_node=name,
        upload=base64.b64encode(backup).decode(),
        # pcs restores only where the cluster is stopped: that node has no CIB to read
        reads_before=False,
        reads_after=False,
        unchecked="the backup's content is not compared with the running configuration, and "
        "the node (stopped, as pcs requires) has no CIB to check a plan's version against",
    )


def corosync_reload(body: Body) -> Change:
    """Make corosync re-read corosync.conf on the node the command runs on."""
    return Change(
        "cluster.reload-corosync",
        "corosync",
        "reload corosync",
        ADMINISTER,
        live=(pcs.corosync_reload(),),
        unchecked="whether corosync accepts the file it re-reads; nothing to simulate",
    )


def property_set(body: Body) -> Change:
    """Set (or with an empty value, unset) a cluster property."""
    name = check_name(body.get("name"), "property")
    value = check_value(body.get("value", ""), "value")
    if name == "stonith-enabled" and value.strip().lower() in _FALSE:
        confirmed(
            body,
            "disable fencing",
            "Without fencing the cluster cannot recover from a node that stops answering, "
            "and may run the same resource (or VM) on two nodes at once.",
        )
    summary = f"set {name}={value}" if value else f"unset {name}"
    return Change("cluster.property", name, summary, ADMINISTER, (pcs.property_set(name, value),))
