"""Real guests for the lab: libvirt domain XMLs of small QEMU guests in the shared directory.

`lab/lab vm create NAME` writes LAB_DIR/shared/xmls/NAME.xml, which every node sees as
/home/datos/xmls/NAME.xml (the book keeps its VM definitions on the shared GFS2 file
system). The guest is a real QEMU process started by the node's libvirtd, e.g. by an
ocf:heartbeat:VirtualDomain resource with config=/home/datos/xmls/NAME.xml. Two kinds:
- diskless (default): SeaBIOS finds no boot device and idles (64 MiB, ~8 ms/s of CPU);
- linux: a Debian kernel and a busybox initramfs (guest.py) that counts seconds on its
  serial console, so a live migration can be seen not to restart it.

Guests use software emulation (type='qemu'): under KVM in this machine a Linux kernel
hangs in early boot (lab-notes.md).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from .config import Lab
from .errors import LabError

SHARED_MOUNT = Path("/home/datos")  # the shared directory as the nodes see it
NAME_PATTERN = re.compile(r"[a-zA-Z][a-zA-Z0-9_-]{0,31}")
EMULATOR = "/usr/bin/qemu-system-x86_64"


def xml_path(lab: Lab, name: str) -> Path:
    """Where the host writes NAME.xml (nodes read it as /home/datos/xmls/NAME.xml)."""
    return lab.shared_dir / "xmls" / f"{name}.xml"


def node_xml_path(name: str) -> str:
    """Where the nodes read NAME.xml (/home/datos/xmls/NAME.xml)."""
    return str(SHARED_MOUNT / "xmls" / f"{name}.xml")


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A child element with attributes and text."""
    elem = ET.SubElement(parent, tag, attrs)
    if text is not None:
        elem.text = text
    return elem


def domain_xml(name: str, memory_mib: int, kernel: tuple[str, str] | None = None) -> str:
    """A small guest: 1 vCPU, no disk, no network; a serial console on a pty.

    kernel: (kernel path, initrd path) as the nodes see them, for a Linux guest.
    """
    domain = ET.Element("domain", type="qemu")
    sub(domain, "name", name)
    sub(domain, "uuid", str(uuid.uuid4()))
    sub(domain, "memory", str(memory_mib), unit="MiB")
    sub(domain, "currentMemory", str(memory_mib), unit="MiB")
    sub(domain, "vcpu", "1", placement="static")
    os_elem = sub(domain, "os")
    sub(os_elem, "type", "hvm", arch="x86_64", machine="pc")
    if kernel is None:
        sub(os_elem, "boot", dev="hd")
    else:
        sub(os_elem, "kernel", kernel[0])
        sub(os_elem, "initrd", kernel[1])
        sub(os_elem, "cmdline", "console=ttyS0 quiet panic=-1")
    for event, action in (("poweroff", "destroy"), ("reboot", "restart"), ("crash", "destroy")):
        sub(domain, f"on_{event}", action)
    devices = sub(domain, "devices")
    sub(devices, "emulator", EMULATOR)
    sub(devices, "controller", type="usb", model="none")
    serial = sub(devices, "serial", type="pty")
    sub(serial, "target", port="0")
    console = sub(devices, "console", type="pty")
    sub(console, "target", type="serial", port="0")
    sub(devices, "memballoon", model="none")
    ET.indent(domain)
    return ET.tostring(domain, encoding="unicode") + "\n"


def create(lab: Lab, name: str, memory_mib: int, kernel: tuple[str, str] | None) -> Path:
    """Write the guest's domain XML to the shared directory (refusing to overwrite one)."""
    if not NAME_PATTERN.fullmatch(name):
        raise LabError(f"VM name {name!r}: letters, digits, - and _, at most 32", 2)
    if not 32 <= memory_mib <= 4096:
        raise LabError("--memory: 32 to 4096 MiB", 2)
    path = xml_path(lab, name)
    if path.exists():
        raise LabError(f"{path} exists (vm remove {name} first)", 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(domain_xml(name, memory_mib, kernel))
    return path


def remove(lab: Lab, name: str) -> None:
    """Delete a guest's definition (not the running guest)."""
    xml_path(lab, name).unlink(missing_ok=True)


def names(lab: Lab) -> list[str]:
    """Guests defined in the shared directory."""
    return sorted(p.stem for p in (lab.shared_dir / "xmls").glob("*.xml"))
