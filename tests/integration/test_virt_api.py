"""GET /api/v1/clusters/<id>/vms/ and /drbd/ on a scripted cluster (the book's chapter 11
on three nodes): one recorded read of the VM resources and their domain names, then
virsh or drbdsetup on every node at once; a node that cannot be read is in the answer
with its reason; a domain running where Pacemaker does not place it is a double run."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from clusters.mirror import apply_status
from clusters.models import Cluster
from hacore.pacemaker.status import parse_crm_mon
from hacore.runner import HostKey
from operations.engine import use_runner
from operations.models import Operation
from tests.scripted import ScriptedRunner, expect, fixture
from tests.unit.test_libvirt_info import BLKLIST, DOMINFO
from tests.unit.test_virt_parsers import REAL, resync

pytestmark = pytest.mark.django_db
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
CIB = fixture("advice/book_ch11.cib.xml")
MON = fixture("advice/book_ch11.crm_mon.xml")  # ubuntu Started on node3
N1, N2, N3 = "198.51.100.11", "198.51.100.12", "198.51.100.13"
CONFIG = "/var/lib/libvirt/images/ubuntu.xml"
LIST = ("virsh", "--connect", "qemu:///system", "list", "--all")
STATUS = ("drbdsetup", "status", "--json", "--verbose", "--statistics")


def table(*rows: str) -> str:
    return " Id   Name     State\n-------------------------\n" + "".join(f" {r}\n" for r in rows)


@pytest.fixture
def book(cluster: Cluster) -> Iterator[ScriptedRunner]:
    """The cluster as the book's, every key pinned, its status mirrored."""
    for node in cluster.nodes.all():
        node.pin(HostKey.parse(KEY))
        node.save()
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    runner = ScriptedRunner()
    with use_runner(lambda: runner):
        yield runner
    runner.assert_done()


def script_vm_reads(runner: ScriptedRunner) -> None:
    runner.script(
        N1,
        expect("cibadmin", "--query", out=CIB),
        expect("crm_mon", "--one-shot", "--inactive", "--output-as=xml", out=MON),
        expect("cat", "--", CONFIG, out="<domain type='qemu'><name>ubuntu</name></domain>"),
    )


def test_vms_with_libvirts_state_on_every_node(
    api: APIClient, cluster: Cluster, book: ScriptedRunner
) -> None:
    script_vm_reads(book)
    book.script(N1, expect(*LIST, out=table("-    ubuntu   shut off")))
    book.script(N2, expect(*LIST, err="error: failed to connect to the hypervisor", status=1))
    book.script(N3, expect(*LIST, out=table("4    ubuntu   running")))
    answer = api.get(f"/api/v1/clusters/{cluster.pk}/vms/")
    assert answer.status_code == 200, answer.content
    (vm,) = answer.json()["vms"]
    assert (vm["name"], vm["resource"], vm["node"], vm["role"]) == (
        "ubuntu",
        "ubuntu",
        "node3",
        "Started",
    )
    assert vm["domains"] == {"node1": "shut off", "node3": "running"}
    assert vm["read_errors"] == {
        "node2": "virsh failed: error: failed to connect to the hypervisor"
    }
    assert (vm["double_run"], vm["allow_migrate"]) == (False, True)
    assert vm["placement_read_at"]
    reads = Operation.objects.filter(cluster=cluster, kind="read.vms").order_by("pk")
    assert [op.status for op in reads] == ["succeeded", "succeeded"]
    assert "<cib" not in reads[0].stdout, "the CIB (with the fence secrets) is kept by size"
    assert "node2: virsh failed" in reads[1].error
    script_vm_reads(book)
    for address in (N1, N2, N3):
        book.script(address, expect(*LIST, out=table()))
    one = api.get(f"/api/v1/clusters/{cluster.pk}/vms/nope/")
    assert one.status_code == 404
    assert one.json()["code"] == "not_found"


def test_a_domain_running_outside_pacemakers_placement_is_a_double_run(
    api: APIClient, cluster: Cluster, book: ScriptedRunner
) -> None:
    script_vm_reads(book)
    book.script(N1, expect(*LIST, out=table("7    ubuntu   running")))
    book.script(N2, expect(*LIST, out=table()))
    book.script(N3, expect(*LIST, out=table("4    ubuntu   running")))
    book.script(N3, expect(*virsh("dominfo"), status=1, err=NO_DOMAIN))
    vm = api.get(f"/api/v1/clusters/{cluster.pk}/vms/ubuntu/").json()
    assert vm["double_run"] is True
    assert vm["running_outside_pacemaker"] == ["node1"]
    assert vm["domains"] == {"node1": "running", "node2": None, "node3": "running"}
    # libvirt's description failed where Pacemaker runs it: virsh's words, no disk list
    details = vm["details"]
    assert (details["node"], "disks" in details) == ("node3", False)
    assert "virsh exited 1: error: failed to get domain 'ubuntu'" in details["error"]


def virsh(verb: str) -> tuple[str, ...]:
    flags = {"dominfo": (), "domstate": ("--reason",), "domblklist": ("--details",)}[verb]
    return ("virsh", "--connect", "qemu:///system", verb, *flags, "--domain", "ubuntu")


NO_DOMAIN = "error: failed to get domain 'ubuntu'"


def test_one_vm_has_libvirts_description_and_where_each_disk_lives(
    api: APIClient, cluster: Cluster, book: ScriptedRunner
) -> None:
    script_vm_reads(book)
    book.script(N1, expect(*LIST, out=table()))
    book.script(N2, expect(*LIST, out=table()))
    book.script(
        N3,
        expect(*LIST, out=table("4    ubuntu   running")),
        expect(*virsh("dominfo"), out=DOMINFO),
        expect(*virsh("domstate"), out="running (migrated)\n"),
        expect(*virsh("domblklist"), out=BLKLIST),
        expect(*STATUS, out=REAL),  # minor 2 is DRBD's 1-single-0, volume 0
    )
    details = api.get(f"/api/v1/clusters/{cluster.pk}/vms/ubuntu/").json()["details"]
    assert (details["node"], details["error"], details["state"], details["reason"]) == (
        "node3", "", "running", "migrated",
    )  # fmt: skip
    assert (details["vcpus"], details["max_memory_kib"], details["persistent"]) == (
        2, 2097152, False,
    )  # fmt: skip
    assert [(d["target"], d["storage"]) for d in details["disks"]] == [
        ("vda", {"kind": "filesystem", "resource": "sharedFS-clone",
                 "directory": "/var/lib/libvirt/images"}),
        ("vdb", {"kind": "drbd", "resource": "1-single-0", "volume": 0}),
        ("vdc", {"kind": "local"}),
        ("sda", {"kind": "none"}),
    ]  # fmt: skip
    read = Operation.objects.get(cluster=cluster, kind="read.vm")
    assert (read.node, read.status) == ("node3", "succeeded")


def test_drbd_per_node_and_volume(api: APIClient, cluster: Cluster, book: ScriptedRunner) -> None:
    book.script(N1, expect(*STATUS, out=REAL))
    book.script(N2, expect(*STATUS, out=resync()))
    book.node(N3).reachable = False
    answer = api.get(f"/api/v1/clusters/{cluster.pk}/drbd/")
    assert answer.status_code == 200, answer.content
    first = next(r for r in answer.json()["drbd"] if r["name"] == "1-single-0")
    assert set(first["nodes"]) == {"node1", "node2"}
    assert first["read_errors"]["node3"].startswith("not reachable")
    volume = first["nodes"]["node2"]["volumes"][0]
    for field in ("role", "disk_state", "connection_state", "replication_state", "out_of_sync"):
        assert field in volume
    assert (volume["replication_state"], volume["resync_percent"]) == ("SyncSource", 50.25)
    assert volume["out_of_sync"] == 524288 * 1024
    assert first["nodes"]["node1"]["volumes"][0]["resync_percent"] is None
    assert first["split_brain"] is False
    assert json.dumps(first)


def test_drbd_when_no_node_answers_is_an_error_not_nothing(
    api: APIClient, cluster: Cluster, book: ScriptedRunner
) -> None:
    for address in (N1, N2, N3):
        book.script(address, expect(*STATUS, err="drbdsetup: command not found", status=127))
    answer = api.get(f"/api/v1/clusters/{cluster.pk}/drbd/")
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "failed_on_cluster"
    for node in ("node1", "node2", "node3"):
        assert f"{node}: drbdsetup is not installed" in body["detail"]
    op = Operation.objects.get(cluster=cluster, kind="read.drbd")
    assert (op.status, body["operation"]) == ("failed", op.pk)


@pytest.mark.parametrize(
    "case",
    [  # start and stop staged on the CIB copy (pcs -f), a restart run live
        ("start", "stage", ["resource", "enable", "ubuntu"]),
        ("stop", "stage", ["resource", "disable", "ubuntu"]),
        ("restart", "live", ["pcs", "resource", "restart", "ubuntu"]),
    ],
)
def test_start_stop_and_restart_go_through_pacemaker(
    api: APIClient, cluster: Cluster, book: ScriptedRunner, case: tuple[str, str, list[str]]
) -> None:
    verb, where, argv = case
    book.script(  # the VM's resource and its domain, then the change is queued
        N1,
        expect("cibadmin", "--query", out=CIB),
        expect("cat", "--", CONFIG, out="<domain type='qemu'><name>ubuntu</name></domain>"),
    )
    answer = api.post(f"/api/v1/clusters/{cluster.pk}/vms/ubuntu/{verb}/")
    assert answer.status_code == 202, answer.content
    op = Operation.objects.get(pk=answer.json()["id"])
    assert (op.kind, op.target, op.summary) == (f"vm.{verb}", "ubuntu", f"{verb} VM ubuntu")
    assert op.change[where] == [argv]
    assert "virsh" not in json.dumps(op.change)


def test_a_vm_action_that_does_not_exist_is_refused_before_any_read(
    api: APIClient, cluster: Cluster, book: ScriptedRunner
) -> None:
    answer = api.post(f"/api/v1/clusters/{cluster.pk}/vms/ubuntu/virsh-start/")
    assert answer.status_code == 404
    assert not Operation.objects.exists()
