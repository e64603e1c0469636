"""The advisor's VM rules (hacore/advice/virt.py) on the book's chapter 11 configuration
(tests/fixtures/advice/book_ch11.*.xml), varied one fact at a time."""

from __future__ import annotations

import dataclasses

from hacore.advice import virt
from hacore.advice.model import Facts, NodeLibvirt
from hacore.advice.rules import advise
from tests.unit.test_advice_rules import BOOK_CIB, book, rules

LOCAL = "/etc/libvirt/qemu/ubuntu.xml"
SHARED = "/var/lib/libvirt/images/ubuntu.xml"
MIGRATE = '<nvpair id="ubuntu-meta-allow-migrate" name="allow-migrate" value="true"/>'


def test_the_books_vm_definition_on_the_shared_filesystem_is_fine() -> None:
    assert SHARED in BOOK_CIB
    assert list(virt.vm_config_not_shared(book())) == []
    assert list(virt.vm_without_live_migration(book())) == []


def test_a_vm_definition_off_the_cluster_filesystem_is_a_warning() -> None:
    (found,) = virt.vm_config_not_shared(book(BOOK_CIB.replace(SHARED, LOCAL)))
    assert found.severity.value == "warning"
    assert f"ubuntu's definition {LOCAL} is not on the cluster filesystem" in found.detail
    assert "/var/lib/libvirt/images (sharedFS-clone)" in found.detail
    assert [(o.kind, o.id) for o in found.objects] == [
        ("resource", "ubuntu"),
        ("resource", "sharedFS-clone"),
    ]
    assert "vm_config_not_shared" in rules(advise(book(BOOK_CIB.replace(SHARED, LOCAL))))


def test_no_cluster_filesystem_no_finding() -> None:
    plain = BOOK_CIB.replace('type="Filesystem"', 'type="Dummy"').replace(SHARED, LOCAL)
    assert list(virt.vm_config_not_shared(book(plain))) == []


def test_a_vm_on_dual_primary_drbd_without_allow_migrate_gets_the_fix() -> None:
    assert MIGRATE in BOOK_CIB
    (found,) = virt.vm_without_live_migration(book(BOOK_CIB.replace(MIGRATE, "")))
    assert found.rule == "vm_without_live_migration"
    assert "dual-primary DRBD (drbd_datos-clone)" in found.detail
    assert found.as_dict(3)["fix"] == {
        "method": "POST",
        "path": "/api/v1/clusters/3/resources/ubuntu/update/",
        "body": {"meta": {"allow-migrate": "true"}},
        "summary": "set allow-migrate=true on ubuntu",
        "permission": "administer",
    }


def test_single_primary_drbd_is_not_the_case() -> None:
    single = BOOK_CIB.replace(MIGRATE, "").replace(
        'name="promoted-max" value="2"', 'name="promoted-max" value="1"'
    )
    assert single != BOOK_CIB.replace(MIGRATE, "")
    assert list(virt.vm_without_live_migration(book(single))) == []


def with_libvirt(**nodes: NodeLibvirt) -> Facts:
    return dataclasses.replace(book(), libvirt=nodes, vm_domains={"ubuntu": "ubuntu"})


def test_a_cluster_vm_autostarted_by_libvirt_on_a_node_is_critical() -> None:
    fine = with_libvirt(
        node1=NodeLibvirt(frozenset({"other"}), False), node2=NodeLibvirt(frozenset(), False)
    )
    assert list(virt.vm_autostart(fine)) == []  # "other" is no cluster VM
    marked = with_libvirt(
        node1=NodeLibvirt(frozenset(), False), node2=NodeLibvirt(frozenset({"ubuntu"}), False)
    )
    (found,) = virt.vm_autostart(marked)
    assert found.severity.value == "critical"
    assert "libvirt on node2 starts ubuntu (ubuntu) by itself at boot" in found.detail
    assert "virsh autostart --disable ubuntu" in found.detail
    assert [(o.kind, o.id) for o in found.objects] == [("resource", "ubuntu"), ("node", "node2")]
    assert "vm_autostart" in rules(advise(marked))


def test_libvirt_guests_enabled_where_vms_run_is_critical_and_unknown_says_nothing() -> None:
    facts = with_libvirt(
        node1=NodeLibvirt(frozenset(), True),
        node2=NodeLibvirt(frozenset(), None),  # systemctl's answer was not understood
        node3=NodeLibvirt(frozenset(), False),
    )
    (found,) = virt.libvirt_guests_enabled(facts)
    assert (found.severity.value, [o.id for o in found.objects]) == ("critical", ["node1"])
    assert "systemctl disable libvirt-guests" in found.detail
    # libvirt not read at all (the advisor could not ask): nothing claimed either way
    assert list(virt.libvirt_guests_enabled(dataclasses.replace(facts, libvirt=None))) == []
    assert list(virt.vm_autostart(dataclasses.replace(facts, libvirt=None))) == []
    # no VM in the cluster: libvirt-guests is none of Pacemaker's business
    assert list(virt.libvirt_guests_enabled(dataclasses.replace(facts, vm_domains={}))) == []


def test_a_vm_definition_missing_where_libvirt_runs_is_critical() -> None:
    there = NodeLibvirt(frozenset(), False)
    assert list(virt.vm_config_missing(with_libvirt(node1=there, node2=there))) == []
    lacking = NodeLibvirt(frozenset(), False, frozenset({SHARED}))
    (found,) = virt.vm_config_missing(with_libvirt(node1=there, node2=lacking, node3=lacking))
    assert found.severity.value == "critical"
    assert f"{SHARED} is missing on node2, node3" in found.detail
    assert [o.id for o in found.objects] == ["ubuntu", "node2", "node3"]
