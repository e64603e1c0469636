"""What the monitor's per-node watches share (clusters/virt_watch.py for libvirt,
clusters/drbd_watch.py for DRBD): they run while the cluster's status lists what they
watch (`present`), follow one event stream per node (nothing at idle), and look again
when a stream says something changed (`changed`), with a slow safety net."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import RemoteError, Runner, Target

log = logging.getLogger(__name__)
Nodes = list[tuple[str, Target]]


@dataclass(frozen=True)
class WatchTiming:
    """How a node watch paces itself (seconds)."""

    debounce: float = 0.5
    confirm: float = 3.0
    slow: float = 60.0
    retry: float = 30.0


class NodeWatch:
    """Runs `watch()` while `present` is set; `follow()` wakes `changed` from a stream."""

    what = "node watch"

    def __init__(
        self,
        targets: Callable[[], Awaitable[Nodes]],
        new_runner: Callable[[], Runner],
        timing: WatchTiming | None = None,
    ) -> None:
        self.targets, self.new_runner = targets, new_runner
        self.timing = timing or WatchTiming()
        self.changed = asyncio.Event()
        self.present = asyncio.Event()

    def presence(self, present: bool) -> None:
        """Whether the cluster has what this watch follows (from its status)."""
        if present:
            self.present.set()
        else:
            self.present.clear()

    async def run(self) -> None:
        """Watch until cancelled (a failed watch is tried again after `retry`)."""
        while True:
            await self.present.wait()
            try:
                await self.watch()
            except (RemoteError, ParseError) as exc:
                log.warning("%s: %s", self.what, exc)
            if self.present.is_set():
                await asyncio.sleep(self.timing.retry)
            else:
                await self.gone()

    async def watch(self) -> None:
        """Follow and look until something fails or `present` is cleared."""
        raise NotImplementedError

    async def gone(self) -> None:
        """What is watched left the cluster: clear what was reported."""

    async def follow(
        self, remote: Runner, target: Target, argv: Sequence[str], wakes: Callable[[str], bool]
    ) -> None:
        """Set `changed` on every line of a node's stream that `wakes` (the stream is
        opened again after `retry` when it fails: a node without the daemon)."""
        while True:
            with contextlib.suppress(RemoteError):
                async for line in remote.stream(target, argv):
                    if wakes(line):
                        self.changed.set()
            await asyncio.sleep(self.timing.retry)

    async def next_change(self) -> None:
        """Until a stream says something changed (or `slow` passed), then the debounce."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), self.timing.slow)
        await asyncio.sleep(self.timing.debounce)
        self.changed.clear()


@contextlib.asynccontextmanager
async def running(tasks: list[asyncio.Task[None]]) -> AsyncIterator[None]:
    """The tasks (the streams) run while the block does; cancelled after it."""
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
