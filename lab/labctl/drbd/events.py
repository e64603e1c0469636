"""`drbdsetup events2` of the DRBD stand-in, in drbd-utils 9.22's format
(drbdsetup_events2.c: print_resource_changes ... print_helper): the current state as
"exists" lines, "exists -", then (unless --now) one line per object whose state changes,
as the tool prints the kernel's notifications. The stand-in has no kernel to notify it:
it looks at the shared state twice a second, and only when something that could change
it moved (the state file, the nodes' boot ids, a partition) or a resync runs.

Like drbd-utils, objects are listed in the order its linked lists end up in (each new one
is prepended): connections and volumes come in reverse order of their creation. The
kernel sends no "exists" for paths: they first show when a connection changes.
"""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import state as st
from .status import c_round, dbdt1, done_percent, eta_text
from .views import ConnectionView, DeviceView, PeerDeviceView, ResourceView, node_views

POLL = 0.5


@dataclass
class Flags:
    statistics: bool = False
    timestamps: bool = False

    @property
    def verbose(self) -> bool:
        return self.statistics  # events2 --statistics also raises drbdsetup's verbosity


def timestamp() -> str:
    """The --timestamps prefix: local time, microseconds, UTC offset."""
    now = time.time()
    tm = time.localtime(now)
    offset = tm.tm_gmtoff
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    micro = int((now - int(now)) * 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + f".{micro:06d}{sign}{hours:02d}:{minutes:02d} "


def promotion(r: ResourceView) -> tuple[bool, int]:
    """may_promote and promotion_score, as drbdsetup computes them (compute_promotion_info)."""
    if not r.devices:
        return False, 0
    up_to_date, all_have_disk, min_replicas = 0, True, -1
    for d in r.devices:
        replicas = (d.disk == "UpToDate") + sum(
            p.volume == d.volume and p.peer_disk == "UpToDate"
            for c in r.connections
            for p in c.peer_devices
        )
        if d.disk == "UpToDate":
            up_to_date += 1
        elif d.disk not in ("Consistent", "Inconsistent"):
            all_have_disk = False
        min_replicas = replicas if min_replicas == -1 else min(min_replicas, replicas)
    if min_replicas <= 0:
        return False, 0
    have_primary = r.role == "Primary" or any(c.role == "Primary" for c in r.connections)
    score = int(all_have_disk) * 10000 + min(up_to_date, 99) * 100 + min(min_replicas, 99)
    return not have_primary, score


def resource_line(action: str, new: ResourceView, old: ResourceView | None, f: Flags) -> str:
    """print_resource_changes."""
    role = old is None or old.role != new.role
    info = old is None
    stats = f.statistics and (old is None or old.write_ordering != new.write_ordering)
    promo = old is None or promotion(old) != promotion(new)
    if not (role or info or stats or promo):
        return ""
    text = f"{action} resource name:{new.name}"
    text += f" role:{new.role}" if role else ""
    text += " suspended:no force-io-failures:no" if info else ""
    text += f" write-ordering:{new.write_ordering}" if stats else ""
    if promo:
        may, score = promotion(new)
        text += f" may_promote:{'yes' if may else 'no'} promotion_score:{score}"
    return text


def device_stats(new: DeviceView, old: DeviceView | None, f: Flags) -> str:
    """print_device_statistics, for events2."""
    text = f" size:{new.size_kib} read:{new.read_kib} written:{new.written_kib}"
    text += " al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0"
    return text + (" al-suspended:no blocked:no" if old is None else "")


def device_line(action: str, res: str, new: DeviceView, old: DeviceView | None, f: Flags) -> str:
    """print_device_changes."""
    info = old is None or old.disk != new.disk
    stats = f.statistics and (
        old is None
        or (old.read_kib, old.written_kib, old.size_kib)
        != (new.read_kib, new.written_kib, new.size_kib)
    )
    if not (info or stats):
        return ""
    text = f"{action} device name:{res} volume:{new.volume} minor:{new.minor}"
    if info:
        text += f" backing_dev:{new.backing_dev} disk:{new.disk} client:no quorum:yes"
    return text + (device_stats(new, old, f) if stats else "")


def connection_line(
    action: str, res: str, new: ConnectionView, old: ConnectionView | None, f: Flags
) -> str:
    """print_connection_changes."""
    state = old is None or old.state != new.state
    role = old is None or old.role != new.role
    stats = f.statistics and old is None
    if not (state or role or stats):
        return ""
    text = f"{action} connection name:{res} peer-node-id:{new.peer_node_id} conn-name:{new.name}"
    text += f" connection:{new.state}" if state else ""
    text += f" role:{new.role}" if role else ""
    return text + (" congested:no ap-in-flight:0 rs-in-flight:0" if stats else "")


def peer_stats(new: PeerDeviceView, f: Flags) -> str:
    """print_peer_device_statistics, for events2."""
    text = f" done:{c_round(done_percent(new.sync), 2)}" if new.sync else ""
    if not f.statistics:
        return text
    text += f" received:{new.received_kib} sent:{new.sent_kib} out-of-sync:{new.out_of_sync_kib}"
    text += " pending:0 unacked:0"
    if new.sync:
        text += f" dbdt1:{c_round(dbdt1(new.sync), 2)} eta:{eta_text(new.sync)}"
    return text


def peer_device_line(
    action: str,
    where: tuple[str, ConnectionView],
    new: PeerDeviceView,
    old: PeerDeviceView | None,
    f: Flags,
) -> str:
    """One peer-device line; `where`: the resource's name and the connection."""
    res, conn = where
    repl = old is None or old.replication != new.replication
    disk = old is None or old.peer_disk != new.peer_disk
    if not (repl or disk):
        return ""
    text = f"{action} peer-device name:{res} peer-node-id:{conn.peer_node_id}"
    text += f" conn-name:{conn.name} volume:{new.volume}"
    text += f" replication:{new.replication}" if repl else ""
    text += f" peer-disk:{new.peer_disk} peer-client:no" if disk else ""
    text += " resync-suspended:no" if old is None else ""
    return text + peer_stats(new, f)


def path_lines(
    res: str, new: ConnectionView, old: ConnectionView | None, known: set[str]
) -> list[str]:
    """Paths whose `established` changed (or that are new). The kernel announces no path in
    the initial state: the first line about a path says "create", later ones "change"."""
    lines = []
    for path in new.paths:
        key = f"{res}/{new.name}/{path.local}/{path.peer}"
        before = next((p for p in old.paths if p.local == path.local), None) if old else None
        if before is not None and before.established == path.established:
            continue
        action = "change" if key in known else "create"
        known.add(key)
        lines.append(
            f"{action} path name:{res} peer-node-id:{new.peer_node_id} conn-name:{new.name} "
            f"local:{path.local} peer:{path.peer} established:{'yes' if path.established else 'no'}"
        )
    return lines


def created(r: ResourceView, action: str, f: Flags, known: set[str]) -> list[str]:
    """A resource that appeared: its objects in the order the kernel announces them."""
    lines = [resource_line(action, r, None, f)]
    lines += [device_line(action, r.name, d, None, f) for d in reversed(r.devices)]
    conns = list(reversed(r.connections))
    lines += [connection_line(action, r.name, c, None, f) for c in conns]
    for c in conns:
        lines += [
            peer_device_line(action, (r.name, c), p, None, f) for p in reversed(c.peer_devices)
        ]
    if action != "exists":
        for c in conns:
            lines += path_lines(r.name, c, None, known)
    return lines


def changed(new: ResourceView, old: ResourceView, f: Flags, known: set[str]) -> list[str]:
    """The lines of a resource that changed (print_changes' order)."""
    lines = [resource_line("change", new, old, f)]
    conns = list(reversed(new.connections))
    for c in conns:
        lines.append(connection_line("change", new.name, c, old.connection(c.name), f))
    for d in reversed(new.devices):
        before = next((o for o in old.devices if o.volume == d.volume), None)
        lines.append(device_line("change", new.name, d, before, f))
    for c in conns:
        prev = old.connection(c.name)
        for p in reversed(c.peer_devices):
            was = (
                next((o for o in prev.peer_devices if o.volume == p.volume), None) if prev else None
            )
            kind = "change" if was else "create"
            lines.append(peer_device_line(kind, (new.name, c), p, was, f))
        lines += path_lines(new.name, c, prev, known)
    return lines


def destroyed(r: ResourceView) -> list[str]:
    """The lines of a resource that went away."""
    lines = []
    for c in reversed(r.connections):
        base = f"name:{r.name} peer-node-id:{c.peer_node_id} conn-name:{c.name}"
        lines += [f"destroy path {base} local:{p.local} peer:{p.peer}" for p in c.paths]
        lines += [f"destroy peer-device {base} volume:{p.volume}" for p in reversed(c.peer_devices)]
        lines.append(f"destroy connection {base}")
    lines += [f"destroy device name:{r.name} volume:{d.volume}" for d in reversed(r.devices)]
    return [*lines, f"destroy resource name:{r.name}"]


def diff(
    old: dict[str, ResourceView], new: dict[str, ResourceView], f: Flags, known: set[str]
) -> list[str]:
    """The events2 lines that take a node's resources from `old` to `new`."""
    lines: list[str] = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            lines += created(new[name], "create", f, known)
        elif name not in new:
            lines += destroyed(old[name])
        else:
            lines += changed(new[name], old[name], f, known)
    return [line for line in lines if line]


@dataclass
class Source:
    """Reads this node's views (and its helper calls) from the shared state."""

    paths: st.Paths
    me: str
    only: str | None

    def read(self) -> tuple[dict[str, ResourceView], list[st.Json], bool]:
        with st.locked(self.paths) as state:
            views = {v.name: v for v in node_views(state, self.me, self.only)}
            events = [
                {**e, "resource": name}
                for name, res in state["resources"].items()
                for e in res.get("events", [])
                if e["node"] == self.me and name in views
            ]
            busy = any(
                p["resync"] for name in views for p in state["resources"][name]["pairs"].values()
            )
        return views, events, busy

    def stamp(self) -> tuple[float, ...]:
        stamps = []
        for path in (self.paths.state, self.paths.lab_dir / "run", self.paths.partition):
            try:
                stamps.append(os.stat(path).st_mtime)
            except OSError:
                stamps.append(0.0)
        return tuple(stamps)


def helper_line(event: st.Json, views: dict[str, ResourceView]) -> str:
    """print_helper: a helper called by the kernel, or its response."""
    view = views.get(event["resource"])
    conn = view.connection(event["peer"]) if view else None
    peer_id = conn.peer_node_id if conn else -1
    text = f"{event['kind']} helper name:{event['resource']} peer-node-id:{peer_id}"
    text += f" conn-name:{event['peer']} volume:0 helper:{event['helper']}"
    return text + (" status:0" if event["kind"] == "response" else "")


def stdout_closed() -> bool:
    """The reader went away (ssh channel closed): stop, as drbdsetup does on EPIPE."""
    poller = select.poll()
    poller.register(sys.stdout.fileno(), 0)
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))


def emit(lines: list[str], f: Flags, write: Callable[[str], object]) -> None:
    """Print lines (with timestamps if asked) and flush."""
    prefix = timestamp() if f.timestamps else ""
    for line in lines:
        write(prefix + line + "\n")
    sys.stdout.flush()


def events2(source: Source, f: Flags, now: bool, write: Callable[[str], object]) -> int:
    """`drbdsetup events2 [RES|all] [--now] [--statistics] [--timestamps]`."""
    views, events, busy = source.read()
    known: set[str] = set()
    lines: list[str] = []
    for view in views.values():
        lines += created(view, "exists", f, known)
    emit([*(line for line in lines if line), "exists -"], f, write)
    if now:
        return 0
    seen = {e["resource"]: e["seq"] for e in sorted(events, key=lambda e: e["seq"])}
    stamp = source.stamp()
    while not stdout_closed():
        time.sleep(POLL)
        current = source.stamp()
        if current == stamp and not busy:
            continue
        stamp = current
        fresh, events, busy = source.read()
        new_events = [e for e in events if e["seq"] > seen.get(e["resource"], 0)]
        for event in new_events:
            seen[event["resource"]] = max(seen.get(event["resource"], 0), event["seq"])
        helpers = [helper_line(e, fresh) for e in sorted(new_events, key=lambda e: e["seq"])]
        emit(helpers + diff(views, fresh, f, known), f, write)
        views = fresh
    return 0
