"""What changed between two snapshots becomes timeline entries, in the order it happened."""

from dataclasses import replace

from clusters.diff import diff
from hacore.pacemaker.model import Role
from hacore.pacemaker.snapshot import to_snapshot
from tests.statusfactory import clone, failure, fence, lab_like, node, primitive, status


def kinds_and_messages(old: object, new: object) -> list[tuple[str, str]]:
    return [(c.kind.value, c.message) for c in diff(to_snapshot(old), to_snapshot(new))]  # type: ignore[arg-type]


def test_no_previous_snapshot_no_events() -> None:
    assert diff(None, to_snapshot(lab_like())) == []


def test_identical_snapshots_no_events() -> None:
    assert diff(to_snapshot(lab_like()), to_snapshot(lab_like())) == []


def test_node_crash_reads_lost_fenced_moved_in_order() -> None:
    before = lab_like()
    after = lab_like(
        nodes=(node("node1", is_dc=True), node("node2"), node("node3", online=False)),
        resources=(
            primitive("lab-fence", "node1", agent="stonith:fence_haconsole_lab"),
            primitive("dummy1", "node2"),
            primitive("dummy2", "node2"),
        ),
        fence_history=(fence("node3"),),
    )
    assert kinds_and_messages(before, after) == [
        ("node_lost", "node3 lost"),
        ("node_fenced", "node3 fenced (reboot) by node1"),
        ("resource_moved", "dummy1 moved from node3 to node2"),
    ]
    severities = {
        c.kind.value: c.severity.value for c in diff(to_snapshot(before), to_snapshot(after))
    }
    assert severities["node_lost"] == "critical"
    assert severities["resource_moved"] == "info"


def test_node_back() -> None:
    down = lab_like(nodes=(node("node1"), node("node2"), node("node3", online=False)))
    assert kinds_and_messages(down, lab_like()) == [("node_joined", "node3 joined")]


def test_standby_and_maintenance_flips() -> None:
    standby = lab_like(
        nodes=(
            node("node1", is_dc=True),
            node("node2", standby=True),
            node("node3", maintenance=True),
        )
    )
    assert kinds_and_messages(lab_like(), standby) == [
        ("node_standby", "node2 in standby"),
        ("node_maintenance", "node3 in maintenance"),
    ]
    assert kinds_and_messages(standby, lab_like()) == [
        ("node_unstandby", "node2 out of standby"),
        ("node_unmaintenance", "node3 out of maintenance"),
    ]


def test_unclean_node() -> None:
    after = lab_like(
        nodes=(node("node1"), node("node2"), node("node3", online=False, unclean=True))
    )
    assert kinds_and_messages(lab_like(), after) == [
        ("node_lost", "node3 lost"),
        ("node_unclean", "node3 is unclean"),
    ]


def test_quorum_and_dc() -> None:
    lost = replace(lab_like(), summary=replace(lab_like().summary, quorate=False, dc="node2"))
    assert kinds_and_messages(lab_like(), lost) == [
        ("quorum_lost", "quorum lost"),
        ("dc_changed", "DC changed from node1 to node2"),
    ]
    assert ("quorum_regained", "quorum regained") in kinds_and_messages(lost, lab_like())


def test_start_stop() -> None:
    stopped = lab_like(
        resources=(
            primitive("lab-fence", "node1", agent="stonith:x"),
            primitive("dummy1"),
            primitive("dummy2", "node2"),
        )
    )
    assert kinds_and_messages(lab_like(), stopped) == [
        ("resource_stopped", "dummy1 stopped on node3")
    ]
    assert kinds_and_messages(stopped, lab_like()) == [
        ("resource_started", "dummy1 started on node3")
    ]


def test_promotion_and_clone_instances() -> None:
    nodes = [node("node1"), node("node2"), node("node3")]
    before = status(
        nodes, [clone("drbd-clone", "drbd", {"node1": Role.PROMOTED, "node2": Role.UNPROMOTED})]
    )
    after = status(
        nodes,
        [
            clone(
                "drbd-clone",
                "drbd",
                {"node1": Role.UNPROMOTED, "node2": Role.PROMOTED, "node3": Role.UNPROMOTED},
            )
        ],
    )
    assert sorted(kinds_and_messages(before, after)) == [
        ("resource_demoted", "drbd demoted on node1"),
        ("resource_promoted", "drbd promoted on node2"),
        ("resource_started", "drbd started on node3"),
    ]


def test_new_failure_and_failed_fencing() -> None:
    after = lab_like(
        failures=(failure("dummy1", "node3", "simulated"),),
        fence_history=(fence("node2", status="failed"),),
    )
    assert kinds_and_messages(lab_like(), after) == [
        ("fencing_failed", "fencing node2 (reboot) failed by node1: failed"),
        ("resource_failed", "dummy1_monitor_10000 failed on node3 (not running): simulated"),
    ]
    # the same failure seen again is not a new event
    assert kinds_and_messages(after, after) == []
