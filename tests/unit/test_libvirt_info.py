"""libvirt's description of a domain (hacore/libvirt_info.py) and the commands that read
it (hacore.commands.virt.virsh_domain)."""

from __future__ import annotations

import pytest

from hacore.commands.virt import virsh_domain
from hacore.drbd import parse_status_json
from hacore.errors import InvalidInput
from hacore.libvirt_info import (
    Disk,
    drbd_devices,
    parse_domblklist,
    parse_dominfo,
    parse_domstate,
    place_disk,
)
from hacore.pacemaker.xmlsafe import ParseError

DOMINFO = """Id:             4
Name:           ubuntu
UUID:           2b3f6a43-9d7e-4c1e-8a5f-6c0d3e1b2a90
OS Type:        hvm
State:          running
CPU(s):         2
CPU time:       12.5s
Max memory:     2097152 KiB
Used memory:    2097152 KiB
Persistent:     no
Autostart:      disable
Managed save:   no
"""
BLKLIST = """ Type   Device   Target   Source
------------------------------------------------------------------
 file   disk     vda      /var/lib/libvirt/images/ubuntu.qcow2
 block  disk     vdb      /dev/drbd2
 file   disk     vdc      /srv/scratch.qcow2
 file   cdrom    sda      -
"""
TWO_VOLUMES = (
    '[{"name": "vmdata", "role": "Primary", "devices": ['
    '{"volume": 0, "minor": 10, "disk-state": "UpToDate"},'
    '{"volume": 1, "minor": 11, "disk-state": "UpToDate"}], "connections": []}]'
)


def test_dominfo_and_domstate() -> None:
    info = parse_dominfo(DOMINFO)
    assert info == {
        "state": "running", "vcpus": 2, "max_memory_kib": 2097152,
        "used_memory_kib": 2097152, "persistent": False, "autostart": False,
    }  # fmt: skip
    assert parse_domstate("shut off (destroyed)\n") == ("shut off", "destroyed")
    assert parse_domstate("running\n") == ("running", "")
    with pytest.raises(ParseError, match="not virsh dominfo output"):
        parse_dominfo("error: failed to get domain 'x'")
    with pytest.raises(ParseError, match="CPU"):
        parse_dominfo("State: running\nCPU(s): many\n")
    with pytest.raises(ParseError, match="printed nothing"):
        parse_domstate("\n")


def test_domblklist_lines_and_no_medium() -> None:
    disks = parse_domblklist(BLKLIST)
    assert disks[0] == Disk("file", "disk", "vda", "/var/lib/libvirt/images/ubuntu.qcow2")
    assert disks[-1] == Disk("file", "cdrom", "sda", None)
    assert parse_domblklist(" Type   Device   Target   Source\n--------------\n") == []
    with pytest.raises(ParseError, match="not virsh domblklist"):
        parse_domblklist(" Target   Source\n vda  /x\n")


def test_drbd_device_paths_and_where_a_disk_lives() -> None:
    paths = drbd_devices(parse_status_json(TWO_VOLUMES))
    assert paths["/dev/drbd11"] == ("vmdata", 1)
    assert paths["/dev/drbd/by-res/vmdata/0"] == ("vmdata", 0)
    assert "/dev/drbd/by-res/vmdata" not in paths  # two volumes: the bare name is none
    filesystems = {"images-clone": "/var/lib/libvirt/images"}
    beside = Disk("file", "disk", "vdb", "/var/lib/libvirt/images2/x.qcow2")
    assert place_disk(beside, filesystems, paths)["storage"] == {"kind": "local"}
    inside = Disk("file", "disk", "vda", "/var/lib/libvirt/images/x.qcow2")
    assert place_disk(inside, filesystems, paths)["storage"]["resource"] == "images-clone"
    block = Disk("block", "disk", "vdc", "/dev/drbd/by-res/vmdata/1")
    assert place_disk(block, filesystems, paths)["storage"] == {
        "kind": "drbd", "resource": "vmdata", "volume": 1,
    }  # fmt: skip


def test_the_domain_reads_take_a_known_verb_and_a_name_as_an_option_value() -> None:
    assert virsh_domain("qemu:///system", "domblklist", "-x")[-2:] == ("--domain", "-x")
    with pytest.raises(InvalidInput, match="not a virsh read"):
        virsh_domain("qemu:///system", "destroy", "ubuntu")
    with pytest.raises(InvalidInput, match="not a domain name"):
        virsh_domain("qemu:///system", "dominfo", "a\nb")
    with pytest.raises(InvalidInput, match="not a libvirt URI"):
        virsh_domain("qemu:///system; rm -rf /", "dominfo", "ubuntu")
