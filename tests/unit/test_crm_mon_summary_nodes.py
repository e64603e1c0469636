"""<summary> and <nodes> (with <node_attributes>): recorded lab states and hand-made ones.

Fixtures: tests/fixtures/crm_mon (see tests/crmmon.py)."""

from __future__ import annotations

import datetime

import pytest

from hacore.pacemaker.model import ResourceKind, Role
from hacore.pacemaker.status import StatusUnreadable
from tests.crmmon import FIXTURES, UTC, load, rsc

RECORDED = sorted(
    p.stem for p in (FIXTURES / "crm_mon").glob("*.xml") if not p.stem.startswith("handmade")
)


def test_the_recorded_states_are_there() -> None:
    assert set(RECORDED) >= {
        "all_online",
        "standby",
        "failed_resource",
        "group_promotable",
        "cloned",
        "maintenance",
        "orphan",
        "pending",
        "node_lost",
        "fenced",
        "no_quorum",
    }


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_fixture_is_consistent(name: str) -> None:
    """What holds for every real crm_mon 2.1.5 output of the 3-node lab."""
    status = load(name)
    assert status.warnings == ()
    assert [n.name for n in status.nodes] == ["node1", "node2", "node3"]
    assert [n.node_id for n in status.nodes] == ["1", "2", "3"]
    assert {n.node_type for n in status.nodes} == {"member"}
    summary = status.summary
    assert summary.stack == "corosync"
    assert summary.dc_version == "2.1.5-a3f44794f94"
    assert summary.nodes_configured == 3
    assert (summary.stonith_enabled, summary.symmetric_cluster) == (True, True)
    assert (summary.no_quorum_policy, summary.maintenance_mode) == ("stop", False)
    assert summary.last_update is not None
    assert summary.last_change is not None
    assert summary.last_update.tzinfo is UTC
    assert summary.last_change <= summary.last_update
    assert [n.name for n in status.nodes if n.is_dc] == [status.dc]
    assert rsc(status, "lab-fence").agent == "stonith:fence_haconsole_lab"
    # resources_running counts the primitive instances crm_mon lists on the node
    for node in status.nodes:
        running = [r for r in status.all_resources() if not r.children and node.name in r.nodes]
        assert node.resources_running == len(running), node.name
    primitives = [r for r in status.all_resources() if r.kind is ResourceKind.PRIMITIVE]
    assert all(r.active == bool(r.nodes) for r in primitives)
    assert all(h.node in {"node1", "node2", "node3"} for h in status.history)


def test_all_online() -> None:
    status = load("all_online")
    assert (status.dc, status.quorate) == ("node2", True)
    assert all(n.online and n.expected_up and not n.standby for n in status.nodes)
    assert [(r.id, r.kind, r.role, r.nodes) for r in status.resources] == [
        ("lab-fence", ResourceKind.PRIMITIVE, Role.STARTED, ("node1",)),
        ("dummy1", ResourceKind.PRIMITIVE, Role.STARTED, ("node2",)),
        ("dummy2", ResourceKind.PRIMITIVE, Role.STARTED, ("node3",)),
    ]
    assert rsc(status, "dummy1").agent == "ocf:heartbeat:Dummy"
    summary = status.summary
    assert summary.last_update == datetime.datetime(2026, 11, 25, 16, 0, 58, tzinfo=UTC)
    assert summary.last_change == datetime.datetime(2026, 11, 25, 16, 0, 55, tzinfo=UTC)
    assert (summary.last_change_user, summary.last_change_client) == ("root", "cibadmin")
    assert summary.last_change_origin == "node1"
    assert (summary.resources_configured, summary.resources_disabled) == (3, 0)
    assert (status.failures, status.fence_history, status.tickets) == ((), (), ())
    monitor = [h for h in status.history if h.resource == "lab-fence" and h.task == "monitor"]
    assert [(h.node, h.call, h.interval_ms, h.rc, h.rc_text) for h in monitor] == [
        ("node1", 15, 60000, 0, "ok")
    ]
    assert (monitor[0].exec_time_ms, monitor[0].queue_time_ms) == (103, 2)
    assert monitor[0].last_rc_change == datetime.datetime(2026, 11, 25, 15, 59, 50, tzinfo=UTC)


def test_no_quorum() -> None:
    status = load("no_quorum")
    assert (status.dc, status.quorate) == ("node1", False)
    node1, node2, node3 = status.nodes
    assert (node1.online, node1.is_dc, node1.resources_running) == (True, True, 0)
    assert [(n.online, n.unclean) for n in (node2, node3)] == [(False, True), (False, True)]
    fence = rsc(status, "lab-fence")
    assert (fence.role, fence.active, fence.nodes) == (Role.STOPPED, False, ())
    # without quorum nobody is fenced: what ran on the lost nodes is still listed there
    assert {r.id: r.nodes for r in status.resources if r.active} == {
        "dummy1": ("node2",),
        "dummy2": ("node3",),
    }
    assert status.fence_history == ()


def test_standby_and_node_attributes() -> None:
    status = load("standby")
    node1, node2, node3 = status.nodes
    assert (node2.standby, node2.online, node2.resources_running) == (True, True, 0)
    assert not node1.standby
    assert not node3.standby
    assert node1.attributes == (("site", "paris"),)
    assert node3.attributes == (("rack", "r3"),)
    assert node2.attributes == ()  # crm_mon does not list the standby attribute
    assert {r.id: r.nodes for r in status.resources} == {
        "lab-fence": ("node1",),
        "dummy1": ("node3",),
        "dummy2": ("node3",),
    }


def test_node_lost_then_fenced() -> None:
    lost = load("node_lost")
    node3 = lost.node("node3")
    assert node3 is not None
    assert (node3.online, node3.unclean, node3.expected_up) == (False, True, True)
    assert rsc(lost, "dummy2").nodes == ("node3",)  # still believed there until fenced
    assert lost.fence_history == ()
    fenced = load("fenced")
    (event,) = fenced.fence_history
    assert (event.target, event.action, event.status) == ("node3", "reboot", "success")
    assert (event.delegate, event.origin) == ("node1", "node2")
    assert event.client == "pacemaker-controld.6464"
    assert event.completed == datetime.datetime(2026, 11, 25, 16, 2, 41, tzinfo=UTC)
    assert event.exit_reason is None
    assert all(n.online and not n.unclean for n in fenced.nodes)


def test_a_cluster_without_nodes_is_refused_not_empty() -> None:
    """What a cluster with no node configured looks like is a failed read, never a state:
    the console would otherwise show "0 nodes" where it knows nothing."""
    with pytest.raises(StatusUnreadable, match="crm_mon lists no node"):
        load("handmade_empty")
    assert [n.name for n in load("all_online").nodes] == ["node1", "node2", "node3"]
