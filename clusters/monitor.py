"""The monitor: one watcher per cluster, change detection by a stream, not by polling.

For each cluster it keeps one SSH connection to one node and, on one channel, follows
the Pacemaker log for CIB changes (`Diff: +++` lines of cib_perform_op, written on every
node for every change, ~33 ms after it; nothing at idle). On a change it waits a short
debounce for the rest of the burst, reads `crm_mon` once, and reads again as long as
changes keep coming, so a burst's last state arrives within a second. A version probe
every PROBE_INTERVAL seconds is the safety net for a silent stream. When the node stops
answering, it moves to the next node; when none answers, the cluster is marked
unreachable (its last data stays, with its age).

Which process watches which cluster is decided in `monitor_process.py` (leases).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async

from clusters.mirror import apply_status, apublish, confirm_unchanged, mark_unreachable
from clusters.models import Cluster
from clusters.operations.monitor_audit import note_watch, open_watch
from hacore.pacemaker.status import CRM_MON_XML, parse_crm_mon
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import ConnectError, RemoteError, SshPool, Target

log = logging.getLogger(__name__)

LOG_FILE = "/var/log/pacemaker/pacemaker.log"
SIGNAL_ARGV = ["tail", "-n0", "-F", LOG_FILE]
SIGNAL_MARK = "Diff: +++"
PROBE_ARGV = ["cibadmin", "--query", "--xpath", "/cib", "--no-children"]


@dataclass
class WatchSettings:
    """Timings of a watcher (seconds)."""

    debounce: float = 0.1
    probe_interval: float = 30.0
    connect_timeout: float = 3.0
    command_timeout: float = 10.0
    keepalive: float = 1.0
    retry_delay: float = 2.0


@dataclass
class WatchState:
    """What a watcher remembers between reads (and counts them for the audit)."""

    preferred: str | None = None
    version: str | None = None
    failures: dict[str, str] = field(default_factory=dict)
    reads: int = 0
    probes: int = 0
    watch_error: str = ""


AUDIT_EVERY = 300.0  # seconds between updates of a watch's audit row


class ClusterWatcher:
    """Watches one cluster until cancelled."""

    def __init__(self, cluster_id: int, timing: WatchSettings | None = None) -> None:
        self.cluster_id = cluster_id
        self.timing = timing or WatchSettings()
        self.state = WatchState()

    async def run(self) -> None:
        """Watch, moving from node to node; mark the cluster unreachable when none answers."""
        while True:
            nodes = await _targets(self.cluster_id)
            self.state.failures.clear()
            for name, target in _ordered(nodes, self.state.preferred):
                try:
                    await self.watch_node(name, target)
                except (RemoteError, ParseError) as exc:
                    log.warning("cluster %s: %s: %s", self.cluster_id, name, exc)
                    self.state.failures[name] = str(exc)
            reason = "; ".join(f"{n}: {e}" for n, e in self.state.failures.items()) or "no node"
            await apublish(await sync_to_async(mark_unreachable)(self.cluster_id, reason))
            await asyncio.sleep(self.timing.retry_delay)

    async def watch_node(self, name: str, target: Target) -> None:
        """Follow one node until it fails (raises RemoteError)."""
        t = self.timing
        async with SshPool(
            connect_timeout=t.connect_timeout,
            command_timeout=t.command_timeout,
            keepalive=t.keepalive,
        ) as pool:
            changed = asyncio.Event()
            signals = asyncio.create_task(self._signals(pool, target, changed))
            audit = asyncio.create_task(self._audit(name))
            try:
                await self._read(pool, name, target)
                while True:
                    await self._wait(changed, signals)
                    if changed.is_set():
                        await self._read_burst(pool, name, target, changed)
                    elif await self._probe(pool, target):
                        await self._read(pool, name, target)
                    else:
                        confirmed = await sync_to_async(confirm_unchanged)(self.cluster_id)
                        await apublish(confirmed)
            except (RemoteError, ParseError) as exc:
                self.state.watch_error = str(exc)
                raise
            finally:
                signals.cancel()
                audit.cancel()
                with contextlib.suppress(asyncio.CancelledError, RemoteError):
                    await signals
                with contextlib.suppress(asyncio.CancelledError):
                    await audit

    async def _audit(self, name: str) -> None:
        """One audit row for this watch: opened now, counts updated, closed at the end."""
        commands = [SIGNAL_ARGV, CRM_MON_XML, PROBE_ARGV]
        self.state.reads = self.state.probes = 0
        self.state.watch_error = ""
        op_id = await sync_to_async(open_watch)(self.cluster_id, name, commands)
        try:
            while True:
                await asyncio.sleep(AUDIT_EVERY)
                await sync_to_async(note_watch)(op_id, self.state.reads, self.state.probes)
        finally:
            state = self.state
            ended = sync_to_async(note_watch)(
                op_id, state.reads, state.probes, ended=True, error=state.watch_error
            )
            await asyncio.shield(ended)

    async def _signals(self, pool: SshPool, target: Target, changed: asyncio.Event) -> None:
        async for line in pool.stream(target, SIGNAL_ARGV):
            if SIGNAL_MARK in line:
                changed.set()

    async def _wait(self, changed: asyncio.Event, signals: asyncio.Task[None]) -> None:
        """Until a change, the probe interval, or the end of the signal stream (raises)."""
        waiter = asyncio.create_task(changed.wait())
        done, _ = await asyncio.wait(
            {waiter, signals},
            timeout=self.timing.probe_interval,
            return_when=asyncio.FIRST_COMPLETED,
        )
        waiter.cancel()
        if signals in done:
            exc = signals.exception()
            raise exc if exc else ConnectError("signal stream", "ended")

    async def _read_burst(
        self, pool: SshPool, name: str, target: Target, changed: asyncio.Event
    ) -> None:
        while changed.is_set():
            await asyncio.sleep(self.timing.debounce)
            changed.clear()
            await self._read(pool, name, target)

    async def _probe(self, pool: SshPool, target: Target) -> bool:
        """True when the CIB version moved since the last probe (or there was none)."""
        result = await pool.run(target, PROBE_ARGV)
        self.state.probes += 1
        if not result.ok:
            raise RemoteError(target.label, f"cibadmin failed: {result.stderr.strip()}")
        version = result.stdout.strip()
        moved = version != self.state.version  # the first probe reads once to be sure
        self.state.version = version
        return moved

    async def _read(self, pool: SshPool, name: str, target: Target) -> None:
        result = await pool.run(target, CRM_MON_XML)
        self.state.reads += 1
        if not result.ok:
            raise RemoteError(target.label, f"crm_mon failed: {result.stderr.strip()}")
        status = parse_crm_mon(result.stdout)
        node = status.node(name)
        if node is not None and not node.online:
            raise RemoteError(target.label, "this node is not an online cluster member")
        self.state.preferred = name
        await apublish(await sync_to_async(apply_status)(self.cluster_id, status, name))


def _ordered(nodes: list[tuple[str, Target]], preferred: str | None) -> list[tuple[str, Target]]:
    """The preferred node first, the others in their order."""
    return sorted(nodes, key=lambda pair: pair[0] != preferred)


@sync_to_async
def _targets(cluster_id: int) -> list[tuple[str, Target]]:
    cluster = Cluster.objects.select_related("credential").get(pk=cluster_id)
    return [(n.name, n.target()) for n in cluster.nodes.all() if n.host_key]
