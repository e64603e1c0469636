"""Resyncs that make no progress: DRBD's own reads over time, no I/O.

A resync is followed per DRBD resource, node, peer and volume while DRBD reports it
running (SyncSource or SyncTarget: a paused one, PausedSyncS/PausedSyncT, waits on
purpose). Its progress is what is still out of sync; when that has not shrunk for
`after` seconds the resync is stalled (the classic "stuck at 99%"). A resync that ends,
or a node whose DRBD could not be read, is forgotten.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hacore.drbd import DrbdState

Json = dict[str, Any]
RUNNING = ("SyncSource", "SyncTarget")


@dataclass(frozen=True)
class Progress:
    """The least out-of-sync amount seen of one resync, when it was first seen at that
    amount, and the percent done then."""

    out_of_sync: int
    since: datetime.datetime
    percent: float | None


Key = tuple[str, str, str, int]  # DRBD resource, node, peer, volume


class ResyncProgress:
    """What every running resync last achieved, and since when."""

    def __init__(self, after: float) -> None:
        self.after = after
        self.seen: dict[Key, Progress] = {}

    def note(self, node: str, states: Iterable[DrbdState] | None, now: datetime.datetime) -> None:
        """One node's DRBD read at `now` (None: it could not be read)."""
        running: dict[Key, Progress] = {}
        for state in states or ():
            for volume in state.volumes:
                for peer in volume.peers:
                    if peer.replication_state not in RUNNING:
                        continue
                    key = (state.name, node, peer.peer, volume.volume)
                    was = self.seen.get(key)
                    if was is None or peer.out_of_sync < was.out_of_sync:
                        was = Progress(peer.out_of_sync, now, peer.resync_percent)
                    running[key] = was
        self.seen = {k: v for k, v in self.seen.items() if k[1] != node} | running

    def clear(self) -> None:
        """Nothing is followed any more (no DRBD resource left)."""
        self.seen.clear()

    def stalled(self, now: datetime.datetime) -> list[Json]:
        """The alarms: one per DRBD resource with a resync stalled for `after` seconds."""
        stuck: dict[str, list[tuple[Key, Progress]]] = {}
        for key, progress in sorted(self.seen.items()):
            if (now - progress.since).total_seconds() >= self.after:
                stuck.setdefault(key[0], []).append((key, progress))
        return [_alarm(name, found) for name, found in sorted(stuck.items())]


def _alarm(name: str, found: list[tuple[Key, Progress]]) -> Json:
    since = min(p.since for _, p in found)
    nodes = sorted({key[1] for key, _ in found})
    pairs = sorted({f"{key[1]}-{key[2]}" for key, _ in found})
    percents = [p.percent for _, p in found if p.percent is not None]
    done = f" at {max(percents):.1f}%" if percents else ""
    return {
        "resource": name,
        "nodes": nodes,
        "since": since.isoformat(),
        "message": (
            f"DRBD {name}: the resync ({', '.join(pairs)}) has made no progress since "
            f"{since:%Y-%m-%d %H:%M:%S} UTC{done}: the disk it syncs to is not usable "
            "until it ends. Look at the replication link and the sync rate."
        ),
    }
