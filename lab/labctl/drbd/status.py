"""`drbdsetup status` of the DRBD stand-in: text (with drbd-utils' line wrapping) and
--json, laid out byte for byte as drbd-utils 9.22 prints them (drbdsetup.c status_cmd,
resource_status, device_status, connection_status, peer_device_status and the *_json
functions; wrap_printf.c). Colours are never used (output is not a terminal here)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .views import ConnectionView, DeviceView, PeerDeviceView, ResourceView, SyncDetails


@dataclass
class Options:
    verbose: int = 0
    statistics: bool = False
    tty: bool = False


@dataclass
class Wrap:
    """drbd-utils' wrap_printf: start a new line (indented) when a field would pass the
    terminal width (80 columns when stdout is not a terminal)."""

    columns: int = 80
    col: int = 0
    out: list[str] = field(default_factory=list)

    def __call__(self, indent: int, text: str) -> None:
        fmt = text
        if self.col + len(fmt) > self.columns:
            self.out.append("\n")
            if fmt.startswith("\n"):
                fmt = fmt[1:]
            self.col = 0
        if self.col == 0:
            fmt = fmt.lstrip(" ")
            self.col += indent
            self.out.append(" " * indent)
        self.out.append(fmt)
        self.col += len(fmt)
        if fmt.endswith("\n"):
            self.col = 0

    def text(self) -> str:
        return "".join(self.out)


def c_round(value: float, digits: int) -> str:
    """printf("%.Nf"): like Python's format (both round half to even on the binary value)."""
    return f"{value:.{digits}f}"


def resource_text(w: Wrap, r: ResourceView, o: Options) -> None:
    """The resource's line (resource_status)."""
    w(0, r.name)
    if o.verbose:
        w(4, f" node-id:{r.node_id}")
    w(4, f" role:{r.role}")
    if o.verbose:
        w(4, " suspended:no")
        w(4, " force-io-failures:no")
    if o.statistics and o.verbose:
        w(4, "\n")
        w(4, f" write-ordering:{r.write_ordering}")
    w(0, "\n")


def device_statistics_text(w: Wrap, d: DeviceView, o: Options, indent: int) -> None:
    """print_device_statistics, for status."""
    if o.statistics:
        if o.verbose:
            w(indent, f" size:{d.size_kib}")
        w(indent, f" read:{d.read_kib}")
        w(indent, f" written:{d.written_kib}")
        if o.verbose:
            for name in ("al-writes", "bm-writes", "upper-pending", "lower-pending"):
                w(indent, f" {name}:0")
            w(indent, " al-suspended:no")
    if o.verbose:
        w(indent, " blocked:no")


def device_text(w: Wrap, d: DeviceView, single: bool, o: Options) -> None:
    """A volume's line (device_status)."""
    indent = 2
    if o.verbose or not (single and d.volume == 0):
        w(indent, f"volume:{d.volume}")
        indent = 6
        if o.verbose:
            w(indent, f" minor:{d.minor}")
    w(indent, f" disk:{d.disk}")
    if d.disk == "Diskless" and (o.verbose or not o.tty):
        w(indent, " client:no")
    if o.verbose:
        w(indent, f" backing_dev:{d.backing_dev}")
        w(indent, " quorum:yes")
    if o.statistics:
        w(6, "\n")
    device_statistics_text(w, d, o, 6)
    w(6, "\n")


def peer_statistics_text(w: Wrap, p: PeerDeviceView, o: Options, indent: int) -> None:
    """print_peer_device_statistics, for status."""
    w(indent, f" received:{p.received_kib}")
    w(indent, f" sent:{p.sent_kib}")
    if o.verbose or p.out_of_sync_kib:
        w(indent, f" out-of-sync:{p.out_of_sync_kib}")
    if not o.verbose:
        return
    w(indent, " pending:0")
    w(indent, " unacked:0")
    if p.sync is None:
        return
    if o.verbose > 1:
        for text in sync_verbose_fields(p.sync):
            w(indent, text)
    w(indent, f" dbdt1:{c_round(dbdt1(p.sync), 2)}")
    w(indent, f" eta:{eta_text(p.sync)}")


def dbdt1(s: SyncDetails) -> float:
    """The recent resync speed, MiB/s."""
    return s.db1_sectors / s.dt1_ms * 1000.0 / 2048.0


def eta(s: SyncDetails) -> float:
    """Seconds to the end of the resync (nan if unknown)."""
    return math.nan if s.db1_sectors <= 0 else s.dt1_ms * 1e-3 * s.to_go / s.db1_sectors


def eta_text(s: SyncDetails) -> str:
    """eta as printf's %.0f prints it."""
    value = eta(s)
    return "nan" if math.isnan(value) else c_round(value, 0)


def sync_verbose_fields(s: SyncDetails) -> list[str]:
    """The resync details of --verbose --verbose."""
    dbdt = (s.total_sectors - s.to_go) / (s.dt_start_ms or 1) * 1000.0 / 2048.0
    return [
        f" rs-total:{s.total_sectors}",
        f" rs-dt-start-ms:{s.dt_start_ms}",
        " rs-paused-ms:0",
        f" rs-dt0-ms:{s.dt_start_ms}",
        f" rs-db0-sectors:{s.done_sectors}",
        f" rs-dt1-ms:{s.dt1_ms}",
        f" rs-db1-sectors:{s.db1_sectors}",
        " rs-failed:0",
        " rs-same-csum:0",
        f" want:{c_round(s.rate_kib / 1024.0, 2)}",
        f" dbdt:{c_round(dbdt, 2)}",
        f" dbdt0:{c_round(s.done_sectors / (s.dt_start_ms or 1) * 1000.0 / 2048.0, 2)}",
    ]


def done_percent(s: SyncDetails) -> float:
    """How much of the resync is done."""
    return 100.0 * (s.total_sectors - s.to_go) / s.total_sectors


def peer_device_text(w: Wrap, p: PeerDeviceView, single: bool, o: Options) -> None:
    """A peer volume's line (peer_device_status)."""
    indent = 4
    if o.verbose or not (single and p.volume == 0):
        w(indent, f"volume:{p.volume}")
        indent = 8
    if o.verbose or p.replication not in ("Off", "Established"):
        w(indent, f" replication:{p.replication}")
        indent = 8
    if o.verbose or o.statistics or p.replication != "Off" or p.peer_disk != "DUnknown":
        w(indent, f" peer-disk:{p.peer_disk}")
        if p.peer_disk == "Diskless" and (o.verbose or not o.tty):
            w(indent, " peer-client:no")
        indent = 8
        if p.sync is not None:
            w(indent, f" done:{c_round(done_percent(p.sync), 2)}")
        if o.verbose:
            w(indent, " resync-suspended:no")
        if o.statistics:
            w(indent, "\n")
            peer_statistics_text(w, p, o, indent)
    w(0, "\n")


def connection_text(w: Wrap, c: ConnectionView, single: bool, o: Options) -> None:
    """A peer's line and its volumes (connection_status)."""
    w(2, c.name)
    if o.verbose:
        w(6, f" node-id:{c.peer_node_id}")
    if o.verbose or c.state != "Connected":
        w(6, f" connection:{c.state}")
    if o.verbose or c.state == "Connected":
        w(6, f" role:{c.role}")
    if o.verbose:
        w(6, " congested:no")
        w(6, " ap-in-flight:0")
        w(6, " rs-in-flight:0")
    w(0, "\n")
    if o.verbose or o.statistics or c.state == "Connected":
        for p in c.peer_devices:
            peer_device_text(w, p, single, o)


def status_text(views: list[ResourceView], o: Options) -> str:
    """`drbdsetup status` (text)."""
    w = Wrap()
    if not views:
        return "# No currently configured DRBD found.\n"
    for r in views:
        resource_text(w, r, o)
        single = len(r.devices) == 1
        for d in r.devices:
            device_text(w, d, single, o)
        for c in r.connections:
            connection_text(w, c, single, o)
        w(0, "\n")
    return w.text()


def json_bool(value: bool) -> str:
    """true or false."""
    return "true" if value else "false"


def resource_json(r: ResourceView) -> str:
    """The resource's JSON object up to its devices (resource_status_json)."""
    return (
        "{\n"
        f'  "name": "{r.name}",\n'
        f'  "node-id": {r.node_id},\n'
        f'  "role": "{r.role}",\n'
        '  "suspended": false,\n'
        '  "suspended-user": false,\n'
        '  "suspended-no-data": false,\n'
        '  "suspended-fencing": false,\n'
        '  "suspended-quorum": false,\n'
        '  "force-io-failures": false,\n'
        f'  "write-ordering": "{r.write_ordering}",\n'
        '  "devices": [\n'
    )


def device_json(d: DeviceView) -> str:
    """A volume's JSON object (device_status_json)."""
    return (
        "    {\n"
        f'      "volume": {d.volume},\n'
        f'      "minor": {d.minor},\n'
        f'      "disk-state": "{d.disk}",\n'
        '      "client": false,\n'
        '      "quorum": true,\n'
        f'      "size": {d.size_kib},\n'
        f'      "read": {d.read_kib},\n'
        f'      "written": {d.written_kib},\n'
        '      "al-writes": 0,\n'
        '      "bm-writes": 0,\n'
        '      "upper-pending": 0,\n'
        '      "lower-pending": 0\n'
        "    }"
    )


def sync_json(s: SyncDetails) -> str:
    """The resync details of a peer volume's JSON object."""
    db0 = s.done_sectors / (s.dt_start_ms or 1) * 1000.0 / 2048.0
    dbdt = (s.total_sectors - s.to_go) / (s.dt_start_ms or 1) * 1000.0 / 2048.0
    finish = 987654321 if s.db1_sectors <= 0 else s.dt1_ms * 1e-3 * s.to_go / s.db1_sectors
    return (
        f'          "rs-total": {s.total_sectors},\n'
        f'          "rs-dt-start-ms": {s.dt_start_ms},\n'
        '          "rs-paused-ms": 0,\n'
        f'          "rs-dt0-ms": {s.dt_start_ms},\n'
        f'          "rs-db0-sectors": {s.done_sectors},\n'
        f'          "rs-dt1-ms": {s.dt1_ms},\n'
        f'          "rs-db1-sectors": {s.db1_sectors},\n'
        '          "rs-failed": 0,\n'
        '          "rs-same-csum": 0,\n'
        f'          "want": {c_round(s.rate_kib / 1024.0, 2)},\n'
        f'          "db0/dt0 [MiB/s]": {c_round(db0, 2)},\n'
        f'          "db1/dt1 [MiB/s]": {c_round(dbdt1(s), 2)},\n'
        f'          "estimated-seconds-to-finish": {c_round(finish, 0)},\n'
        f'          "db/dt [MiB/s]": {c_round(dbdt, 2)},\n'
        f'          "percent-resync-done": {c_round(done_percent(s), 2)}\n'
    )


def peer_device_json(p: PeerDeviceView) -> str:
    """A peer volume's JSON object (peer_device_status_json)."""
    text = (
        "        {\n"
        f'          "volume": {p.volume},\n'
        f'          "replication-state": "{p.replication}",\n'
        f'          "peer-disk-state": "{p.peer_disk}",\n'
        '          "peer-client": false,\n'
        '          "resync-suspended": "no",\n'
        f'          "received": {p.received_kib},\n'
        f'          "sent": {p.sent_kib},\n'
        f'          "out-of-sync": {p.out_of_sync_kib},\n'
        '          "pending": 0,\n'
        '          "unacked": 0,\n'
        f'          "has-sync-details": {json_bool(p.sync is not None)},\n'
        '          "has-online-verify-details": false,\n'
        f'          "percent-in-sync": {c_round(p.percent_in_sync, 2)}'
        f"{',' if p.sync is not None else ''}\n"
    )
    if p.sync is not None:
        text += sync_json(p.sync)
    return text + "        }"


def connection_json(c: ConnectionView) -> str:
    """A peer's JSON object (connection_status_json)."""
    head = (
        "    {\n"
        f'      "peer-node-id": {c.peer_node_id},\n'
        f'      "name": "{c.name}",\n'
        f'      "connection-state": "{c.state}", \n'
        '      "congested": false,\n'
        f'      "peer-role": "{c.role}",\n'
        '      "ap-in-flight": 0,\n'
        '      "rs-in-flight": 0,\n'
        '      "peer_devices": [\n'
    )
    return head + ",\n".join(peer_device_json(p) for p in c.peer_devices) + " ]\n    }"


def status_json(views: list[ResourceView]) -> str:
    """`drbdsetup status --json`."""
    parts = []
    for r in views:
        text = resource_json(r) + ",\n".join(device_json(d) for d in r.devices)
        text += ' ],\n  "connections": [\n'
        text += ",\n".join(connection_json(c) for c in r.connections)
        parts.append(text + " ]\n}")
    body = "\n,\n".join(parts)  # drbdsetup puts(",") before every resource but the first
    return "[\n" + (body + "\n" if parts else "") + "]\n\n"
