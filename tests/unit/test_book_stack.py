"""The book's stack as a guided setup (hacore/book.py): the form checked, the pcs
commands (the book's orders and colocations plus the VM's forgotten one), and the book's
rules on real CIBs (the lab's plain one, the book's) and real `drbdadm dump-xml` outputs
(tests/fixtures/drbd/dump-xml)."""

from __future__ import annotations

from typing import Any

import pytest

from hacore.book import BookStack
from hacore.drbdconf import parse_dump_xml
from hacore.errors import InvalidInput
from hacore.pacemaker.cib import parse_cib
from tests.scripted import fixture

PLAIN = parse_cib(fixture("cib/all_online.xml"))  # the lab: node1-3, lab-fence, dummies
BOOK = parse_cib(fixture("advice/book_ch11.cib.xml"))
DATOS3 = parse_dump_xml(fixture("drbd/dump-xml/datos3/dump-xml-resource.xml"))
R0 = parse_dump_xml(fixture("drbd/dump-xml/volumes/dump-xml-resource.xml"))  # no two primaries


def form(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "drbd_resource": "datos",
        "nodes": ["node1", "node2"],
        "mount_point": "/home/datos",
        "vm": {"id": "ubuntu", "config": "/home/datos/xmls/ubuntu.xml"},
    }
    return {**body, **changes}


def test_the_commands_are_the_books_plus_the_vm_colocation() -> None:
    stack = BookStack.from_body(form())
    commands = [" ".join(c) for c in stack.commands(["node1", "node2", "node3"])]
    assert commands[0].startswith(
        "resource create drbd_datos ocf:linbit:drbd drbd_resource=datos op monitor"
    )
    assert "promotable promoted-max=2 promoted-node-max=1 clone-max=2" in commands[0]
    assert commands[1].startswith("resource create dlm ocf:pacemaker:controld")
    assert "resource create res_libvirtd systemd:libvirtd" in commands[4]
    assert "sharedFS ocf:heartbeat:Filesystem device=/dev/vg_datos/lv_datos" in commands[3]
    assert "directory=/home/datos fstype=gfs2" in commands[3]
    assert commands[5].startswith(
        "resource create ubuntu ocf:heartbeat:VirtualDomain config=/home/datos/xmls/ubuntu.xml"
    )
    assert commands[6:] == [
        "constraint order promote drbd_datos-clone then start dlm-clone",
        "constraint order start dlm-clone then start clvmd-clone",
        "constraint order start clvmd-clone then start sharedFS-clone",
        "constraint order start sharedFS-clone then start res_libvirtd-clone",
        "constraint order start res_libvirtd-clone then start ubuntu",
        "constraint colocation add dlm-clone with Promoted drbd_datos-clone INFINITY",
        "constraint colocation add clvmd-clone with dlm-clone INFINITY",
        "constraint colocation add sharedFS-clone with clvmd-clone INFINITY",
        "constraint colocation add res_libvirtd-clone with sharedFS-clone INFINITY",
        "constraint colocation add ubuntu with res_libvirtd-clone INFINITY",
        "constraint location drbd_datos-clone avoids node3",
    ]


def test_ids_agents_and_vm_parameters() -> None:
    vm = {"id": "ubuntu", "config": "/home/datos/u.xml", "params": {"force_stop": "true"}}
    stack = BookStack.from_body(
        form(ids={"dlm": "my_dlm"}, agents={"libvirtd": "lsb:libvirtd"}, fstype="ocfs2", vm=vm)
    )
    commands = [" ".join(c) for c in stack.commands(["node1", "node2"])]
    assert (
        "ubuntu ocf:heartbeat:VirtualDomain config=/home/datos/u.xml hypervisor=qemu:///system "
        "migration_transport=ssh force_stop=true meta allow-migrate=true" in commands[5]
    )
    assert "resource create my_dlm ocf:pacemaker:controld" in commands[1]
    assert "resource create res_libvirtd lsb:libvirtd" in commands[4]
    assert "fstype=ocfs2" in commands[3]
    assert not any("avoids" in c for c in commands)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"drbd_resource": "da tos"}, "drbd_resource"),
        ({"nodes": ["node1"]}, "two nodes"),
        ({"nodes": ["node1", "node1"]}, "two nodes"),
        ({"mount_point": "home"}, "mount_point"),
        ({"mount_point": "/home/../etc"}, "mount_point"),
        ({"vm": {"id": "ubuntu", "config": "/x;rm -rf /"}}, "vm.config"),
        ({"vm": {"id": "-x", "config": "/home/datos/x.xml"}}, "vm.id"),
        ({"agents": {"dlm": "stonith:fence_x"}}, "fence devices"),
        ({"agents": {"kernel": "ocf:x:y"}}, "keys among"),
        ({"ids": {"dlm": "ubuntu"}}, "must differ"),
        ({"fstype": "gfs2; reboot"}, "fstype"),
    ],
)
def test_bad_input_is_refused_by_name(changes: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        BookStack.from_body(form(**changes))


def test_the_lab_meets_the_books_rules() -> None:
    assert BookStack.from_body(form()).rules(PLAIN, DATOS3) == []


def test_the_books_rules_each_in_words() -> None:
    no_fencing = PLAIN.__class__(
        **{**PLAIN.__dict__, "crm_config": (("stonith-enabled", "false"),)}
    )
    problems = BookStack.from_body(
        form(
            drbd_resource="r0",
            nodes=["node1", "node9"],
            vm={"id": "ubuntu", "config": "/var/lib/libvirt/ubuntu.xml"},
        )
    ).rules(no_fencing, R0)
    assert problems == [
        "fencing must be on, with a fence device, before dual-primary DRBD runs "
        "(stonith-enabled is false or no fence device is configured)",
        "node9 is not a node of this cluster",
        "promoted-max=2 (dual-primary) needs allow-two-primaries yes in DRBD's r0 (net "
        "section); it is not set",
        "node1 is not a host of DRBD's r0",
        "node9 is not a host of DRBD's r0",
        "the VM's definition /var/lib/libvirt/ubuntu.xml is not on the shared filesystem "
        "(/home/datos): a node without it would start a second copy",
    ]
    assert BookStack.from_body(form()).rules(PLAIN, []) == ["DRBD has no resource datos configured"]


def test_a_cluster_that_has_the_stack_already_is_told_so() -> None:
    stack = BookStack.from_body(form(nodes=["node1", "node2"]))
    problems = stack.rules(BOOK, DATOS3)
    assert problems[-1] == (
        "resources already configured: clvmd, dlm, drbd_datos, res_libvirtd, sharedFS, ubuntu"
    )
