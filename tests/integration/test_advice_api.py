"""GET /api/v1/clusters/<id>/advice/ on a scripted cluster (the book's chapter 11 on three
nodes, tests/fixtures/advice): one recorded read, the rules, the fence path check with
the device's secrets on the agent's stdin only, the cache, and the count the pages and
the wall get."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters import advice_store
from clusters.mirror import cluster_message
from clusters.models import Cluster
from hacore.pacemaker.snapshot import to_snapshot
from hacore.pacemaker.status import parse_crm_mon
from hacore.runner import HostKey
from operations.engine import use_runner
from operations.models import Operation, OperationStatus
from tests.scripted import Expect, ScriptedRunner, expect, fixture

pytestmark = pytest.mark.django_db

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
CIB = fixture("advice/book_ch11.cib.xml")
MON = fixture("advice/book_ch11.crm_mon.xml")
CONFIG = "/var/lib/libvirt/images/ubuntu.xml"
AUTOSTART = ("virsh", "--connect", "qemu:///system", "list", "--all", "--autostart", "--name")
GUESTS = ("systemctl", "is-enabled", "libvirt-guests")
DRBD = ("drbdsetup", "status", "--json", "--verbose", "--statistics")
N1, N2, N3 = "198.51.100.11", "198.51.100.12", "198.51.100.13"
SECRETS = ("s3cret-bmc", "pdu-community", "vnc-s3cret")
DOMAIN = (
    "<domain type='kvm'><name>ubuntu</name>"
    "<devices><graphics type='vnc' passwd='vnc-s3cret'/></devices></domain>"
)  # a VM definition holds the VNC password: the audit keeps its size only
TWO = "2 fence devices found\n"


def metadata(agent: str, *params: str) -> str:
    listed = "".join(f'<parameter name="{p}"><content type="string"/></parameter>' for p in params)
    return f'<resource-agent name="{agent}"><parameters>{listed}</parameters></resource-agent>'


# drbdadm dump-xml datos: the book's rules kept (two primaries allowed, fencing on)
DATOS_CONFIG = (
    '<resource name="datos"><host name="node1"/><host name="node2"/><section name="net">'
    '<option name="protocol" value="C"/><option name="allow-two-primaries" value="yes"/>'
    '<option name="fencing" value="resource-and-stonith"/></section></resource>'
)


def reads() -> list[Expect]:
    """What the advisor reads on the first node before the fence paths."""
    return [
        expect("cibadmin", "--query", out=CIB),
        expect("crm_mon", "--one-shot", "--inactive", "--output-as=xml", out=MON),
        expect("corosync-cmapctl", "quorum.", out="quorum.provider (str) = corosync_votequorum\n"),
        expect(
            "stonith_admin",
            "--list",
            "node1",
            out="fence_node1\nfence_pdu\n2 fence devices found\n",
        ),
        expect(
            "stonith_admin",
            "--list",
            "node2",
            out="fence_node2\nfence_pdu\n2 fence devices found\n",
        ),
        expect("stonith_admin", "--list", "node3", out="fence_pdu\n1 fence device found\n"),
        expect("cat", "--", CONFIG, out=DOMAIN),
        *libvirt()[:-1],
        expect("drbdadm", "dump-xml", "datos", out=DATOS_CONFIG),
        libvirt()[-1],
    ]


def libvirt(
    autostart: str = "", guests: str = "disabled", config: str | None = DOMAIN
) -> list[Expect]:
    """What the advisor asks a node's libvirt: the domains it autostarts, libvirt-guests,
    the VM's definition (None: not there)."""
    missing = f"cat: {CONFIG}: No such file or directory"
    return [
        expect(*AUTOSTART, out=autostart),
        expect(*GUESTS, out=f"{guests}\n", status=0 if guests == "enabled" else 1),
        expect("cat", "--", CONFIG, out=config)
        if config is not None
        else expect("cat", "--", CONFIG, status=1, err=missing),
        expect(*DRBD, out="[]"),
    ]


def libvirt_on_peers(runner: ScriptedRunner, autostart: str = "", missing: bool = False) -> None:
    """The same on node2 (which autostarts `autostart`) and node3 (no libvirtd there)."""
    runner.script(N2, *libvirt(autostart, config=None if missing else DOMAIN))
    runner.script(
        N3,
        expect(*AUTOSTART, status=1, err="error: failed to connect to the hypervisor"),
        expect(*DRBD, out="[]"),
    )


IPMI = "ip={ip}\nusername=admin\npassword=s3cret-bmc\nlanplus=1\n"
PDU = "ip=192.0.2.50\ncommunity=pdu-community\n"


def ask(agent: str, node: str, plug: str, params: str, **answer: Any) -> Expect:
    stdin = f"action=status\nnodename={node}\nport={plug}\n{params}"
    return expect(f"/usr/sbin/{agent}", stdin=stdin, **answer)


def script_everything(runner: ScriptedRunner) -> None:
    """The reads, then each device asked for each node's plug from another node: the one
    where the device runs (its monitor) first."""
    libvirt_on_peers(runner)
    runner.script(
        N1,
        *reads(),
        expect("crm_resource", "--show-metadata", "stonith:fence_apc_snmp",
               out=metadata("fence_apc_snmp", "ip", "community", "port", "plug")),
        expect("crm_resource", "--show-metadata", "stonith:fence_ipmilan",
               out=metadata("fence_ipmilan", "ip", "username", "password", "lanplus")),
        ask("fence_ipmilan", "node2", "node2", IPMI.format(ip="192.0.2.102"), out="Status: ON"),
        ask("fence_apc_snmp", "node3", "3", PDU, status=1,
            err="Failed: SNMP community pdu-community refused by 192.0.2.50"),
    )  # fmt: skip
    runner.script(
        N2, ask("fence_ipmilan", "node1", "node1", IPMI.format(ip="192.0.2.101"), out="Status: ON")
    )
    runner.script(
        N3,
        ask("fence_apc_snmp", "node1", "1", PDU, out="Status: ON"),
        ask("fence_apc_snmp", "node2", "2", PDU, status=2, out="Status: OFF"),
    )


@pytest.fixture
def book(cluster: Cluster) -> Iterator[ScriptedRunner]:
    """The cluster as the book's: every node's key pinned, its status mirrored, no
    stored advice; its nodes answer through a scripted runner."""
    for node in cluster.nodes.all():
        node.pin(HostKey.parse(KEY))
        node.save()
    cluster.snapshot = to_snapshot(parse_crm_mon(MON))
    cluster.reachable = True
    cluster.save()
    stored = (advice_store.key(cluster.pk), f"{advice_store.key(cluster.pk)}:failed")
    advice_store.client().delete(*stored)
    runner = ScriptedRunner()
    with use_runner(lambda: runner):
        yield runner
    advice_store.client().delete(*stored)


def get(api: APIClient, cluster: Cluster, query: str = "") -> Any:
    response = api.get(f"/api/v1/clusters/{cluster.pk}/advice/{query}")
    assert response.status_code == 200, response.content
    return response


def test_the_book_vm_trap_and_the_broken_fence_paths(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    script_everything(book)
    response = get(api, cluster)
    book.assert_done()
    found = response.json()
    assert [(f["rule"], f["severity"]) for f in found] == [
        ("runs_without_clone", "critical"),
        ("fence_path_wrong_plug", "critical"),
        ("fence_path_failed", "critical"),
        ("order_without_colocation", "warning"),
    ]
    assert found[0]["objects"][:2] == [
        {"kind": "resource", "id": "ubuntu"},
        {"kind": "node", "id": "node3"},
    ]
    assert found[0]["fix"] == {
        "method": "POST",
        "path": f"/api/v1/clusters/{cluster.pk}/constraints/",
        "body": {
            "type": "colocation",
            "resource": "ubuntu",
            "with": "res_libvirtd-clone",
            "score": "INFINITY",
        },
        "summary": "colocate ubuntu with res_libvirtd-clone",
        "permission": "administer",
    }
    wrong, failed = found[1], found[2]
    assert [o["id"] for o in wrong["objects"]] == ["fence_pdu", "node2"]
    assert "plug '2' is OFF (asked from node3" in wrong["detail"]
    assert [o["id"] for o in failed["objects"]] == ["fence_pdu", "node3"]
    assert "asked from node1 for plug '3', exit 1: Failed: SNMP community ***" in failed["detail"]
    assert response["X-Advice-Cached"] == "no"
    assert response["X-Advice-Read-From"] == "node1"
    assert response["X-Advice-CIB-Version"] == "0:57"
    assert response["X-Advice-Fence-Paths"] == "5"


def test_secrets_reach_the_agent_on_stdin_only(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    script_everything(book)  # the scripted runner checks each agent's stdin
    found = get(api, cluster).json()
    op = Operation.objects.get(kind="read.advice")
    assert (op.status, op.dry_run, op.node) == (OperationStatus.SUCCEEDED, True, "node1")
    recorded = json.dumps([op.argv, op.steps, op.stdout, op.stderr, op.error, found])
    for secret in SECRETS:
        assert secret not in recorded
    assert "***" in op.stderr, "the agent's own words are kept, the secret redacted"
    agents = [s for s in op.steps if s["argv"][0].startswith("/usr/sbin/fence_")]
    assert [(s["node"], s["argv"]) for s in agents] == [
        ("node2", ["/usr/sbin/fence_ipmilan"]),
        ("node3", ["/usr/sbin/fence_apc_snmp"]),
        ("node1", ["/usr/sbin/fence_ipmilan"]),
        ("node3", ["/usr/sbin/fence_apc_snmp"]),
        ("node1", ["/usr/sbin/fence_apc_snmp"]),
    ]
    cib = next(s for s in op.steps if s["argv"] == ["cibadmin", "--query"])
    assert cib["stdout"] == f"({len(CIB)} characters, not kept here)\n"
    # positive control: the password is in the CIB the node gave
    assert SECRETS[0] in CIB
    config = next(s for s in op.steps if s["argv"] == ["cat", "--", CONFIG])
    assert config["stdout"] == f"({len(DOMAIN)} characters, not kept here)\n"


def test_kept_until_the_status_changes_and_fence_paths_until_the_configuration_does(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    script_everything(book)
    before = Cluster.objects.get(pk=cluster.pk).status_seq
    first = get(api, cluster)
    seq = Cluster.objects.get(pk=cluster.pk).status_seq
    again = get(api, cluster)  # nothing scripted: any command would fail the test
    assert again["X-Advice-Cached"] == "yes"
    assert Cluster.objects.get(pk=cluster.pk).status_seq == seq, "nothing new to publish"
    assert again.json() == first.json()
    message = cluster_message(Cluster.objects.get(pk=cluster.pk))
    assert message["advice"] == {
        "count": 4,
        "critical": 3,
        "warning": 1,
        "info": 0,
        "computed_at": first["X-Advice-Computed-At"],
        "current": True,
        "error": "",
    }
    assert seq == before + 1, "computing the advice published the cluster's message again"
    moved = to_snapshot(
        parse_crm_mon(MON.replace('resources_running="2"', 'resources_running="1"'))
    )
    Cluster.objects.filter(pk=cluster.pk).update(snapshot=moved)
    assert cluster_message(Cluster.objects.get(pk=cluster.pk))["advice"]["current"] is False
    book.script(N1, *reads())  # the status moved, the configuration did not: no agent runs
    libvirt_on_peers(book)
    third = get(api, cluster)
    book.assert_done()
    assert third["X-Advice-Cached"] == "no"
    assert third["X-Advice-Fence-Checked-At"] == first["X-Advice-Fence-Checked-At"]
    assert [f["rule"] for f in third.json()] == [f["rule"] for f in first.json()]
    script_everything(book)
    forced = get(api, cluster, "?refresh=1")
    book.assert_done()
    assert forced["X-Advice-Fence-Checked-At"] != first["X-Advice-Fence-Checked-At"]


def test_a_ban_left_by_the_console_says_who_made_it_and_when(
    cluster: Cluster, api: APIClient, book: ScriptedRunner, admin_user: Any
) -> None:
    attrs = 'rsc="ubuntu" role="Started" node="node2" score="-INFINITY"'
    ban = f'<rsc_location id="cli-ban-ubuntu-on-node2" {attrs}/>'
    made = Operation.objects.create(
        cluster=cluster,
        user=admin_user,
        kind="resource.ban",
        change={},
        status=OperationStatus.SUCCEEDED,
        cib_diff=f"--- cib 0:56\n+++ cib (changed)\n+    {ban}\n",
        finished="2026-11-25T10:00:00+00:00",
    )
    cib = CIB.replace("</constraints>", f"{ban}</constraints>")
    book.script(N1, expect("cibadmin", "--query", out=cib), *reads()[1:])
    book.script(N1, *script_for_paths_only())
    libvirt_on_peers(book)
    found = {f["rule"]: f for f in get(api, cluster).json()}
    left = found["cli_constraint_left"]
    assert left["fix"]["method"] == "DELETE"
    assert left["fix"]["path"].endswith("/constraints/cli-ban-ubuntu-on-node2/")
    assert "keeps ubuntu off node2" in left["detail"]
    assert "since 2026-11-25 10:00 UTC (" in left["detail"]
    assert f"made by admin through the console, operation #{made.pk}" in left["detail"]


def test_a_vm_autostarted_by_libvirt_and_libvirt_guests_enabled_are_found(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    steps = reads()  # libvirt's three reads, then DRBD's configuration and status
    enabled = libvirt(guests="enabled")[:-1]
    book.script(N1, *steps[:-5], *enabled, *steps[-2:], *script_for_paths_only())
    libvirt_on_peers(book, autostart="ubuntu\n", missing=True)
    found = {f["rule"]: f for f in get(api, cluster).json()}
    book.assert_done()
    autostart = found["vm_autostart"]
    assert (autostart["severity"], autostart["objects"]) == (
        "critical",
        [{"kind": "resource", "id": "ubuntu"}, {"kind": "node", "id": "node2"}],
    )
    guests = found["libvirt_guests_enabled"]
    assert [o["id"] for o in guests["objects"]] == ["node1"]  # node3 has no libvirtd: unknown
    missing = found["vm_config_missing"]
    assert [o["id"] for o in missing["objects"]] == ["ubuntu", "node2"]
    assert f"{CONFIG} is missing on node2" in missing["detail"]


def script_for_paths_only() -> list[Expect]:
    """Nothing to ask: a test that is not about fence paths gets devices the check
    skips (the metadata cannot be read)."""
    return [
        expect("crm_resource", "--show-metadata", "stonith:fence_apc_snmp", status=1),
        expect("crm_resource", "--show-metadata", "stonith:fence_ipmilan", status=1),
    ]


def test_a_cluster_that_cannot_be_read_is_a_finding_not_an_empty_list(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    book.script(
        N1,
        expect("cibadmin", "--query", out="<cib><status/></cib>"),
        *reads()[1:3],
    )
    response = get(api, cluster)
    book.assert_done()
    (found,) = response.json()
    assert (found["rule"], found["severity"], found["fix"]) == (
        "advice_unavailable",
        "warning",
        None,
    )
    assert "could not read the cluster: unreadable output" in found["detail"]
    assert "Nothing could be checked." in found["detail"]
    assert "unreadable output" in response["X-Advice-Error"]
    op = Operation.objects.get(kind="read.advice")
    assert op.status == OperationStatus.FAILED
    assert f"operation #{op.pk}" in found["detail"]
    stored = Cluster.objects.get(pk=cluster.pk)
    assert advice_store.load(stored) is None
    summary = cluster_message(stored)["advice"]
    assert (summary["count"], summary["current"]) == (0, False)
    assert "unreadable output" in summary["error"]
    again = get(api, cluster)  # not retried on the same status: nothing is scripted
    assert again.json() == response.json()
    script_everything(book)  # positive control: asked again, it reads and finds
    rules = [f["rule"] for f in get(api, cluster, "?refresh=1").json()]
    book.assert_done()
    assert "advice_unavailable" not in rules
    assert "runs_without_clone" in rules


def test_a_fence_device_that_hangs_is_a_broken_path_and_another_node_is_not_tried(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    pdu_meta = metadata("fence_apc_snmp", "ip", "community", "port", "plug")
    libvirt_on_peers(book)
    book.script(
        N1,
        *reads(),
        expect("crm_resource", "--show-metadata", "stonith:fence_apc_snmp", out=pdu_meta),
        expect("crm_resource", "--show-metadata", "stonith:fence_ipmilan", status=1),
        ask("fence_apc_snmp", "node3", "3", PDU, hang=True),
    )
    book.script(
        N3,
        ask("fence_apc_snmp", "node1", "1", PDU, out="Status: ON"),
        ask("fence_apc_snmp", "node2", "2", PDU, out="Status: ON"),
    )
    every = get(api, cluster).json()
    found = {(f["rule"], f["objects"][1]["id"]): f for f in every if f["rule"].startswith("fence_")}
    book.assert_done()  # node2 was not asked about node3 after node1's agent hung
    hung = found[("fence_path_failed", "node3")]
    assert (
        "asked from node1 for plug '3', no answer in time: no answer within 60 s" in hung["detail"]
    )
    assert {rule for rule, _ in found} == {"fence_path_failed", "fence_path_unchecked"}


def test_reading_advice_needs_a_login_and_forcing_it_needs_operate(
    cluster: Cluster, api: APIClient, reader: APIClient, book: ScriptedRunner
) -> None:
    url = f"/api/v1/clusters/{cluster.pk}/advice/"
    assert APIClient().get(url).status_code in (401, 403)
    assert reader.get("/api/v1/clusters/999999/advice/").status_code == 404
    script_everything(book)
    assert reader.get(url).status_code == 200  # reading computes it when it is not current
    refused = reader.get(f"{url}?refresh=1")
    assert refused.status_code == 403
    assert "needs operator of this cluster, you are viewer" in refused.json()["detail"]
    book.assert_done()  # nothing ran for the refused one
    script_everything(book)
    assert api.get(f"{url}?refresh=1")["X-Advice-Cached"] == "no"  # positive control
    book.assert_done()


def datos(peer: str, disk: str, peer_disk: str) -> str:
    """One node's drbdsetup status --json of the book's datos, connected to peer."""
    return json.dumps([{
        "name": "datos", "role": "Primary", "suspended": False,
        "devices": [{"volume": 0, "minor": 1, "disk-state": disk, "size": 1024}],
        "connections": [{"name": peer, "peer-node-id": 1, "connection-state": "Connected",
                         "peer-role": "Primary",
                         "peer_devices": [{"volume": 0, "replication-state": "Established",
                                           "peer-disk-state": peer_disk, "out-of-sync": 0}]}],
    }])  # fmt: skip


def test_drbd_peers_that_disagree_in_two_reads_are_a_finding(
    cluster: Cluster, api: APIClient, book: ScriptedRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clusters.advice_drbd.AGAIN_AFTER", 0)
    one, two = datos("node2", "UpToDate", "UpToDate"), datos("node1", "Outdated", "UpToDate")
    twice = [expect(*DRBD, out=one), expect(*DRBD, out=one)]
    book.script(N1, *reads()[:-1], *twice, *script_for_paths_only())
    book.script(N2, *libvirt()[:-1], expect(*DRBD, out=two), expect(*DRBD, out=two))
    book.script(
        N3,
        expect(*AUTOSTART, status=1, err="error: failed to connect to the hypervisor"),
        expect(*DRBD, status=127, err="drbdsetup: command not found"),
        expect(*DRBD, status=127, err="drbdsetup: command not found"),
    )
    found = {f["rule"]: f for f in get(api, cluster).json()}
    book.assert_done()
    assert found["drbd_peers_disagree"]["detail"].startswith(
        "DRBD datos: node1 sees node2's disk (volume 0) UpToDate, node2 says Outdated"
    )


def test_a_vm_definition_that_differs_between_nodes_is_found_without_its_text(
    cluster: Cluster, api: APIClient, book: ScriptedRunner
) -> None:
    # node2's copy: the same definition laid out differently, but another disk image
    other = (
        '<domain type="kvm">\n  <name>ubuntu</name>\n  <devices>\n'
        '    <graphics passwd="vnc-s3cret" type="vnc"/>\n'
        "    <disk type='file'><source file='/var/lib/libvirt/images/old.qcow2'/></disk>\n"
        "  </devices>\n</domain>\n"
    )
    book.script(N1, *reads(), *script_for_paths_only())
    book.script(N2, *libvirt(config=other))
    book.script(
        N3,
        expect(*AUTOSTART, status=1, err="error: failed to connect to the hypervisor"),
        expect(*DRBD, out="[]"),
    )
    found = {f["rule"]: f for f in get(api, cluster).json()}
    book.assert_done()
    differs = found["vm_definition_differs"]
    assert differs["severity"] == "critical"
    assert differs["detail"].startswith(
        f"ubuntu's definition {CONFIG} differs between nodes (node1; node2): devices/disk. "
    )
    assert "vnc-s3cret" not in json.dumps(found)
    assert "old.qcow2" not in json.dumps(found)
