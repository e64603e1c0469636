"""The parsers of the virtualisation stack: drbdsetup status --json (a real output kept by
ClusterLabs/ha_cluster_exporter, and the resync fields of drbd-utils 9.22), virsh list,
VirtualDomain resources in a CIB, a domain's name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hacore.commands.virt import DRBD_STATUS, virsh_list
from hacore.drbd import KIB, parse_status_json
from hacore.errors import InvalidInput
from hacore.libvirt import DEFAULT_HYPERVISOR, domain_name, parse_virsh_list, virtual_domains
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.xmlsafe import ParseError
from tests.scripted import fixture

REAL = fixture("drbd/ha_cluster_exporter-drbdsetup-status.json")
BOOK_CIB = fixture("advice/book_ch11.cib.xml")
# `virsh list --all` as libvirt 9 prints it (the lab's libvirtd, Debian 12).
VIRSH = """ Id   Name     State
-------------------------
 3    ubuntu   running
 -    spare    shut off

"""


def resync(**changes: Any) -> str:
    """The real output with its first peer volume resyncing (drbd-utils 9.22's fields)."""
    data = json.loads(REAL)
    peer = data[0]["connections"][0]["peer_devices"][0]
    peer.update({
        "replication-state": "SyncSource", "peer-disk-state": "Inconsistent",
        "out-of-sync": 524288, "has-sync-details": True, "percent-in-sync": 50.0,
        "db1/dt1 [MiB/s]": 99.5, "estimated-seconds-to-finish": 5,
        "percent-resync-done": 50.25,
    })  # fmt: skip
    data[0]["connections"][0].update(changes)
    return json.dumps(data)


def test_a_real_drbdsetup_status() -> None:
    states = parse_status_json(REAL)
    first = states[0]
    assert (first.name, first.role, first.suspended) == ("1-single-0", "Secondary", False)
    volume = first.volumes[0]
    assert (volume.volume, volume.minor, volume.disk_state) == (0, 2, "UpToDate")
    assert volume.size == 409600 * KIB
    peer = volume.peers[0]
    assert peer.peer == "SLE15-sp1-gm-drbd1145296-node1"
    assert (peer.connection_state, peer.peer_role) == ("Connected", "Primary")
    assert (peer.replication_state, peer.peer_disk_state) == ("Established", "UpToDate")
    assert (peer.out_of_sync, peer.resync_percent, peer.split_brain) == (0, None, False)
    assert len(states) == len(json.loads(REAL))


def test_a_resync_has_its_progress_rate_and_eta() -> None:
    peer = parse_status_json(resync())[0].volumes[0].peers[0]
    assert peer.replication_state == "SyncSource"
    assert peer.out_of_sync == 524288 * KIB
    assert (peer.resync_percent, peer.resync_rate, peer.resync_eta) == (50.25, 99.5, 5.0)


def test_standalone_is_a_suspected_split_brain() -> None:
    peer = parse_status_json(resync(**{"connection-state": "StandAlone"}))[0].volumes[0].peers[0]
    assert peer.split_brain is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not JSON"),
        ("{}", "expected a list"),
        ('[{"role": "Primary"}]', "has no 'name'"),
        ('[{"name": "r0", "role": "Primary", "devices": [{"volume": 0}]}]', "has no 'disk-state'"),
    ],
)
def test_what_is_not_drbdsetup_status_is_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_status_json(text)


def test_virsh_list() -> None:
    assert parse_virsh_list(VIRSH) == {"ubuntu": "running", "spare": "shut off"}
    assert parse_virsh_list(" Id   Name   State\n--------------------\n\n") == {}
    with pytest.raises(ParseError, match="not a virsh list table"):
        parse_virsh_list("error: failed to connect to the hypervisor\n")


def test_virtual_domains_of_the_books_cib() -> None:
    (vm,) = virtual_domains(parse_cib(BOOK_CIB))
    assert vm.resource == "ubuntu"
    assert vm.config == "/var/lib/libvirt/images/ubuntu.xml"
    assert (vm.hypervisor, vm.allow_migrate, vm.migration_transport) == (
        "qemu:///system",
        True,
        "",
    )
    bare = parse_cib(
        '<cib><configuration><resources><group id="g">'
        '<primitive id="v" class="ocf" provider="heartbeat" type="VirtualDomain"/>'
        "</group></resources></configuration></cib>"
    )
    assert virtual_domains(bare)[0].hypervisor == DEFAULT_HYPERVISOR
    assert virtual_domains(bare)[0].allow_migrate is False


def test_domain_name() -> None:
    assert domain_name("<domain type='qemu'><name> ubuntu </name></domain>") == "ubuntu"
    with pytest.raises(ParseError, match="not a libvirt domain"):
        domain_name("<network><name>default</name></network>")


def test_virt_commands() -> None:
    assert DRBD_STATUS == ("drbdsetup", "status", "--json", "--verbose", "--statistics")
    assert virsh_list("qemu:///system") == ("virsh", "--connect", "qemu:///system", "list", "--all")
    with pytest.raises(InvalidInput, match="not a libvirt URI"):
        virsh_list("qemu:///system; rm -rf /")
