"""Domain definitions compared by meaning (hacore/libvirt_definition.py)."""

from __future__ import annotations

import pytest

from hacore.libvirt_definition import definition_parts, differing
from hacore.pacemaker.xmlsafe import ParseError

BASE = """<domain type='kvm'>
  <!-- made by virt-install -->
  <name>ubuntu</name>
  <memory unit='KiB'>1048576</memory>
  <devices>
    <disk type='file' device='disk'><source file='/images/ubuntu.qcow2'/></disk>
    <disk type='file' device='cdrom'><source file='/images/seed.iso'/></disk>
    <graphics type='vnc' passwd='vnc-s3cret'/>
  </devices>
</domain>"""


def test_layout_attribute_order_and_comments_do_not_count() -> None:
    relaid = (
        '<domain type="kvm"><name>ubuntu</name><memory unit="KiB">1048576</memory><devices>'
        '<disk device="disk" type="file"><source file="/images/ubuntu.qcow2"/></disk>'
        '<disk device="cdrom" type="file"><source file="/images/seed.iso"/></disk>'
        '<graphics passwd="vnc-s3cret" type="vnc"/></devices></domain>'
    )
    assert differing(definition_parts(BASE), definition_parts(relaid)) == []


def test_each_differing_part_is_named_and_no_value_leaves() -> None:
    changed = BASE.replace("seed.iso", "other.iso").replace("1048576", "2097152")
    assert differing(definition_parts(BASE), definition_parts(changed)) == [
        "memory",
        "devices/disk[2]",
    ]
    parts = definition_parts(BASE)
    assert all(len(digest) == 64 for _, digest in parts)
    assert "vnc-s3cret" not in repr(parts)


def test_a_device_present_in_one_copy_only_and_the_root_attributes_count() -> None:
    fewer = BASE.replace("<graphics type='vnc' passwd='vnc-s3cret'/>", "")
    assert differing(definition_parts(BASE), definition_parts(fewer)) == ["devices/graphics"]
    xen = BASE.replace("type='kvm'", "type='xen'")
    assert differing(definition_parts(BASE), definition_parts(xen)) == ["domain"]


def test_what_is_not_a_domain_definition_is_refused() -> None:
    with pytest.raises(ParseError, match="not a libvirt domain definition"):
        definition_parts("<network><name>default</name></network>")
    with pytest.raises(ParseError, match=r"."):
        definition_parts("not xml")
