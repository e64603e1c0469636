"""The lab's DRBD stand-in answers in drbd-utils 9's formats, held to real outputs.

No running lab needed: the stand-in's formatters are fed states and compared with what
the real tools printed (tests/fixtures/drbd/README.md names every source): drbdadm
dump-xml of Debian 12's drbd-utils 9.22 on the same files, drbd-utils' own events2 test
data, ClusterLabs/ha_cluster_exporter's `drbdsetup status --json`, users' posts of
`drbdadm status`.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))

from labctl.drbd.conf import dump_xml, load
from labctl.drbd.events import Flags, diff, helper_line, timestamp
from labctl.drbd.status import Options, status_json, status_text
from labctl.drbd.views import (
    ConnectionView,
    DeviceView,
    PathView,
    PeerDeviceView,
    ResourceView,
    SyncDetails,
)

pytestmark = pytest.mark.lab

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "drbd"
DUMPS = [
    ("datos3", "node1", "datos"),
    ("book2", "nodo1", "datos"),
    ("volumes", "alpha", "r0"),
    ("mesh", "n1", "r1"),
]


@pytest.mark.parametrize(("name", "host", "resource"), DUMPS)
def test_dump_xml_is_byte_for_byte_drbdadm_9_22(
    tmp_path: Path, name: str, host: str, resource: str
) -> None:
    etc = tmp_path / "etc"
    shutil.copytree(FIXTURES / "dump-xml" / name / "etc", etc)
    config = load(etc / "drbd.conf")
    for kind, ours in (
        ("all", dump_xml(config)),
        ("resource", dump_xml(config, resource, host)),
    ):
        real = (FIXTURES / "dump-xml" / name / f"dump-xml-{kind}.xml").read_text()
        assert ours == real.replace("@CONFDIR@", str(etc)), f"{name} dump-xml ({kind})"


def peer(
    replication: str = "Established",
    peer_disk: str = "UpToDate",
    oos: int = 0,
    sync: SyncDetails | None = None,
) -> PeerDeviceView:
    return PeerDeviceView(0, replication, peer_disk, oos, 409600, sync=sync)


def connection(name: str, state: str, role: str, *devices: PeerDeviceView) -> ConnectionView:
    path = PathView("ipv4:1.2.3.4:7789", "ipv4:5.6.7.8:7790", state == "Connected")
    return ConnectionView(name, 1, state, role, devices or (peer(),), (path,))


def resource(
    name: str, role: str, disk: str, *connections: ConnectionView, node_id: int = 2
) -> ResourceView:
    device = DeviceView(0, 2, disk, "/dev/sda" if disk != "Diskless" else "none", 409600)
    return ResourceView(name, node_id, role, (device,), connections)


def shape(value: Any) -> Any:
    """Keys in order and the JSON type of every value, recursively."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value]
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else type(value).__name__
    )


# drbd-utils added these to `status --json` after the exporter's sample was recorded; 9.22
# prints them (drbdsetup.c, resource_status_json)
ADDED_SINCE_SAMPLE = {
    "suspended-user",
    "suspended-no-data",
    "suspended-fencing",
    "suspended-quorum",
    "force-io-failures",
}


def test_status_json_has_the_fields_of_a_real_drbdsetup_output() -> None:
    real = json.loads((FIXTURES / "ha_cluster_exporter-drbdsetup-status.json").read_text())[0]
    view = resource(
        real["name"],
        "Secondary",
        "UpToDate",
        connection("SLE15-sp1-gm-drbd1145296-node1", "Connected", "Primary"),
    )
    ours = json.loads(status_json([view]))[0]
    assert [k for k in ours if k not in ADDED_SINCE_SAMPLE] == list(real)
    trimmed = {k: v for k, v in ours.items() if k not in ADDED_SINCE_SAMPLE}
    assert shape(trimmed) == shape(real)
    for key in ("name", "node-id", "role", "suspended", "write-ordering"):
        assert ours[key] == real[key]
    for ours_dev, real_dev in zip(ours["devices"], real["devices"], strict=True):
        for key in ("volume", "minor", "disk-state", "client", "quorum", "size"):
            assert ours_dev[key] == real_dev[key]
    ours_conn, real_conn = ours["connections"][0], real["connections"][0]
    for key in ("peer-node-id", "name", "connection-state", "congested", "peer-role"):
        assert ours_conn[key] == real_conn[key]
    ours_pd, real_pd = ours_conn["peer_devices"][0], real_conn["peer_devices"][0]
    for key in ("replication-state", "peer-disk-state", "out-of-sync", "percent-in-sync"):
        assert ours_pd[key] == real_pd[key]


def test_status_json_layout_is_drbdsetups_own() -> None:
    """drbdsetup prints JSON with printf: a space after one comma, a comma alone between
    resources, a blank line at the end."""
    one = resource("r0", "Primary", "UpToDate", connection("b", "Connected", "Secondary"))
    text = status_json([one, resource("r1", "Secondary", "UpToDate")])
    assert '"connection-state": "Connected", \n' in text
    assert " ]\n}\n,\n{\n" in text
    assert text.startswith("[\n{\n")
    assert text.endswith("}\n]\n\n")
    assert [r["name"] for r in json.loads(text)] == ["r0", "r1"]


def sample_blocks() -> dict[str, list[str]]:
    """status-text.txt: the lines after each command prompt, whitespace stripped."""
    blocks: dict[str, list[str]] = {}
    current: list[str] = []
    for line in (FIXTURES / "status-text.txt").read_text().splitlines():
        if line.startswith("#"):
            continue
        if "# drbd" in line:
            current = blocks.setdefault(line.split("# ", 1)[1], [])
            continue
        current.append(line.strip())
    return blocks


def stripped(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_status_text_matches_users_posts_of_drbdadm_status() -> None:
    posted = sample_blocks()["drbdadm status"]
    views = [
        resource(
            "lab-sysprep",
            "Secondary",
            "Consistent",
            connection("mk-a02n02", "Connecting", "Unknown", peer("Off", "DUnknown")),
        ),
        resource(
            "srv00-sql1", "Secondary", "UpToDate", connection("mk-a02n02", "Connected", "Secondary")
        ),
    ]
    assert stripped(status_text(views, Options())) == posted


def test_status_text_of_a_resync_matches_a_users_post() -> None:
    posted = sample_blocks()["drbdsetup status"]
    sync = SyncDetails(total_sectors=1000, done_sectors=194, dt_start_ms=5000, rate_kib=1024)
    view = resource(
        "my_ssd_res",
        "Secondary",
        "Inconsistent",
        connection("node2", "Connected", "Secondary", peer("SyncTarget", "UpToDate", 400, sync)),
        connection("node3", "Connected", "Secondary", peer("Established", "Diskless")),
    )
    assert stripped(status_text([view], Options(tty=True))) == [*posted, ""]


def test_status_text_indents_and_wraps_as_drbdsetup() -> None:
    view = resource("datos", "Primary", "UpToDate", connection("node2", "Connected", "Primary"))
    assert status_text([view], Options()) == (
        "datos role:Primary\n  disk:UpToDate\n  node2 role:Primary\n    peer-disk:UpToDate\n\n"
    )
    verbose = status_text([view], Options(verbose=1, statistics=True))
    assert max(len(line) for line in verbose.splitlines()) <= 80  # wrap_printf's 80 columns
    assert "\n      size:409600 read:0 written:0 al-writes:0" in verbose
    assert status_text([], Options()) == "# No currently configured DRBD found.\n"


def events2_lines(name: str, flags: str = "") -> list[str]:
    """The output of one command of a drbd-utils events2 test (minus "echo $?")."""
    lines, found = [], False
    for line in (FIXTURES / "events2" / f"events2-{name}.test").read_text().splitlines():
        if line.startswith("$ "):
            found = (
                line.split("| drbdsetup_events2_instrumented", 1)[1].split(";")[0].strip() == flags
            )
            continue
        if found and line not in ("0",):
            lines.append(line)
    return lines


def replay(steps: Sequence[ResourceView | None], flags: Flags) -> list[str]:
    """events2 lines for a resource going through `steps` (None: not there)."""
    known: set[str] = set()
    lines = ["exists -"]
    previous: dict[str, ResourceView] = {}
    for step in steps:
        current = {step.name: step} if step else {}
        lines += diff(previous, current, flags, known)
        previous = current
    return lines


def base(disk: str = "Diskless", state: str = "StandAlone", role: str = "Unknown") -> ResourceView:
    pd = peer("Off", "DUnknown") if state != "Connected" else peer()
    conn = ConnectionView(
        "some-peer",
        1,
        state,
        role,
        (pd,),
        (PathView("ipv4:1.2.3.4:7789", "ipv4:5.6.7.8:7790", False),),
    )
    device = DeviceView(0, 1000, disk, "/dev/sda" if disk != "Diskless" else "none", 409600)
    return ResourceView("some-resource", 0, "Secondary", (device,), (conn,))


def with_path(view: ResourceView, established: bool) -> ResourceView:
    c = view.connections[0]
    path = PathView(c.paths[0].local, c.paths[0].peer, established)
    conn = ConnectionView(c.name, c.peer_node_id, c.state, c.role, c.peer_devices, (path,))
    return ResourceView(view.name, view.node_id, view.role, view.devices, (conn,))


def test_events2_create_and_change_lines_are_drbd_utils_own() -> None:
    attached = base("UpToDate")
    connected = with_path(base("UpToDate", "Connected", "Secondary"), True)
    steps = [
        base(),
        attached,
        with_path(attached, True),
        ResourceView(
            connected.name,
            0,
            "Secondary",
            connected.devices,
            (
                ConnectionView(
                    "some-peer",
                    1,
                    "Connected",
                    "Secondary",
                    (peer("Off", "DUnknown"),),
                    connected.connections[0].paths,
                ),
            ),
        ),
        connected,
        ResourceView(connected.name, 0, "Primary", connected.devices, connected.connections),
    ]
    real = events2_lines("all-create-change")
    ours = replay(steps, Flags())
    assert ours == real


def keys(line: str) -> list[str]:
    return [word.split(":", 1)[0] for word in line.split()]


def test_events2_statistics_lines_have_drbd_utils_fields() -> None:
    real = events2_lines("all-create-change", "--statistics")
    ours = replay([base()], Flags(statistics=True))
    creates = [line for line in real if line.startswith("create")]
    assert [keys(line) for line in ours[1:]] == [keys(line) for line in creates]


def test_events2_resync_line_with_progress() -> None:
    sync = SyncDetails(total_sectors=8, done_sectors=3, dt_start_ms=1000, rate_kib=1)
    syncing = replace_peer(
        base("UpToDate", "Connected", "Secondary"), peer("SyncSource", "Inconsistent", 2, sync)
    )
    real = events2_lines("sync")
    ours = replay([base("UpToDate", "Connected", "Secondary"), syncing], Flags())
    assert ours[-1] == real[-1]
    stats_real = events2_lines("sync", "--statistics")[-1]
    ours_stats = replay(
        [base("UpToDate", "Connected", "Secondary"), syncing], Flags(statistics=True)
    )
    assert keys(ours_stats[-1]) == keys(stats_real)


def replace_peer(view: ResourceView, pd: PeerDeviceView) -> ResourceView:
    c = view.connections[0]
    conn = ConnectionView(c.name, c.peer_node_id, c.state, c.role, (pd,), c.paths)
    return ResourceView(view.name, view.node_id, view.role, view.devices, (conn,))


def test_events2_destroy_lines_are_drbd_utils_own() -> None:
    real = events2_lines("all-create-destroy")
    ours = replay([base(), None], Flags())
    assert ours == real


def test_events2_helper_line_is_drbd_utils_own() -> None:
    real = events2_lines("all-create-helper")
    views = {"some-resource": base()}
    call = {
        "resource": "some-resource",
        "peer": "some-peer",
        "kind": "call",
        "helper": "before-resync-target",
    }
    assert helper_line(call, views) == real[-2]
    assert helper_line({**call, "kind": "response"}, views) == real[-1].replace(
        " status:1", " status:0"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d ", timestamp())
