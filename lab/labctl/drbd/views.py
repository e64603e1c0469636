"""One node's view of its DRBD resources, computed from the shared state: the objects
drbdsetup shows (resource, device, connection, peer device, path) with the fields of
drbd-utils 9.22's status and events2. Sizes are KiB here (drbdsetup prints the kernel's
sectors divided by two)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import state as st
from .state import DISKLESS, Json


@dataclass(frozen=True)
class SyncDetails:
    """A resync in progress, in the kernel's units (sectors, ms)."""

    total_sectors: int
    done_sectors: int
    dt_start_ms: int
    rate_kib: int

    @property
    def to_go(self) -> int:
        return self.total_sectors - self.done_sectors

    @property
    def dt1_ms(self) -> int:
        return max(1, min(self.dt_start_ms, 3000))

    @property
    def db1_sectors(self) -> int:
        return int(self.rate_kib * 2 * self.dt1_ms / 1000) if self.dt_start_ms else 0


@dataclass(frozen=True)
class PeerDeviceView:
    volume: int
    replication: str
    peer_disk: str
    out_of_sync_kib: int
    size_kib: int
    sent_kib: int = 0
    received_kib: int = 0
    sync: SyncDetails | None = None

    @property
    def percent_in_sync(self) -> float:
        return 0.0 if self.size_kib == 0 else 100 * (1 - self.out_of_sync_kib / self.size_kib)


@dataclass(frozen=True)
class PathView:
    local: str
    peer: str
    established: bool


@dataclass(frozen=True)
class ConnectionView:
    name: str
    peer_node_id: int
    state: str
    role: str
    peer_devices: tuple[PeerDeviceView, ...]
    paths: tuple[PathView, ...]


@dataclass(frozen=True)
class DeviceView:
    volume: int
    minor: int
    disk: str
    backing_dev: str
    size_kib: int
    read_kib: int = 0
    written_kib: int = 0


@dataclass(frozen=True)
class ResourceView:
    name: str
    node_id: int
    role: str
    devices: tuple[DeviceView, ...]
    connections: tuple[ConnectionView, ...] = field(default=())

    @property
    def write_ordering(self) -> str:
        return "none" if all(d.disk == DISKLESS for d in self.devices) else "flush"

    def connection(self, name: str) -> ConnectionView | None:
        return next((c for c in self.connections if c.name == name), None)


def connection_state(res: Json, me: str, peer: str, connected: bool) -> str:
    """StandAlone, Connecting or Connected, as the node sees the peer."""
    if peer in res["nodes"][me].get("standalone", []):
        return "StandAlone"
    return "Connected" if connected else "Connecting"


def replication(p: Json, me: str, connected: bool) -> str:
    """Off, Established, SyncSource or SyncTarget."""
    if not connected:
        return "Off"
    sync = p["resync"]
    if sync:
        return "SyncSource" if sync["source"] == me else "SyncTarget"
    return "Established"


def out_of_sync(
    res: Json, p: Json, me: str, peer: str, now: float
) -> tuple[int, SyncDetails | None]:
    """Out-of-sync KiB between me and peer, and the resync details if one runs."""
    sync = p["resync"]
    if sync:
        done = sync["done"]
        if "paused_at" not in sync:
            done = min(sync["total"], sync["base"] + int(sync["rate"] * (now - sync["start"])))
        elapsed_ms = int((now - sync["first_start"]) * 1000)
        details = SyncDetails(sync["total"] * 2, done * 2, elapsed_ms, sync["rate"])
        return sync["total"] - done, details if p["connected"] else None
    if p["connected"]:
        return 0, None
    return int(p["dirty"].get(me, 0)), None


def peer_device_views(res: Json, me: str, peer: str, now: float) -> tuple[PeerDeviceView, ...]:
    """The node's view of each volume on the peer."""
    p = st.pair(res, me, peer)
    node = res["nodes"][me]
    connected = p["connected"]
    repl = replication(p, me, connected)
    peer_disk = res["nodes"][peer]["disk"] if connected else "DUnknown"
    oos, sync = out_of_sync(res, p, me, peer, now)
    sent = sync.done_sectors // 2 if sync and repl == "SyncSource" else 0
    received = sync.done_sectors // 2 if sync and repl == "SyncTarget" else 0
    return tuple(
        PeerDeviceView(
            int(vnr), repl, peer_disk, oos, res["size_kib"], sent, received, sync if sync else None
        )
        for vnr in sorted(node.get("minors", {"0": 0}), key=int)
    )


def connection_view(res: Json, me: str, peer: str, now: float) -> ConnectionView:
    """The node's view of one peer."""
    node = res["nodes"][me]
    p = st.pair(res, me, peer) if peer in res["nodes"] else None
    connected = bool(p and p["connected"])
    peer_role = res["nodes"][peer]["role"] if connected else "Unknown"
    if p is None:
        devices = tuple(
            PeerDeviceView(int(v), "Off", "DUnknown", 0, res["size_kib"])
            for v in sorted(node.get("minors", {"0": 0}), key=int)
        )
    else:
        devices = peer_device_views(res, me, peer, now)
    path = PathView(node["address"], node.get("peer_addresses", {}).get(peer, ""), connected)
    return ConnectionView(
        peer,
        int(node["peers"][peer]),
        connection_state(res, me, peer, connected),
        peer_role,
        devices,
        (path,),
    )


def resource_view(res: Json, name: str, me: str, now: float | None = None) -> ResourceView:
    """The node's view of one resource."""
    now = time.time() if now is None else now
    node = res["nodes"][me]
    devices = tuple(
        DeviceView(
            int(vnr),
            int(minor),
            node["disk"],
            "none" if node["disk"] == DISKLESS else node.get("backing", {}).get(vnr, "none"),
            res["size_kib"],
            int(node.get("read_kib", 0)),
            int(node.get("written_kib", 0)),
        )
        for vnr, minor in sorted(node.get("minors", {}).items(), key=lambda kv: int(kv[0]))
    )
    connections = tuple(connection_view(res, me, peer, now) for peer in sorted(node["peers"]))
    return ResourceView(name, int(node["node_id"]), node["role"], devices, connections)


def node_views(state: Json, me: str, only: str | None = None) -> list[ResourceView]:
    """The resources that are up on node `me` (sorted by name, as drbdsetup sorts them)."""
    views = []
    for name in sorted(state["resources"]):
        res = state["resources"][name]
        if (only in (None, "all") or name == only) and st.alive(res, me):
            views.append(resource_view(res, name, me))
    return views
