"""The monitor: one watcher per cluster, change detection by a stream, not by polling.

For each cluster it keeps one SSH connection to one node and, on one channel, follows
the Pacemaker log for CIB changes (`Diff: +++` lines of cib_perform_op, written on every
node for every change, ~33 ms after it; nothing at idle). On a change it waits a short
debounce for the rest of the burst, reads `crm_mon` once, and reads again as long as
changes keep coming, so a burst's last state arrives within a second. A version probe
every probe_interval seconds is the safety net for a silent stream. When the node stops
answering, it moves to the next node; when none answers, the cluster is marked
unreachable (its last data stays, with its age).

The watcher talks to nodes through an injected runner and reports to an injected sink
(the database mirror and the push feed, by default): both are scripted in the unit tests.
Which process watches which cluster is decided in `monitor_process.py` (leases).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from clusters.contact import HEARTBEAT, note
from clusters.drbd_watch import DrbdWatcher
from clusters.mirror import (
    apply_alarms,
    apply_partitions,
    apply_status,
    apublish,
    apublish_contact,
    confirm_unchanged,
    mark_unreachable,
    mark_unreadable,
    record_tools,
    status_seq,
    wants_tools,
)
from clusters.models import Cluster
from clusters.monitor_audit import note_watch, open_watch
from clusters.node_watch import running
from clusters.virt_watch import VirtWatcher
from hacore.commands.pacemaker import CIB_VERSION, CRM_MON_XML
from hacore.commands.shell import follow
from hacore.drbd import DrbdState
from hacore.libvirt import DoubleRun
from hacore.pacemaker.partitions import Partition, distinct, offline_members, partition_of
from hacore.pacemaker.pcs import PcsTools
from hacore.pacemaker.status import ClusterStatus
from hacore.pacemaker.xmlsafe import ParseError
from hacore.reads import ReadFailed, checked, read_pcs, read_status
from hacore.runner import ConnectError, RemoteError, Runner, Session, SshPool, Target
from operations.feed import asend, cluster_group
from resources.services import mirror_drbd, mirror_vms
from resources.virt import node_state

log = logging.getLogger(__name__)

SIGNAL_MARK = "Diff: +++"
PARTITION_EVERY = 10.0  # seconds between partition reads while members are offline
AUDIT_EVERY = 300.0  # seconds between updates of a watch's audit row


@dataclass
class WatchSettings:
    """Timings of a watcher (seconds)."""

    debounce: float = 0.1
    probe_interval: float = 30.0
    connect_timeout: float = 3.0
    command_timeout: float = 10.0
    keepalive: float = 1.0
    retry_delay: float = 2.0
    heartbeat: float = HEARTBEAT


@dataclass
class WatchState:
    """What a watcher remembers between reads (and counts them for the audit)."""

    preferred: str | None = None
    version: str | None = None
    failures: dict[str, str] = field(default_factory=dict)
    reads: int = 0
    probes: int = 0
    watch_error: str = ""
    tools_for: str | None = None
    split: bool = False
    offline: bool = False  # members offline: read every PARTITION_EVERY s for their view
    partitions_read: float = float("-inf")


class Sink(Protocol):
    """Where a watcher's findings go (the database and the feed; a recorder in tests)."""

    async def targets(self) -> list[tuple[str, Target]]:
        """The cluster's nodes that can be watched: (name, target) with a pinned key."""

    async def status(self, status: ClusterStatus, node: str) -> None:
        """A status read from node."""

    async def unreachable(self, reason: str) -> None:
        """No node answered."""

    async def unreadable(self, reason: str) -> None:
        """Nodes answered, but no status could be read from any (the tools' words)."""

    async def contact(self, node: str) -> None:
        """The watch of node is live (a heartbeat, every HEARTBEAT seconds)."""

    async def partitions(self, seen: list[Partition]) -> None:
        """The partitions seen (one when the cluster is whole), the watched side first."""

    async def wants_tools(self, pacemaker_version: str) -> bool:
        """Whether the cluster's pcs capabilities must be read (never read, or changed)."""

    async def tools(self, tools: PcsTools, pacemaker_version: str) -> None:
        """What the cluster's pcs can do, read for this Pacemaker version."""

    async def unchanged(self) -> None:
        """A probe found the CIB as it was: the status is current as of now."""

    async def watch_opened(self, node: str, commands: list[list[str]]) -> int:
        """A watch of node began (its audit row's id)."""

    async def watch_noted(
        self, watch: int, reads: int, probes: int, ended: bool = False, error: str = ""
    ) -> None:
        """The watch's counts so far; ended: it stopped (error: why)."""

    async def double_runs(self, found: list[DoubleRun]) -> None:
        """The VMs running twice or outside Pacemaker now (libvirt's view)."""

    async def vms_seen(self, seen: dict[str, dict[str, Any]]) -> None:
        """What libvirt said of each VM now: domain, hypervisor, state per node read."""

    async def split_brains(self, found: list[dict[str, Any]]) -> None:
        """The DRBD resources StandAlone now (DRBD's view)."""

    async def stalled_resyncs(self, found: list[dict[str, Any]]) -> None:
        """The DRBD resyncs that made no progress for a while, now."""

    async def drbd_read(self, node: str, states: list[DrbdState]) -> None:
        """DRBD's state on node, read just now after its events."""

    async def drbd_seen(self, node: str, states: dict[str, DrbdState]) -> None:
        """The same, by the Pacemaker primitive that drives each DRBD resource."""


class MirrorSink:
    """The default sink: the database mirror, the push feed and the audit trail."""

    def __init__(self, cluster_id: int) -> None:
        self.cluster_id = cluster_id
        self.redis = aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)

    async def targets(self) -> list[tuple[str, Target]]:
        """Nodes with a pinned host key, from the database."""
        return await _targets(self.cluster_id)

    async def status(self, status: ClusterStatus, node: str) -> None:
        """Mirror it and push what changed (a read is a contact too)."""
        await note(self.redis, self.cluster_id, node)
        await apublish(await sync_to_async(apply_status)(self.cluster_id, status, node))

    async def wants_tools(self, pacemaker_version: str) -> bool:
        """From the database: never read, or read for another Pacemaker version."""
        return await sync_to_async(wants_tools)(self.cluster_id, pacemaker_version)

    async def tools(self, tools: PcsTools, pacemaker_version: str) -> None:
        """Keep them in the database."""
        await sync_to_async(record_tools)(self.cluster_id, tools, pacemaker_version)

    async def partitions(self, seen: list[Partition]) -> None:
        """Record a split (or its end) and push it."""
        await apublish(await sync_to_async(apply_partitions)(self.cluster_id, seen))

    async def contact(self, node: str) -> None:
        """Note the contact and push it to the cluster's pages, the overview and walls."""
        last = await note(self.redis, self.cluster_id, node)
        seq = await sync_to_async(status_seq)(self.cluster_id)
        await apublish_contact(self.cluster_id, last, seq)

    async def unreachable(self, reason: str) -> None:
        """Mark the cluster unreachable (once) and push it."""
        await apublish(await sync_to_async(mark_unreachable)(self.cluster_id, reason))

    async def unreadable(self, reason: str) -> None:
        """Keep the last good status, marked unreadable with the reason, and push it."""
        await apublish(await sync_to_async(mark_unreadable)(self.cluster_id, reason))

    async def unchanged(self) -> None:
        """Confirm the stored status and push its new age."""
        await apublish(await sync_to_async(confirm_unchanged)(self.cluster_id))

    async def watch_opened(self, node: str, commands: list[list[str]]) -> int:
        """Open the watch's audit row."""
        return await sync_to_async(open_watch)(self.cluster_id, node, commands)

    async def watch_noted(
        self, watch: int, reads: int, probes: int, ended: bool = False, error: str = ""
    ) -> None:
        """Update (or close) the watch's audit row."""
        await sync_to_async(note_watch)(watch, reads, probes, ended=ended, error=error)

    async def double_runs(self, found: list[DoubleRun]) -> None:
        """Mirror the VMs running twice or outside Pacemaker (events when it changes)."""
        runs = [run.as_json() for run in found]
        await apublish(await sync_to_async(apply_alarms)(self.cluster_id, "double_runs", runs))

    async def vms_seen(self, seen: dict[str, dict[str, Any]]) -> None:
        """Fill the VM rows of the mirror with it."""
        await sync_to_async(mirror_vms)(self.cluster_id, seen, timezone.now())

    async def split_brains(self, found: list[dict[str, Any]]) -> None:
        """Mirror the split-brain alarms (events when they change)."""
        await apublish(await sync_to_async(apply_alarms)(self.cluster_id, "split_brains", found))

    async def stalled_resyncs(self, found: list[dict[str, Any]]) -> None:
        """Mirror the stalled-resync alarms (events when they change)."""
        alarms = await sync_to_async(apply_alarms)(self.cluster_id, "stalled_resyncs", found)
        await apublish(alarms)

    async def drbd_read(self, node: str, states: list[DrbdState]) -> None:
        """Push it to the cluster's pages (the DRBD card follows it)."""
        message = {
            "type": "drbd.update",
            "cluster": self.cluster_id,
            "node": node,
            "read_at": timezone.now().isoformat(),
            "resources": {s.name: node_state(s) for s in states},
        }
        await asend([(cluster_group(self.cluster_id), message)])

    async def drbd_seen(self, node: str, states: dict[str, DrbdState]) -> None:
        """Fill the DRBD rows of the mirror with it."""
        seen = {rid: {"name": s.name, "state": node_state(s)} for rid, s in states.items()}
        await sync_to_async(mirror_drbd)(self.cluster_id, node, seen, timezone.now())


class ClusterWatcher:
    """Watches one cluster until cancelled."""

    def __init__(
        self,
        cluster_id: int,
        timing: WatchSettings | None = None,
        sink: Sink | None = None,
        runner: Callable[[WatchSettings], Runner] | None = None,
    ) -> None:
        self.cluster_id = cluster_id
        self.timing = timing or WatchSettings()
        self.sink = sink or MirrorSink(cluster_id)
        self.new_runner = runner or _pool
        self.state = WatchState()
        self.signal_argv = list(follow(settings.PACEMAKER_LOG))
        self.virt = VirtWatcher(
            self.sink.targets,
            lambda: self.new_runner(self.timing),
            self.sink.double_runs,
            seen=self.sink.vms_seen,
        )
        self.drbd = DrbdWatcher(
            self.sink.targets,
            lambda: self.new_runner(self.timing),
            self.sink.drbd_read,
            self.sink.split_brains,
            seen=self.sink.drbd_seen,
            stalls=self.sink.stalled_resyncs,
            stall_after=settings.RESYNC_STALL_AFTER,
        )

    async def run(self) -> None:
        """Watch, moving from node to node; mark the cluster unreachable when none answers
        (libvirt and DRBD are followed beside it while the cluster has VMs or DRBD:
        clusters/virt_watch.py, clusters/drbd_watch.py)."""
        beside = [asyncio.create_task(self.virt.run()), asyncio.create_task(self.drbd.run())]
        async with running(beside):
            await self._run()

    async def _run(self) -> None:
        while True:
            nodes = await self.sink.targets()
            self.state.failures.clear()
            answered: dict[str, str] = {}  # nodes that answered with an unreadable status
            for name, target in _ordered(nodes, self.state.preferred):
                try:
                    await self.watch_node(name, target)
                except (RemoteError, ParseError) as exc:
                    log.warning("cluster %s: %s: %s", self.cluster_id, name, exc)
                    self.state.failures[name] = str(exc)
                    if isinstance(exc, ReadFailed | ParseError):  # in the tool's own words
                        answered[name] = exc.reason if isinstance(exc, ReadFailed) else str(exc)
            if answered:
                await self.sink.unreadable("; ".join(f"{n}: {e}" for n, e in answered.items()))
            else:
                reason = "; ".join(f"{n}: {e}" for n, e in self.state.failures.items())
                await self.sink.unreachable(reason or "no node")
            await asyncio.sleep(self.timing.retry_delay)

    async def watch_node(self, name: str, target: Target) -> None:
        """Follow one node until it fails (raises RemoteError)."""
        async with self.new_runner(self.timing) as remote:
            session = Session(remote, target, name)
            changed = asyncio.Event()
            self.state.reads = self.state.probes = 0
            self.state.watch_error = ""
            commands = [self.signal_argv, list(CRM_MON_XML), list(CIB_VERSION)]
            watch = await self.sink.watch_opened(name, commands)
            signals = asyncio.create_task(self._signals(session, changed))
            audit = asyncio.create_task(self._audit(watch))
            beats: asyncio.Task[None] | None = None
            try:
                await self._read(session)
                beats = asyncio.create_task(self._heartbeat(name))
                while True:
                    await self._wait(changed, signals)
                    if changed.is_set():
                        await self._read_burst(session, changed)
                    elif self.state.offline or await self._probe(session):
                        await self._read(session)  # offline members: their view may come
                    else:
                        await self.sink.unchanged()
            except (RemoteError, ParseError) as exc:
                self.state.watch_error = str(exc)
                raise
            finally:
                for task in (signals, audit, beats):
                    if task is not None:
                        task.cancel()
                with contextlib.suppress(asyncio.CancelledError, RemoteError):
                    await signals
                if beats is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await beats
                with contextlib.suppress(asyncio.CancelledError):
                    await audit
                state = self.state
                ended = self.sink.watch_noted(
                    watch, state.reads, state.probes, ended=True, error=state.watch_error
                )
                await asyncio.shield(ended)

    async def _heartbeat(self, name: str) -> None:
        """While the watch lasts (its stream open), say so every HEARTBEAT seconds."""
        while True:
            await self.sink.contact(name)
            await asyncio.sleep(self.timing.heartbeat)

    async def _audit(self, watch: int) -> None:
        """Keep the watch's audit row's counts current while it lasts."""
        while True:
            await asyncio.sleep(AUDIT_EVERY)
            await self.sink.watch_noted(watch, self.state.reads, self.state.probes)

    async def _signals(self, session: Session, changed: asyncio.Event) -> None:
        async for line in session.runner.stream(session.target, self.signal_argv):
            if SIGNAL_MARK in line:
                changed.set()

    async def _wait(self, changed: asyncio.Event, signals: asyncio.Task[None]) -> None:
        """Until a change, the probe interval, or the end of the signal stream (raises)."""
        waiter = asyncio.create_task(changed.wait())
        try:
            interval = self.timing.probe_interval
            done, _ = await asyncio.wait(
                {waiter, signals},
                timeout=min(interval, PARTITION_EVERY) if self.state.offline else interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
        if signals in done:
            exc = signals.exception()
            raise exc if exc else ConnectError("signal stream", "ended")

    async def _read_burst(self, session: Session, changed: asyncio.Event) -> None:
        while changed.is_set():
            await asyncio.sleep(self.timing.debounce)
            changed.clear()
            await self._read(session)

    async def _probe(self, session: Session) -> bool:
        """True when the CIB's version attributes moved since the last probe (or there
        was none); status updates (num_updates) count as a move."""
        version = (await checked(session, CIB_VERSION)).stdout.strip()
        self.state.probes += 1
        moved = version != self.state.version  # the first probe reads once to be sure
        self.state.version = version
        return moved

    async def _read(self, session: Session) -> None:
        status = await read_status(session)
        self.state.reads += 1
        node = status.node(session.node)
        if node is not None and not node.online:
            raise RemoteError(session.target.label, "this node is not an online cluster member")
        self.state.preferred = session.node
        await self.sink.status(status, session.node)
        self.virt.note(status)
        self.drbd.note(status)
        await self._tools(session, status.summary.dc_version or "")
        await self._partitions(session, status)

    async def _partitions(self, session: Session, status: ClusterStatus) -> None:
        """When this node sees members offline, ask those the console can still reach
        what they see (at most every PARTITION_EVERY seconds): a node that answers with
        another membership and DC is the other side of a split."""
        offline = offline_members(status)
        self.state.offline = bool(offline)
        if not offline and not self.state.split:
            return
        now = asyncio.get_running_loop().time()
        if offline and now - self.state.partitions_read < PARTITION_EVERY:
            return
        self.state.partitions_read = now
        targets = dict(await self.sink.targets())
        views: list[Partition | None] = [partition_of(status, session.node)]
        views += await asyncio.gather(
            *(self._view(session.runner, n, targets[n]) for n in offline if n in targets)
        )
        seen = distinct([v for v in views if v is not None])
        self.state.split = len(seen) > 1
        await self.sink.partitions(seen)

    async def _view(self, runner: Runner, name: str, target: Target) -> Partition | None:
        """What node name sees, if it answers (None: it does not, or its view is unreadable)."""
        try:
            return partition_of(await read_status(Session(runner, target, name)), name)
        except (RemoteError, ParseError):
            return None

    async def _tools(self, session: Session, pacemaker_version: str) -> None:
        """Read the cluster's pcs capabilities when never read or Pacemaker changed."""
        if pacemaker_version == self.state.tools_for:
            return
        self.state.tools_for = pacemaker_version
        if not await self.sink.wants_tools(pacemaker_version):
            return
        try:
            tools = await read_pcs(session)
        except (ReadFailed, ParseError) as exc:  # not a reason to leave the node
            log.warning("cluster %s: pcs capabilities unread: %s", self.cluster_id, exc)
            return
        await self.sink.tools(tools, pacemaker_version)


def _pool(timing: WatchSettings) -> Runner:
    """The watcher's own SSH pool: short timeouts and a fast keepalive, to notice a lost
    node within seconds."""
    return SshPool(
        connect_timeout=timing.connect_timeout,
        command_timeout=timing.command_timeout,
        keepalive=timing.keepalive,
    )


def _ordered(nodes: list[tuple[str, Target]], preferred: str | None) -> list[tuple[str, Target]]:
    """The preferred node first, the others in their order."""
    return sorted(nodes, key=lambda pair: pair[0] != preferred)


@sync_to_async
def _targets(cluster_id: int) -> list[tuple[str, Target]]:
    cluster = Cluster.objects.select_related("credential").get(pk=cluster_id)
    return [(n.name, n.target()) for n in cluster.nodes.all() if n.host_key]
