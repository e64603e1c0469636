"""The live-migration pre-check's judgements (hacore.migration) on the book's chapter 11
cluster (its CIB and crm_mon, tests/fixtures/advice), varied one fact at a time."""

from __future__ import annotations

import json

from hacore import migration as m
from hacore.drbd import parse_status_json
from hacore.libvirt import VmConfig, virtual_domains
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.constraints import parse_constraints
from hacore.pacemaker.model import ClusterStatus
from hacore.pacemaker.simulate import PlannedAction
from hacore.pacemaker.status import parse_crm_mon
from tests.scripted import fixture

CIB = fixture("advice/book_ch11.cib.xml")
MON = fixture("advice/book_ch11.crm_mon.xml")  # clones on node1/node2, ubuntu on node3
DRBD = fixture("drbd/ha_cluster_exporter-drbdsetup-status.json")  # 1-single-0, Secondary
NODE1 = '<node name="node1" id="1" online="true" standby="false"'


def vm() -> VmConfig:
    (found,) = virtual_domains(parse_cib(CIB))
    return found


def status(mon: str = MON) -> ClusterStatus:
    return parse_crm_mon(mon)


def codes(blockers: list[m.Blocker]) -> list[str]:
    return [b.code for b in blockers]


def test_what_the_vm_needs_is_followed_through_colocations_and_orders() -> None:
    needed = m.dependencies("ubuntu", parse_constraints(CIB))
    assert needed == {
        "res_libvirtd-clone": "",
        "sharedFS-clone": "",
        "clvmd-clone": "",
        "dlm-clone": "",
        "drbd_datos-clone": "Promoted",
    }
    assert m.drbd_resources(parse_cib(CIB), list(needed)) == ["datos"]
    assert m.libvirtd_clones(parse_cib(CIB)) == ["res_libvirtd-clone"]


def test_a_node_running_the_whole_stack_has_no_placement_blocker() -> None:
    cib, constraints = parse_cib(CIB), parse_constraints(CIB)
    for node in ("node1", "node2"):
        assert m.vm_blockers(vm(), node, status()) == []
        assert m.node_blockers(node, status()) == []
        assert m.dependency_blockers(vm(), node, cib, constraints, status()) == []
        assert m.constraint_blockers(vm(), node, constraints) == []


def test_the_node_without_the_stack_is_blocked_with_every_missing_layer() -> None:
    found = m.dependency_blockers(vm(), "node3", parse_cib(CIB), parse_constraints(CIB), status())
    assert [b.reason for b in found] == [
        "res_libvirtd-clone (systemd:libvirtd) is not running on node3",
        "sharedFS-clone (ocf:heartbeat:Filesystem) is not running on node3",
        "clvmd-clone (ocf:heartbeat:clvm) is not running on node3",
        "dlm-clone (ocf:pacemaker:controld) is not running on node3",
        "drbd_datos-clone (ocf:linbit:drbd) is not running Promoted on node3",
    ]
    assert codes(m.vm_blockers(vm(), "node3", status())) == ["same_node"]


def test_standby_maintenance_offline_and_unknown_nodes() -> None:
    standby = MON.replace(NODE1, NODE1.replace('standby="false"', 'standby="true"'))
    assert [b.reason for b in m.node_blockers("node1", status(standby))] == [
        "node1 is in standby: it runs no resources"
    ]
    offline = MON.replace(NODE1, NODE1.replace('online="true"', 'online="false"'))
    assert codes(m.node_blockers("node1", status(offline))) == ["node_offline"]
    assert codes(m.node_blockers("node9", status())) == ["unknown_node"]


def test_allow_migrate_off_and_a_stopped_vm() -> None:
    off = VmConfig("ubuntu", "/x.xml", "qemu:///system", "", allow_migrate=False)
    assert codes(m.vm_blockers(off, "node1", status())) == ["migration_not_allowed"]
    running = MON[MON.index('<resource id="ubuntu"') : MON.index("</resources>")]
    stopped = MON.replace(
        running,
        '<resource id="ubuntu" resource_agent="ocf:heartbeat:VirtualDomain" role="Stopped" '
        'active="false" orphaned="false" blocked="false" managed="true" failed="false" '
        'failure_ignored="false" nodes_running_on="0"/>',
    )
    assert "vm_not_running" in codes(m.vm_blockers(vm(), "node1", status(stopped)))


def test_a_ban_on_the_target_is_a_blocker() -> None:
    banned = CIB.replace(
        "<constraints>",
        '<constraints><rsc_location id="cli-ban-ubuntu-on-node2" rsc="ubuntu" '
        'role="Started" node="node2" score="-INFINITY"/>',
    )
    found = m.constraint_blockers(vm(), "node2", parse_constraints(banned))
    assert [b.reason for b in found] == [
        "location constraint cli-ban-ubuntu-on-node2 keeps ubuntu off node2 (score -INFINITY)"
    ]
    assert m.constraint_blockers(vm(), "node1", parse_constraints(banned)) == []


def test_drbd_on_the_target_must_be_up_uptodate_and_primary() -> None:
    states = parse_status_json(DRBD)
    assert codes(m.storage_blockers("node2", ["datos"], states)) == ["drbd_down"]
    assert codes(m.storage_blockers("node2", ["1-single-0"], states)) == ["drbd_not_primary"]
    data = json.loads(DRBD)
    data[0]["role"] = "Primary"
    data[0]["devices"][0]["disk-state"] = "Inconsistent"
    found = m.storage_blockers("node2", ["1-single-0"], parse_status_json(json.dumps(data)))
    assert [b.reason for b in found] == [
        "DRBD resource 1-single-0 is Inconsistent on node2, not UpToDate"
    ]


def test_the_simulation_must_show_a_migration_to_the_target() -> None:
    migrate = PlannedAction("migrate", "ubuntu", source="node1", dest="node2")
    assert m.simulation_blockers("ubuntu", "node2", (migrate,)) == []
    move = PlannedAction("move", "ubuntu", source="node1", dest="node2")
    (found,) = m.simulation_blockers("ubuntu", "node2", (move,))
    assert found.code == "no_live_migration"
    assert "move ubuntu node1 -> node2" in found.reason
    (nothing,) = m.simulation_blockers("ubuntu", "node2", ())
    assert "plans nothing for ubuntu" in nothing.reason


def test_a_disk_on_no_shared_storage_blocks_and_a_drbd_disk_is_checked_on_the_target() -> None:
    from hacore.libvirt_info import Disk, place_disk  # noqa: PLC0415

    devices = {"/dev/drbd1": ("vmdata", 0)}
    shared = {"images-clone": "/images"}
    disks = [
        place_disk(Disk("file", "disk", "vda", "/images/vm.qcow2"), shared, devices),
        place_disk(Disk("block", "disk", "vdb", "/dev/drbd1"), shared, devices),
        place_disk(Disk("file", "disk", "vdc", "/srv/scratch.qcow2"), shared, devices),
        place_disk(Disk("file", "cdrom", "sda", "/srv/install.iso"), shared, devices),
        place_disk(Disk("file", "cdrom", "sdb", None), shared, devices),
    ]
    scratch, iso = m.disk_blockers("node2", disks)
    assert (scratch.code, iso.code) == ("disk_not_shared", "disk_not_shared")
    assert scratch.reason.startswith(
        "disk vdc (/srv/scratch.qcow2) is on neither a DRBD device nor a cluster filesystem: "
        "node2 cannot reach it"
    )
    assert iso.reason.endswith("node2 must have the image at the same path: eject it or share it")
    assert m.disk_drbd(disks) == ["vmdata"]
