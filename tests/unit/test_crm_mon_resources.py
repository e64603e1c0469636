"""<resources>: primitives, groups, clones, bundles, their flags and roles.

Fixtures: tests/fixtures/crm_mon (see tests/crmmon.py)."""

from __future__ import annotations

from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.model import ClusterStatus, ResourceKind, Role
from hacore.pacemaker.status import parse_crm_mon
from tests.crmmon import FIXTURES, crm_mon_doc, instances, load, rsc, scheduler


def test_group_promotable_and_disabled() -> None:
    status = load("group_promotable")
    group = rsc(status, "web")
    assert (group.kind, group.role, group.active, group.nodes) == (
        ResourceKind.GROUP,
        Role.STARTED,
        True,
        ("node1",),
    )
    assert [(m.id, m.nodes) for m in group.children] == [
        ("web_ip", ("node1",)),
        ("web_server", ("node1",)),
    ]
    clone = rsc(status, "stateful-clone")
    assert (clone.kind, clone.promotable, clone.unique, clone.role) == (
        ResourceKind.CLONE,
        True,
        False,
        Role.PROMOTED,
    )
    assert [(c.id, c.role, c.nodes) for c in clone.children] == [
        ("stateful", Role.PROMOTED, ("node3",)),
        ("stateful", Role.UNPROMOTED, ("node1",)),
        ("stateful", Role.UNPROMOTED, ("node2",)),
    ]
    assert clone.nodes == ("node3", "node1", "node2")
    spare = rsc(status, "spare")
    assert (spare.disabled, spare.target_role, spare.role, spare.active) == (
        True,
        "Stopped",
        Role.STOPPED,
        False,
    )
    assert (status.summary.resources_configured, status.summary.resources_disabled) == (9, 1)
    assert [n.attributes for n in status.nodes] == [
        (("master-stateful", "5"),),
        (("master-stateful", "5"),),
        (("master-stateful", "10"),),
    ]
    promote = [h for h in status.history if h.task == "promote"]
    assert [(h.node, h.resource, h.rc) for h in promote] == [("node3", "stateful", 0)]


def test_clones_anonymous_of_group_and_unique() -> None:
    status = load("cloned")
    assert [r.id for r in status.resources] == [
        "lab-fence",
        "dummy1",
        "dummy2",
        "ping_like-clone",
        "cgrp-clone",
        "uniq-clone",
    ]
    anonymous = rsc(status, "ping_like-clone")
    assert (anonymous.kind, anonymous.promotable, anonymous.unique) == (
        ResourceKind.CLONE,
        False,
        False,
    )
    assert [c.id for c in anonymous.children] == ["ping_like"] * 3
    assert [c.nodes for c in anonymous.children] == [("node3",), ("node1",), ("node2",)]
    assert (anonymous.role, anonymous.active, anonymous.nodes) == (
        Role.STARTED,
        True,
        ("node3", "node1", "node2"),
    )
    groups = rsc(status, "cgrp-clone").children
    assert [(g.id, g.kind, g.nodes) for g in groups] == [
        ("cgrp:0", ResourceKind.GROUP, ("node3",)),
        ("cgrp:1", ResourceKind.GROUP, ("node1",)),
        ("cgrp:2", ResourceKind.GROUP, ("node2",)),
    ]
    assert all([m.id for m in g.children] == ["cg_a", "cg_b"] for g in groups)
    unique = rsc(status, "uniq-clone")
    assert unique.unique
    assert [(c.id, c.role, c.active) for c in unique.children] == [
        ("uniq:0", Role.STARTED, True),
        ("uniq:1", Role.STARTED, True),
        ("uniq:2", Role.STARTED, True),
        ("uniq:3", Role.STOPPED, False),
    ]
    assert (unique.role, unique.nodes) == (Role.STARTED, ("node1", "node2", "node3"))
    assert status.summary.resources_configured == 16
    assert [n.resources_running for n in status.nodes] == [5, 5, 5]


def test_maintenance_unmanaged_disabled() -> None:
    status = load("maintenance")
    node3 = status.node("node3")
    assert node3 is not None
    assert (node3.maintenance, node3.online, node3.attributes) == (
        True,
        True,
        (("maintenance", "on"),),
    )
    dummy1, dummy2 = rsc(status, "dummy1"), rsc(status, "dummy2")
    assert (dummy1.managed, dummy1.disabled, dummy1.role) == (False, False, Role.STARTED)
    # disabled but still running: unmanaged on a node in maintenance
    assert (dummy2.managed, dummy2.disabled, dummy2.target_role) == (False, True, "Stopped")
    assert (dummy2.active, dummy2.nodes) == (True, ("node3",))
    assert status.summary.resources_disabled == 1


def test_orphan() -> None:
    status = load("orphan")
    orphan = rsc(status, "dummy2")
    assert (orphan.orphaned, orphan.managed, orphan.active, orphan.nodes) == (
        True,
        False,
        True,
        ("node3",),
    )
    assert [r.id for r in status.resources if not r.orphaned] == ["lab-fence", "dummy1"]
    cib = parse_cib((FIXTURES / "cib" / "orphan.xml").read_bytes())
    assert cib.resource("dummy2") is None
    assert cib.option("stop-orphan-resources") == "false"


def test_pending_start() -> None:
    status = load("pending")
    slow = rsc(status, "slow")
    assert (slow.role, slow.active, slow.nodes, slow.pending) == (
        Role.STARTING,
        True,
        ("node1",),
        None,
    )
    assert slow.agent == "ocf:pacemaker:Dummy"
    (start,) = [h for h in status.history if h.resource == "slow"]
    assert (start.task, start.call, start.rc, start.rc_text) == ("start", -1, 193, "unknown")


def test_bundle_replicas_are_group_children() -> None:
    status = load("handmade_bundle")
    bundle = rsc(status, "httpd-bundle")
    assert bundle.kind is ResourceKind.BUNDLE
    assert [r.id for r in bundle.children] == ["httpd-bundle:0", "httpd-bundle:1", "httpd-bundle:2"]
    assert all(r.kind is ResourceKind.GROUP for r in bundle.children)
    replica0, replica1, replica2 = bundle.children
    assert [c.id for c in replica0.children] == [
        "httpd-bundle-ip-192.168.122.131",
        "httpd",
        "httpd-bundle-podman-0",
        "httpd-bundle-0",
    ]
    assert replica0.nodes == ("node1", "httpd-bundle-0")
    assert (replica0.active, replica0.role, replica0.failed) == (True, Role.STARTED, False)
    assert (replica1.failed, replica2.active, replica2.role) == (True, False, Role.STOPPED)
    assert (bundle.active, bundle.failed, bundle.role) == (True, True, Role.STARTED)
    assert bundle.nodes == ("node1", "httpd-bundle-0", "node2", "httpd-bundle-1")
    assert [r.agent for r in instances(status, "httpd")] == ["ocf:heartbeat:apache"] * 3
    guest = status.node("httpd-bundle-0")
    assert guest is not None
    assert (guest.node_type, guest.online, guest.expected_up) == ("remote", True, False)
    assert status.failures[0].resource == "httpd"
    assert status.failures[0].node == "httpd-bundle-1"
    assert status.history[0].fail_count == 1
    assert status.warnings == ()


def test_legacy_master_slave_roles() -> None:
    status = load("handmade_oddities")
    clone = rsc(status, "db-clone")
    assert (clone.promotable, clone.kind) == (True, ResourceKind.CLONE)
    assert [(c.role, c.nodes) for c in clone.children] == [
        (Role.PROMOTED, ("alpha",)),
        (Role.UNPROMOTED, ("beta",)),
    ]
    assert clone.role is Role.PROMOTED
    assert clone.target_role == "Master"  # configured value, as printed
    assert not clone.disabled


def test_orphans_disabled_and_failure_ignored() -> None:
    status = load("handmade_oddities")
    orphan = rsc(status, "old_orphan")
    assert (orphan.orphaned, orphan.managed, orphan.active) == (True, False, True)
    off = rsc(status, "off")
    assert (off.disabled, off.target_role, off.failure_ignored) == (True, "stopped", True)
    assert off.agent == "lsb:nginx"


# --- disabled: crm_mon's own flag, else Pacemaker's rule (issue 10 c) --------------------


def disabled_primitives(status: ClusterStatus) -> list[str]:
    """The ids of the disabled primitive instances (what crm_mon's summary counts)."""
    return [
        r.id
        for r in status.all_resources()
        if r.kind is ResourceKind.PRIMITIVE and r.disabled and (r.active or not r.orphaned)
    ]


def test_a_clone_crm_mon_says_is_enabled_is_not_disabled() -> None:
    """crm_mon prints a clone's target_role from its first instance when the clone has
    none: keystone has target-role Stopped, the clone does not (disabled="false")."""
    status = scheduler("complex_enforce_colo")
    clone = rsc(status, "keystone-clone")
    assert (clone.disabled, clone.target_role) == (False, "Stopped")
    assert [c.disabled for c in clone.children] == [True, True, True]
    assert len(disabled_primitives(status)) == status.summary.resources_disabled == 3


def test_a_clone_crm_mon_says_is_disabled_is_disabled() -> None:
    status = scheduler("bug-5014-CLONE-A-stop-B-started")
    assert (rsc(status, "clone1").disabled, rsc(status, "clone2").disabled) == (True, False)
    assert disabled_primitives(status) == ["ClusterIP"]
    assert status.summary.resources_disabled == 1


def test_unpromoted_disables_only_inside_a_promotable_clone() -> None:
    """Pacemaker's rule (pe__resource_is_disabled): target-role Stopped, or Unpromoted
    when the resource's top parent is promotable; crm_mon's summary counts by it."""
    status = scheduler("target-1")
    assert (rsc(status, "rsc_c001n02").target_role, rsc(status, "rsc_c001n02").disabled) == (
        "Unpromoted",
        False,
    )
    assert disabled_primitives(status) == ["rsc_c001n08"]
    assert status.summary.resources_disabled == 1
    instance = (
        '<resource id="st" resource_agent="ocf:pacemaker:Stateful" role="Unpromoted" '
        'target_role="{role}" active="false" orphaned="false" blocked="false" '
        'managed="true" failed="false" failure_ignored="false" nodes_running_on="0"/>'
    )
    for role, disabled in (("Unpromoted", True), ("Slave", True), ("Promoted", False)):
        clone = (
            '<clone id="st-clone" multi_state="true" unique="false" managed="true" '
            f'disabled="false" failed="false" failure_ignored="false">'
            f"{instance.format(role=role)}</clone>"
        )
        assert rsc(parse_crm_mon(crm_mon_doc(clone)), "st").disabled is disabled, role


def test_a_resource_crm_mon_counts_but_does_not_list_is_warned_about() -> None:
    """crm_mon 2.1.5 counts clvm-clone (blocked) in its summary, leaves it out of its list."""
    status = scheduler("stop-failure-no-fencing")
    assert status.summary.resources_configured == 9
    assert [r.id for r in status.resources] == ["dlm-clone", "ClusterIP"]
    assert status.warnings == ("crm_mon counts 9 resource instances but lists 5",)
    assert scheduler("bug-5014-CLONE-A-stop-B-started").warnings == ()
