"""crm_mon's XML status, parsed into frozen dataclasses (one function per element)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from clusters.pacemaker.xmlsafe import ParseError, attr_bool, parse_xml

CRM_MON_XML = ["crm_mon", "--one-shot", "--inactive", "--output-as=xml"]


@dataclass(frozen=True)
class NodeStatus:
    """One node as crm_mon reports it."""

    name: str
    node_id: str
    online: bool
    standby: bool
    maintenance: bool
    pending: bool
    unclean: bool
    shutdown: bool
    is_dc: bool
    resources_running: int


@dataclass(frozen=True)
class ClusterStatus:
    """What crm_mon says of a cluster: its nodes, DC and quorum (more in later issues)."""

    nodes: tuple[NodeStatus, ...]
    dc: str | None
    quorate: bool | None
    warnings: tuple[str, ...]


def parse_crm_mon(xml: str | bytes) -> ClusterStatus:
    """Parse `crm_mon --one-shot --inactive --output-as=xml` output."""
    root = parse_xml(xml)
    if root.tag != "pacemaker-result":
        raise ParseError(f"expected <pacemaker-result>, got <{root.tag}>")
    warnings: list[str] = []
    status = root.find("status")
    if status is not None and status.get("code") not in (None, "0"):
        warnings.append(f"crm_mon status {status.get('code')}: {status.get('message')}")
    dc, quorate = _summary(root.find("summary"))
    nodes = tuple(_node(el, warnings) for el in root.iterfind("nodes/node"))
    return ClusterStatus(nodes=nodes, dc=dc, quorate=quorate, warnings=tuple(warnings))


def _summary(summary: etree._Element | None) -> tuple[str | None, bool | None]:
    if summary is None:
        return None, None
    dc_el = summary.find("current_dc")
    dc = dc_el.get("name") if dc_el is not None and attr_bool(dc_el, "present") else None
    quorum = dc_el.get("with_quorum") if dc_el is not None else None
    return dc, (None if quorum is None else quorum == "true")


def _node(el: etree._Element, warnings: list[str]) -> NodeStatus:
    name = el.get("name")
    if not name:
        raise ParseError("a <node> without a name")
    running = el.get("resources_running", "0")
    if not running.isdigit():
        warnings.append(f"node {name}: resources_running={running!r} is not a number")
        running = "0"
    return NodeStatus(
        name=name,
        node_id=el.get("id", ""),
        online=attr_bool(el, "online"),
        standby=attr_bool(el, "standby"),
        maintenance=attr_bool(el, "maintenance"),
        pending=attr_bool(el, "pending"),
        unclean=attr_bool(el, "unclean"),
        shutdown=attr_bool(el, "shutdown"),
        is_dc=attr_bool(el, "is_dc"),
        resources_running=int(running),
    )
