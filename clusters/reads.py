"""Reads about the whole cluster, run on a node and recorded: its properties (with the
daemons' metadata), corosync as it runs, a configuration backup and a crm_report."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hacore.commands import corosync, pacemaker, pcs
from hacore.errors import InvalidInput
from hacore.pacemaker.corosync import parse_cmap
from hacore.pacemaker.properties import Properties, describe_properties
from operations import executor
from operations.directory import ClusterRef
from operations.engine import run_reads, run_recorded

MAX_REPORT_WINDOW = datetime.timedelta(days=7)


def properties(cluster: ClusterRef, user: Any) -> Properties:
    """Every cluster property with its value (when set), type, default and description;
    resource and operation defaults."""
    daemons = pacemaker.PROPERTY_DAEMONS
    commands = [pacemaker.CIB_CONFIGURATION]
    commands += [pacemaker.daemon_metadata(settings.PACEMAKER_DAEMON_DIR, d) for d in daemons]
    configuration, *metadata = run_reads(
        cluster, user, "read.properties", "read cluster properties", commands
    )
    return describe_properties(configuration, dict(zip(daemons, metadata, strict=True)))


@dataclass(frozen=True)
class Corosync:
    """Totem and quorum settings as corosync runs them, and corosync.conf as read."""

    totem: Mapping[str, str]
    quorum: Mapping[str, str]
    corosync_conf: str


def corosync_settings(cluster: ClusterRef, user: Any) -> Corosync:
    """corosync-cmapctl totem. / quorum. and corosync.conf."""
    commands = [
        corosync.CMAP_TOTEM,
        corosync.CMAP_QUORUM,
        corosync.read_file(settings.COROSYNC_CONF),
    ]
    totem, quorum, conf = run_reads(
        cluster, user, "read.corosync", "read corosync settings", commands
    )
    return Corosync(parse_cmap(totem), parse_cmap(quorum), conf)


def backup(cluster: ClusterRef, user: Any) -> str:
    """`pcs config backup` made in a private directory on a node: the tarball, base64."""

    async def work(session: executor.NodeSession) -> str:
        return await executor.tarball(session, "backup", pcs.config_backup)

    return run_recorded(cluster, user, "read.backup", "pcs config backup", work)


def report(cluster: ClusterRef, user: Any, since: str, until: str, node: str = "") -> str:
    """`crm_report` of one node for [since, until] ("YYYY-MM-DD HH:MM:SS"): base64."""

    async def work(session: executor.NodeSession) -> str:
        return await executor.tarball(
            session,
            "report",
            lambda dest: pacemaker.crm_report(since, until, dest),
            timeout=executor.LONG_COMMAND,
        )

    summary = f"crm_report {since} to {until}"
    return run_recorded(cluster, user, "read.report", summary, work, only=node)


def report_window(query: Mapping[str, str]) -> tuple[str, str]:
    """?from= &to= (ISO 8601; to defaults to now) as crm_report's UTC times, or
    InvalidInput."""
    try:  # parse_datetime: None if not ISO 8601, ValueError for a day that does not exist
        since = parse_datetime(query.get("from", ""))
        until = parse_datetime(query["to"]) if query.get("to") else timezone.now()
    except ValueError:
        since = until = None
    if since is None or until is None:
        raise InvalidInput("from (and to, if given) must be ISO 8601 times")
    since, until = (
        t if timezone.is_aware(t) else t.replace(tzinfo=datetime.UTC) for t in (since, until)
    )
    if not since < until <= since + MAX_REPORT_WINDOW:
        raise InvalidInput("from must be before to, at most 7 days apart")
    fmt = "%Y-%m-%d %H:%M:%S"
    return since.astimezone(datetime.UTC).strftime(fmt), until.astimezone(datetime.UTC).strftime(
        fmt
    )
