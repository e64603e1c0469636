"""One domain as libvirt describes it on the node that runs it, and where its disks live.

Parsed from `virsh dominfo`, `virsh domstate --reason` and `virsh domblklist --details`
(libvirt's own words, English locale), then each disk placed on the cluster's storage: a
DRBD device (`/dev/drbdN`, `/dev/drbd/by-res/RES[/VOL]`), a file under a cluster
filesystem's mount point (a Filesystem clone's `directory`), or neither: then it is on
no storage the other nodes share, as far as the console can tell, and says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hacore.drbd import DrbdState
from hacore.pacemaker.cib import Cib
from hacore.pacemaker.xmlsafe import ParseError

Json = dict[str, Any]
_KIB = re.compile(r"(\d+) KiB")


@dataclass(frozen=True)
class Disk:
    """One line of `virsh domblklist --details`."""

    type: str
    device: str
    target: str
    source: str | None  # None: no medium ("-")


def parse_dominfo(text: str) -> Json:
    """`virsh dominfo`: state, vcpus, memory (KiB), persistent, autostart."""
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    if "State" not in fields or "CPU(s)" not in fields:
        raise ParseError(f"not virsh dominfo output: {text[:80]!r}")
    return {
        "state": fields["State"],
        "vcpus": _int(fields["CPU(s)"], "CPU(s)"),
        "max_memory_kib": _kib(fields.get("Max memory", "")),
        "used_memory_kib": _kib(fields.get("Used memory", "")),
        "persistent": fields.get("Persistent") == "yes",
        "autostart": fields.get("Autostart") == "enable",
    }


def _int(value: str, what: str) -> int:
    if not value.isdigit():
        raise ParseError(f"virsh dominfo: {what} is not a number: {value[:40]!r}")
    return int(value)


def _kib(value: str) -> int | None:
    found = _KIB.fullmatch(value)
    return int(found.group(1)) if found else None


def parse_domstate(text: str) -> tuple[str, str]:
    """`virsh domstate --reason`: ("running", "booted")."""
    line = text.strip()
    found = re.fullmatch(r"(.+?) \((.+)\)", line)
    if not line:
        raise ParseError("virsh domstate printed nothing")
    return (found.group(1), found.group(2)) if found else (line, "")


def parse_domblklist(text: str) -> list[Disk]:
    """`virsh domblklist --details`: every disk, its type, device, target and source."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or lines[0].split()[:4] != ["Type", "Device", "Target", "Source"]:
        raise ParseError(f"not virsh domblklist --details output: {text[:80]!r}")
    disks = []
    for line in lines[1:]:
        if set(line.strip()) == {"-"}:
            continue
        parts = line.split(None, 3)
        if len(parts) != 4:
            raise ParseError(f"virsh domblklist: unreadable line {line[:80]!r}")
        kind, device, target, source = parts
        disks.append(Disk(kind, device, target, None if source == "-" else source))
    return disks


def cluster_filesystems(cib: Cib) -> dict[str, str]:
    """Filesystem clone id -> its mount point (a directory every clone node shares)."""
    found = {}
    for top in cib.resources:
        if top.kind != "clone":
            continue
        for r in top.walk():
            directory = dict(r.params).get("directory")
            if (r.agent or "").endswith(":Filesystem") and directory:
                found[top.id] = directory.rstrip("/") or "/"
    return found


def drbd_devices(states: list[DrbdState]) -> dict[str, tuple[str, int]]:
    """Every path of a DRBD device on the node -> (DRBD resource, volume)."""
    paths: dict[str, tuple[str, int]] = {}
    for state in states:
        for volume in state.volumes:
            where = (state.name, volume.volume)
            paths[f"/dev/drbd/by-res/{state.name}/{volume.volume}"] = where
            if volume.minor is not None:
                paths[f"/dev/drbd{volume.minor}"] = where
            if len(state.volumes) == 1:
                paths[f"/dev/drbd/by-res/{state.name}"] = where
    return paths


def place_disk(
    disk: Disk, filesystems: Mapping[str, str], devices: Mapping[str, tuple[str, int]]
) -> Json:
    """The disk as the API shows it, with `storage`: kind drbd (resource, volume),
    filesystem (the clone and its mount point), none (no medium), or local."""
    shown: Json = {
        "target": disk.target,
        "type": disk.type,
        "device": disk.device,
        "source": disk.source,
    }
    if disk.source is None:
        return shown | {"storage": {"kind": "none"}}
    if disk.source in devices:
        res, volume = devices[disk.source]
        return shown | {"storage": {"kind": "drbd", "resource": res, "volume": volume}}
    for clone, directory in sorted(filesystems.items(), key=lambda kv: -len(kv[1])):
        if disk.source.startswith(directory.rstrip("/") + "/"):
            return shown | {
                "storage": {"kind": "filesystem", "resource": clone, "directory": directory}
            }
    return shown | {"storage": {"kind": "local"}}
