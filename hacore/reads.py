"""Reading a cluster: the one sequence "run the tool, check its exit, parse its output",
on any session (the monitor's, a refresh's, discovery's, a recorded read's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hacore.commands.pacemaker import CIB_VERSION, CRM_MON_XML
from hacore.commands.pcs import VERSION_FULL
from hacore.pacemaker.cib import cib_version
from hacore.pacemaker.pcs import PcsTools, parse_version_full
from hacore.pacemaker.status import ClusterStatus, parse_crm_mon
from hacore.pacemaker.status_result import unreadable_from_output
from hacore.runner import CommandResult, RemoteError

NOT_FOUND = 127  # what a shell answers for a command it does not have


class Runs(Protocol):
    """Anything that runs argv on one node: hacore.runner.Session, the executor's session."""

    async def run(self, argv: Sequence[str]) -> CommandResult:
        """Run argv on the node."""


class ReadFailed(RemoteError):
    """A read command exited non-zero: its own words are the message."""

    code = "read_failed"

    def __init__(self, result: CommandResult) -> None:
        super().__init__(result.host, failure(result))
        self.result = result


def failure(result: CommandResult) -> str:
    """Why a command failed, in its own words (or that the node does not have it)."""
    if result.exit_status == NOT_FOUND:
        return f"{result.argv[0]} is not installed (not a cluster node)"
    detail = result.stderr.strip() or result.stdout.strip() or f"exit {result.exit_status}"
    return f"{result.argv[0]} failed: {detail}"


async def checked(session: Runs, argv: Sequence[str]) -> CommandResult:
    """Run argv; ReadFailed unless it exits 0."""
    result = await session.run(argv)
    if not result.ok:
        raise ReadFailed(result)
    return result


async def read_status(session: Runs) -> ClusterStatus:
    """The cluster's status as crm_mon shows it from this node.

    Raises StatusUnreadable (hacore.pacemaker.status_result) when crm_mon could not read
    the cluster, whatever its exit status: its <error> texts, <status> and exit status
    are in the exception (e.g. "crm_mon could not read the cluster status: crm_mon:
    Connection to cluster failed: Connection refused (crm_mon status 102: Not connected;
    exit status 102)"). ReadFailed when it exits non-zero without saying why in XML (not
    installed, killed: its stderr is the message); ParseError for output not crm_mon's.
    """
    result = await session.run(CRM_MON_XML)
    if not result.ok:
        raise unreadable_from_output(result.stdout, result.exit_status) or ReadFailed(result)
    return parse_crm_mon(result.stdout)


async def read_pcs(session: Runs) -> PcsTools:
    """The node's pcs and its capabilities (none at all when pcs is not installed)."""
    result = await session.run(VERSION_FULL)
    if result.exit_status == NOT_FOUND:
        return PcsTools("", frozenset())
    if not result.ok:
        raise ReadFailed(result)
    return parse_version_full(result.stdout)


async def read_version(session: Runs) -> str:
    """The live CIB's configuration version (admin_epoch:epoch), read cheaply."""
    return cib_version((await checked(session, CIB_VERSION)).stdout)
