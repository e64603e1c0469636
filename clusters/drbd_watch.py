"""The DRBD side of a cluster's watch: live DRBD state and the split-brain alarm, pushed.

While the cluster's status lists ocf:linbit:drbd resources, this follows DRBD's own
event stream on every node (`drbdsetup events2 --statistics`, one channel per node:
nothing at idle, a line per change, and progress lines while a resync runs). After a
burst of lines from a node it reads that node's state once (`drbdsetup status --json`)
and pushes it to the cluster's pages (`drbd.update`: the DRBD card's resync bar moves
with it); a resource StandAlone on a node while up (what DRBD does after a split-brain
it could not resolve, and after `drbdadm disconnect`) is reported as an alarm: a
critical warning on the cluster page and the wall, and an event. A resync whose
out-of-sync amount has not shrunk for `stall_after` seconds is reported the same way, as
a warning (hacore/drbd_resync.py); the slow safety net reads every node again at least
once a minute, so a stall is seen without DRBD's progress lines. A node whose DRBD
cannot be read says nothing either way.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from typing import Any

from clusters.node_watch import Nodes, NodeWatch, WatchTiming, running
from hacore.commands import pacemaker, virt
from hacore.drbd import DrbdState, parse_status_json
from hacore.drbd_resync import ResyncProgress
from hacore.migration import DRBD_AGENT, drbd_primitives
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.status import ClusterStatus
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import RemoteError, Runner

Json = dict[str, Any]
EVENTS = ("drbdsetup", "events2", "--statistics")
_CHANGES = ("change ", "create ", "destroy ", "call ", "response ")


def has_drbd(status: ClusterStatus) -> bool:
    """Whether the status lists a DRBD resource (Pacemaker's ocf:linbit:drbd)."""
    return any(r.agent == DRBD_AGENT for r in status.all_resources())


def split_brains(states: dict[str, list[DrbdState]]) -> list[Json]:
    """The DRBD resources StandAlone on some node while up there (node -> its states)."""
    standalone: dict[str, list[str]] = {}
    for node, found in sorted(states.items()):
        for state in found:
            if any(p.split_brain for v in state.volumes for p in v.peers):
                standalone.setdefault(state.name, []).append(node)
    return [
        {
            "resource": name,
            "nodes": nodes,
            "message": (
                f"DRBD {name} is StandAlone on {' and '.join(nodes)}: a split-brain (or a "
                "manual disconnect); the disk is not replicated. Resolve it on its DRBD card."
            ),
        }
        for name, nodes in sorted(standalone.items())
    ]


async def _primitives(remote: Runner, nodes: Nodes) -> dict[str, str]:
    """DRBD resource name -> the ocf:linbit:drbd primitive that drives it (its
    drbd_resource), from the CIB of the first node that answers ({} when none does)."""
    for _, target in nodes:
        try:
            read = await remote.run(target, pacemaker.CIB_QUERY)
            if read.ok:
                return drbd_primitives(parse_cib(read.stdout))
        except (RemoteError, ParseError):
            continue
    return {}


class DrbdWatcher(NodeWatch):
    """Follows DRBD on every node of one cluster while it has DRBD resources."""

    what = "DRBD watch"

    def __init__(
        self,
        targets: Callable[[], Awaitable[Nodes]],
        new_runner: Callable[[], Runner],
        publish: Callable[[str, list[DrbdState]], Awaitable[None]],
        report: Callable[[list[Json]], Awaitable[None]],
        *,
        timing: WatchTiming | None = None,
        seen: Callable[[str, dict[str, DrbdState]], Awaitable[None]] | None = None,
        stalls: Callable[[list[Json]], Awaitable[None]] | None = None,
        stall_after: float = 300.0,
        clock: Callable[[], datetime.datetime] | None = None,
    ) -> None:
        super().__init__(targets, new_runner, timing)
        self.publish, self.report, self.seen, self.stalls = publish, report, seen, stalls
        self.primitives: dict[str, str] = {}  # DRBD resource name -> its primitive
        self.dirty: set[str] = set()
        self.states: dict[str, list[DrbdState]] = {}
        self.reported: list[Json] | None = None
        self.progress = ResyncProgress(stall_after)
        self.stalled: list[Json] | None = None
        self.clock = clock or (lambda: datetime.datetime.now(datetime.UTC))

    def note(self, status: ClusterStatus) -> None:
        """A new status from the cluster watch: follow DRBD while it lists some."""
        self.presence(has_drbd(status))

    async def gone(self) -> None:
        """No DRBD resource left: no split-brain or stalled resync either."""
        self.states.clear()
        self.progress.clear()
        if self.reported:
            self.reported = []
            await self.report([])
        await self._stalls()

    async def watch(self) -> None:
        """Follow every node's events2; read a node's state after its lines."""
        async with self.new_runner() as remote:
            nodes = await self.targets()
            if self.seen is not None:
                self.primitives = await _primitives(remote, nodes)
            self.dirty = {name for name, _ in nodes}
            streams = [
                asyncio.create_task(self.follow(remote, target, EVENTS, self._waker(name)))
                for name, target in nodes
            ]
            async with running(streams):
                while self.present.is_set():
                    await self._read(remote, nodes)
                    await self.next_change()
                    if not self.dirty:  # the slow safety net: every node again
                        self.dirty = {name for name, _ in nodes}

    def _waker(self, node: str) -> Callable[[str], bool]:
        def wakes(line: str) -> bool:
            if line.startswith(_CHANGES):
                self.dirty.add(node)
                return True
            return False

        return wakes

    async def _read(self, remote: Runner, nodes: Nodes) -> None:
        todo, self.dirty = self.dirty, set()
        for name, target in nodes:
            if name not in todo:
                continue
            try:
                read = await remote.run(target, virt.DRBD_STATUS)
                states = parse_status_json(read.stdout) if read.ok else None
            except (RemoteError, ParseError):
                states = None
            self.progress.note(name, states, self.clock())
            if states is None:
                self.states.pop(name, None)
                continue
            self.states[name] = states
            await self.publish(name, states)
            if self.seen is not None:
                mine = {self.primitives[s.name]: s for s in states if s.name in self.primitives}
                await self.seen(name, mine)
        found = split_brains(self.states)
        if found != self.reported:
            self.reported = found
            await self.report(found)
        await self._stalls()

    async def _stalls(self) -> None:
        found = self.progress.stalled(self.clock())
        if self.stalls is not None and found != self.stalled:
            self.stalled = found
            await self.stalls(found)
