"""The advisor's DRBD rules (hacore/advice/drbd.py) and the resync stall tracker
(hacore/drbd_resync.py), on drbdsetup status --json outputs made for each case."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

from hacore.advice import drbd
from hacore.advice.rules import advise
from hacore.drbd import DrbdState, parse_status_json
from hacore.drbd_resync import ResyncProgress
from hacore.drbdconf import DrbdConfig, parse_dump_xml
from tests.unit.test_advice_rules import book, rules

T0 = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)


def state(
    *,
    role: str = "Primary",
    disk: str = "UpToDate",
    peer: str = "node2",
    connection: str = "Connected",
    peer_role: str = "Primary",
    peer_disk: str = "UpToDate",
    replication: str = "Established",
    out_of_sync: int = 0,
    percent: float | None = None,
) -> tuple[DrbdState, ...]:
    """One node's drbdsetup status --json of `datos`, as parsed."""
    device: dict[str, Any] = {
        "volume": 0, "replication-state": replication, "peer-disk-state": peer_disk,
        "out-of-sync": out_of_sync,
    }  # fmt: skip
    if percent is not None:
        device |= {"has-sync-details": True, "percent-resync-done": percent}
    text = json.dumps([{
        "name": "datos", "role": role, "suspended": False,
        "devices": [{"volume": 0, "minor": 1, "disk-state": disk, "size": 1024}],
        "connections": [{"name": peer, "peer-node-id": 1, "connection-state": connection,
                         "peer-role": peer_role, "peer_devices": [device]}],
    }])  # fmt: skip
    return tuple(parse_status_json(text))


AGREED = {"node1": state(), "node2": state(peer="node1")}


def test_two_nodes_that_agree_are_fine() -> None:
    assert drbd.disagreements(AGREED) == {}
    assert list(drbd.drbd_peers_disagree(dataclasses.replace(book(), drbd=(AGREED,)))) == []


def test_each_kind_of_disagreement_is_named() -> None:
    disk = {**AGREED, "node2": state(disk="Outdated", peer="node1")}
    assert drbd.disagreements(disk) == {
        (
            "datos",
            "node1",
            "node2",
        ): "node1 sees node2's disk (volume 0) UpToDate, node2 says Outdated"
    }
    role = {**AGREED, "node2": state(role="Secondary", peer="node1")}
    assert drbd.disagreements(role)[("datos", "node1", "node2")] == (
        "node1 sees node2 Primary, node2 says it is Secondary"
    )
    link = {**AGREED, "node2": state(peer="node1", connection="StandAlone", peer_role="Unknown")}
    assert drbd.disagreements(link) == {
        (
            "datos",
            "node1",
            "node2",
        ): "node1 calls its connection to node2 Connected, node2 says StandAlone"
    }


def test_a_node_not_read_or_not_connected_is_not_judged() -> None:
    assert drbd.disagreements({"node1": state()}) == {}
    apart = {
        "node1": state(connection="Connecting", peer_role="Unknown", peer_disk="DUnknown"),
        "node2": state(peer="node1", connection="StandAlone", peer_role="Unknown"),
    }
    assert drbd.disagreements(apart) == {}


def test_only_a_disagreement_seen_in_every_read_is_a_finding() -> None:
    disk = {**AGREED, "node2": state(disk="Outdated", peer="node1")}
    passing = dataclasses.replace(book(), drbd=(disk, AGREED))
    assert list(drbd.drbd_peers_disagree(passing)) == []
    lasting = dataclasses.replace(book(), drbd=(disk, disk))
    (found,) = drbd.drbd_peers_disagree(lasting)
    assert found.severity.value == "warning"
    assert found.detail.startswith("DRBD datos: node1 sees node2's disk (volume 0) UpToDate")
    assert [(o.kind, o.id) for o in found.objects] == [
        ("resource", "drbd_datos"), ("node", "node1"), ("node", "node2"),
    ]  # fmt: skip
    assert "drbd_peers_disagree" in rules(advise(lasting))


def syncing(
    out_of_sync: int, percent: float, replication: str = "SyncSource"
) -> tuple[DrbdState, ...]:
    return state(
        peer_disk="Inconsistent", replication=replication, out_of_sync=out_of_sync, percent=percent
    )


def test_a_resync_that_moves_is_not_stalled() -> None:
    progress = ResyncProgress(after=300)
    for step in range(10):
        now = T0 + datetime.timedelta(seconds=60 * step)
        progress.note("node1", syncing(1000 - step, 90 + step / 10), now)
        assert progress.stalled(now) == []


def test_a_resync_without_progress_for_the_time_is_stalled_and_forgotten_when_it_ends() -> None:
    progress = ResyncProgress(after=300)
    progress.note("node1", syncing(1000, 99.0), T0)
    progress.note("node1", syncing(1000, 99.0), T0 + datetime.timedelta(seconds=299))
    assert progress.stalled(T0 + datetime.timedelta(seconds=299)) == []
    later = T0 + datetime.timedelta(seconds=301)
    progress.note("node1", syncing(1000, 99.0), later)
    (alarm,) = progress.stalled(later)
    assert (alarm["resource"], alarm["nodes"], alarm["since"]) == (
        "datos", ["node1"], T0.isoformat(),
    )  # fmt: skip
    assert alarm["message"].startswith(
        "DRBD datos: the resync (node1-node2) has made no progress since "
        "2026-12-02 08:00:00 UTC at 99.0%"
    )
    progress.note("node1", state(), later)  # it ended
    assert progress.stalled(later) == []


def test_a_paused_resync_or_an_unread_node_is_no_stall() -> None:
    progress = ResyncProgress(after=300)
    progress.note("node1", syncing(1000, 50.0, replication="PausedSyncS"), T0)
    progress.note("node2", syncing(1000, 50.0), T0)
    progress.note("node2", None, T0 + datetime.timedelta(seconds=10))
    assert progress.stalled(T0 + datetime.timedelta(seconds=900)) == []


def test_the_watchs_stall_is_an_advisor_finding_on_the_primitive() -> None:
    stall = {"resource": "datos", "nodes": ["node1"], "since": T0.isoformat(), "message": "M"}
    facts = dataclasses.replace(book(), stalled_resyncs=(stall,))
    (found,) = drbd.drbd_resync_stalled(facts)
    assert (found.rule, found.severity.value, found.detail) == (
        "drbd_resync_stalled",
        "warning",
        "M",
    )
    assert [(o.kind, o.id) for o in found.objects] == [
        ("resource", "drbd_datos"),
        ("node", "node1"),
    ]


DUMPS = Path(__file__).resolve().parents[1] / "fixtures" / "drbd" / "dump-xml"


def configs(fixture: str, **changed: object) -> tuple[DrbdConfig, ...]:
    """The real drbdadm dump-xml of a fixture, renamed datos, fields changed."""
    (config,) = parse_dump_xml((DUMPS / fixture / "dump-xml-resource.xml").read_text())
    return (dataclasses.replace(config, **{"name": "datos", **changed}),)  # type: ignore[arg-type]


def test_two_promoted_copies_over_a_drbd_without_two_primaries_is_critical() -> None:
    assert configs("volumes")[0].allow_two_primaries is False  # the real one says "no"
    facts = dataclasses.replace(book(), drbd_config=configs("volumes"))
    (found,) = drbd.drbd_two_primaries_not_allowed(facts)
    assert (found.rule, found.severity.value) == ("drbd_two_primaries_not_allowed", "critical")
    assert found.detail.startswith("drbd_datos-clone allows 2 promoted instances (promoted-max=2)")
    assert found.fix is not None
    assert found.fix.body == {"meta": {"promoted-max": "1"}}
    allowed = dataclasses.replace(book(), drbd_config=configs("book2"))
    assert list(drbd.drbd_two_primaries_not_allowed(allowed)) == []
    unread = book()  # drbdadm could not be read: nothing is judged
    assert list(drbd.drbd_two_primaries_not_allowed(unread)) == []


def test_drbd_without_its_fencing_policy_while_pacemaker_fences_is_a_warning() -> None:
    assert configs("book2")[0].fencing == "dont-care"  # the book's config sets none
    facts = dataclasses.replace(book(), drbd_config=configs("book2"))
    (found,) = drbd.drbd_without_fencing_policy(facts)
    assert (found.rule, found.severity.value) == ("drbd_without_fencing_policy", "warning")
    assert "'fencing dont-care'" in found.detail
    assert [(o.kind, o.id) for o in found.objects] == [("resource", "drbd_datos")]
    assert "drbd_without_fencing_policy" in rules(advise(facts))
    kept = dataclasses.replace(book(), drbd_config=configs("book2", fencing="resource-and-stonith"))
    assert list(drbd.drbd_without_fencing_policy(kept)) == []
    other = dataclasses.replace(book(), drbd_config=configs("book2", name="other"))
    assert list(drbd.drbd_without_fencing_policy(other)) == []  # not one Pacemaker drives
