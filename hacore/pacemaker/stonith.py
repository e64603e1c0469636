"""stonith_admin's text answers, and the fencing coverage of a cluster's nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hacore.pacemaker.constraints import FencingLevel


def parse_device_list(listing: str) -> list[str]:
    """The names stonith_admin --list/--list-targets prints, one per line, without its
    "N found" summary line."""
    return [
        line.strip() for line in listing.splitlines() if line.strip() and " " not in line.strip()
    ]


@dataclass(frozen=True)
class DeviceTest:
    """A fence device asked (without fencing) whether it reaches its device."""

    device: str
    status: str
    targets: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The API form."""
        return {"device": self.device, "status": self.status, "targets": list(self.targets)}


@dataclass(frozen=True)
class NodeCoverage:
    """What can fence one node: the devices that claim it, and its fencing levels."""

    node: str
    devices: tuple[str, ...]
    levels: tuple[FencingLevel, ...]

    @property
    def fenceable(self) -> bool:
        """Whether any device can fence the node."""
        return bool(self.devices)

    def as_dict(self) -> dict[str, Any]:
        """The API form."""
        return {
            "node": self.node,
            "devices": list(self.devices),
            "levels": [{"level": lv.index, "devices": list(lv.devices)} for lv in self.levels],
            "fenceable": self.fenceable,
        }
