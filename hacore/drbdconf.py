"""DRBD's configuration as `drbdadm dump-xml RES` prints it (drbd-utils 9): per resource
its hosts, protocol, whether it allows two primaries and its fencing policy, read from the
resource's own <section name="net"> (options a connection overrides are not looked at)."""

from __future__ import annotations

from dataclasses import dataclass

from hacore.pacemaker.xmlsafe import ParseError, parse_xml


@dataclass(frozen=True)
class DrbdConfig:
    """One <resource> of dump-xml."""

    name: str
    hosts: tuple[str, ...]
    protocol: str
    allow_two_primaries: bool
    fencing: str


def parse_dump_xml(xml: str | bytes) -> list[DrbdConfig]:
    """Every resource of `drbdadm dump-xml [RES]` (a <config> or one <resource>)."""
    root = parse_xml(xml)
    resources = [root] if root.tag == "resource" else list(root.iterfind("resource"))
    if root.tag not in ("resource", "config"):
        raise ParseError(f"expected drbdadm dump-xml output, got <{root.tag}>")
    found = []
    for r in resources:
        net = {
            o.get("name", ""): o.get("value", "") for o in r.iterfind("section[@name='net']/option")
        }
        found.append(
            DrbdConfig(
                name=r.get("name", ""),
                hosts=tuple(h.get("name", "") for h in r.iterfind("host")),
                protocol=net.get("protocol", "C"),
                allow_two_primaries=net.get("allow-two-primaries", "no") == "yes",
                fencing=net.get("fencing", "dont-care"),
            )
        )
    return found
