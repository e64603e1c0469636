"""The snapshot JSON, tiles, warnings and health colours."""

import dataclasses
import datetime
import json
from dataclasses import replace
from enum import Enum
from typing import Any

from hacore.pacemaker.snapshot import health, tile, to_snapshot, warnings
from hacore.pacemaker.status import parse_crm_mon
from tests.generators import large_crm_mon
from tests.statusfactory import failure, lab_like, node, primitive, status


def codes(snapshot: dict[str, object], **kw: object) -> list[str]:
    return [w["code"] for w in warnings(snapshot, **kw)]  # type: ignore[arg-type]


def test_snapshot_is_plain_json() -> None:
    snap = to_snapshot(lab_like(fence_history=()))
    assert json.loads(json.dumps(snap)) == snap
    assert snap["summary"]["dc"] == "node1"
    assert snap["resources"][1]["role"] == "Started"
    assert snap["nodes"][0]["attributes"] == {}


def asdict_form(value: Any) -> Any:
    """The snapshot as it was made before: dataclasses.asdict, then datetimes and enums
    converted (the reference the one-pass converter must equal)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [asdict_form(v) for v in value]
    if isinstance(value, dict):
        return {k: asdict_form(v) for k, v in value.items()}
    return value


def test_the_one_pass_snapshot_equals_the_asdict_form() -> None:
    for parsed in (lab_like(), parse_crm_mon(large_crm_mon())):
        expected = asdict_form(dataclasses.asdict(parsed))
        for n in expected["nodes"]:
            n["attributes"] = dict(n["attributes"])
        snap = to_snapshot(parsed)
        assert snap == expected
        assert json.loads(json.dumps(snap)) == snap
        assert type(snap["resources"][0]["role"]) is str  # an enum's value, not the enum


def test_tile_counts() -> None:
    snap = to_snapshot(
        lab_like(
            nodes=(node("node1"), node("node2"), node("node3", online=False)),
            failures=(failure("dummy1", "node2"),),
        )
    )
    assert tile(snap) == {
        "quorate": True,
        "dc": "node1",
        "nodes_online": 2,
        "nodes_total": 3,
        "resources_started": 3,
        "resources_total": 3,
        "failures": 1,
        "fencing": True,
        "maintenance": False,
    }


def test_healthy_cluster_is_green() -> None:
    snap = to_snapshot(lab_like())
    assert warnings(snap) == []
    assert health(warnings(snap), reachable=True) == "green"
    assert health([], reachable=False) == "red"


def test_critical_and_warning_conditions() -> None:
    bad = status(
        [node("node1"), node("node2", online=False), node("node3", unclean=True)],
        [primitive("dummy1", "node1", managed=False), primitive("dummy2", blocked=True)],
        quorate=False,
        stonith=False,
        failures=(failure("dummy1", "node1", "oops"),),
    )
    found = codes(to_snapshot(bad))
    assert found[:4] == ["no_quorum", "node_offline", "node_unclean", "fencing_disabled"]
    assert {"failed_action", "resource_unmanaged", "resource_blocked"} <= set(found)
    assert health(warnings(to_snapshot(bad)), True) == "red"


def test_no_fence_device() -> None:
    snap = to_snapshot(status([node("node1")], [primitive("dummy1", "node1")]))
    assert codes(snap) == ["no_fence_device"]


def test_maintenance_is_amber() -> None:
    snap = to_snapshot(
        replace(lab_like(), summary=replace(lab_like().summary, maintenance_mode=True))
    )
    assert codes(snap) == ["maintenance_mode"]
    assert health(warnings(snap), True) == "amber"


def test_standby_for_long() -> None:
    snap = to_snapshot(lab_like(nodes=(node("node1"), node("node2", standby=True), node("node3"))))
    now = datetime.datetime.now(datetime.UTC)
    assert codes(snap, standby_since={"node2": now}) == []
    old = now - datetime.timedelta(hours=30)
    assert codes(snap, standby_since={"node2": old}) == ["standby_long"]
