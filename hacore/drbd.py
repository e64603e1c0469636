"""DRBD's live state as `drbdsetup status --json --verbose --statistics` prints it (drbd-utils
9), one node's view: per resource its role, per volume the local disk, per peer the
connection and, per volume, the replication state, the peer's disk and what is out of sync.

A connection that is StandAlone while the resource is up does not replicate: DRBD goes
StandAlone after a split-brain it could not resolve, and after `drbdadm disconnect`; the
status alone cannot tell which, so both are reported as `split_brain` suspected, with that
reason (the events2 stream names the split-brain helper when it is one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hacore.pacemaker.xmlsafe import ParseError

Json = dict[str, Any]
KIB = 1024


@dataclass(frozen=True)
class PeerVolume:
    """One volume as seen towards one peer (a DRBD 9 peer device)."""

    peer: str
    volume: int
    connection_state: str
    peer_role: str
    replication_state: str
    peer_disk_state: str
    out_of_sync: int  # bytes
    resync_percent: float | None  # while a resync runs (done), else None
    resync_rate: float | None  # MiB/s, lately (db1/dt1), while a resync runs
    resync_eta: float | None  # seconds, DRBD's estimate, while a resync runs
    split_brain: bool

    def as_dict(self) -> Json:
        """The API form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Volume:
    """A volume on this node: its local disk and its state towards every peer."""

    volume: int
    minor: int | None
    disk_state: str
    size: int | None  # bytes
    peers: tuple[PeerVolume, ...]


@dataclass(frozen=True)
class DrbdState:
    """One DRBD resource as one node sees it."""

    name: str
    role: str
    suspended: bool
    volumes: tuple[Volume, ...]


def parse_status_json(text: str) -> list[DrbdState]:
    """Every resource of a `drbdsetup status --json` output; ParseError if it is not one."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"drbdsetup status --json: not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ParseError("drbdsetup status --json: expected a list of resources")
    return [_resource(r) for r in data]


def _field(obj: Json, key: str, kind: type, what: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind):
        raise ParseError(f"drbdsetup status --json: {what} has no {key!r}")
    return value


def _resource(r: Any) -> DrbdState:
    if not isinstance(r, dict):
        raise ParseError("drbdsetup status --json: a resource is not an object")
    name = _field(r, "name", str, "a resource")
    role = _field(r, "role", str, f"resource {name}")
    connections = [c for c in r.get("connections", []) if isinstance(c, dict)]
    volumes = []
    for device in r.get("devices", []):
        number = _field(device, "volume", int, f"a volume of {name}")
        peers = tuple(_peer(c, number, name) for c in connections)
        size = device.get("size")
        volumes.append(
            Volume(
                volume=number,
                minor=device.get("minor"),
                disk_state=_field(device, "disk-state", str, f"{name} volume {number}"),
                size=size * KIB if isinstance(size, int) else None,
                peers=tuple(p for p in peers if p is not None),
            )
        )
    return DrbdState(name, role, bool(r.get("suspended")), tuple(volumes))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _peer(connection: Json, volume: int, resource: str) -> PeerVolume | None:
    state = _field(connection, "connection-state", str, f"a connection of {resource}")
    peer = str(connection.get("name") or connection.get("peer-node-id", "?"))
    found = [p for p in connection.get("peer_devices", []) if p.get("volume") == volume]
    device: Json = found[0] if found else {}
    replication = str(device.get("replication-state", "Off"))
    syncing = replication.startswith("Sync")
    details = syncing and bool(device.get("has-sync-details"))
    percent = device.get("percent-resync-done" if details else "percent-in-sync")
    return PeerVolume(
        peer=peer,
        volume=volume,
        connection_state=state,
        peer_role=str(connection.get("peer-role", "Unknown")),
        replication_state=replication,
        peer_disk_state=str(device.get("peer-disk-state", "DUnknown")),
        out_of_sync=int(device.get("out-of-sync", 0)) * KIB,
        resync_percent=float(percent) if syncing and percent is not None else None,
        resync_rate=_number(device.get("db1/dt1 [MiB/s]")) if details else None,
        resync_eta=_number(device.get("estimated-seconds-to-finish")) if details else None,
        split_brain=state == "StandAlone",
    )
