"""The snapshot diff over pairs of crm_mon outputs recorded on the lab (and two handmade
from them, marked so in the files): what an operator reads on the timeline when the
cluster goes from one state to the next."""

from __future__ import annotations

import pytest

from clusters.diff import diff
from hacore.pacemaker.snapshot import to_snapshot
from hacore.pacemaker.status import parse_crm_mon
from tests.scripted import fixture


def events(before: str, after: str) -> list[tuple[str, str, str]]:
    old, new = (to_snapshot(parse_crm_mon(fixture(f"crm_mon/{n}.xml"))) for n in (before, after))
    return [(c.kind.value, c.severity.value, c.message) for c in diff(old, new)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            "all_online",
            "standby",
            [
                ("node_standby", "info", "node2 in standby"),
                ("resource_moved", "info", "dummy1 moved from node2 to node3"),
            ],
        ),
        (
            "all_online",
            "node_lost",
            [
                ("node_lost", "critical", "node3 lost"),
                ("node_unclean", "critical", "node3 is unclean"),
            ],
        ),
        # The fencing has started but not ended: nobody may read "node3 fenced" yet.
        ("node_lost", "handmade_fence_pending", []),
        (
            "handmade_fence_pending",
            "fenced",
            [
                ("node_joined", "info", "node3 joined"),
                ("node_fenced", "critical", "node3 fenced (reboot) by node1"),
            ],
        ),
        ("all_online", "maintenance", [("node_maintenance", "info", "node3 in maintenance")]),
        # A clone instance leaves node3: the clone's other instances stay where they are.
        (
            "cloned",
            "handmade_clone_shrunk",
            [("resource_stopped", "info", "ping_like stopped on node3")],
        ),
        (
            "handmade_clone_shrunk",
            "cloned",
            [("resource_started", "info", "ping_like started on node3")],
        ),
        (
            "all_online",
            "no_quorum",
            [
                ("quorum_lost", "critical", "quorum lost"),
                ("dc_changed", "info", "DC changed from node2 to node1"),
                ("node_lost", "critical", "node2 lost"),
                ("node_unclean", "critical", "node2 is unclean"),
                ("node_lost", "critical", "node3 lost"),
                ("node_unclean", "critical", "node3 is unclean"),
                ("resource_stopped", "info", "lab-fence stopped on node1"),
            ],
        ),
    ],
)
def test_recorded_transitions(
    before: str, after: str, expected: list[tuple[str, str, str]]
) -> None:
    assert events(before, after) == expected


@pytest.mark.parametrize(
    "name", ["all_online", "cloned", "fenced", "group_promotable", "handmade_fence_pending"]
)
def test_a_state_against_itself_is_no_event(name: str) -> None:
    assert events(name, name) == []


def test_a_completed_fencing_is_reported_once() -> None:
    assert events("fenced", "fenced") == []
    assert [e[0] for e in events("node_lost", "fenced")].count("node_fenced") == 1
