"""crm_mon's XML status, parsed into the dataclasses of model.py (one function per element).

Written against Pacemaker 2.1.5 (`crm_mon --one-shot --inactive --output-as=xml`, API
2.25) and tolerant of older/newer 2.x output. Anything odd but recoverable (an unknown
role, a number that is not one, an element we do not know) becomes a line in
`ClusterStatus.warnings`; XML that is malformed, hostile or not crm_mon's raises
`ParseError`, and a result in which crm_mon says it could not read the cluster (errors,
no summary, no node) raises `StatusUnreadable` (see status_result.py), never an empty
cluster. The resource tree is parsed in `status_resources.py`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from lxml import etree

from hacore.pacemaker.model import (
    ClusterStatus,
    FenceEvent,
    NodeStatus,
    OperationRecord,
    ResourceKind,
    ResourceStatus,
    Summary,
    Ticket,
)
from hacore.pacemaker.status_failures import parse_failures
from hacore.pacemaker.status_resources import parse_int, parse_ms, parse_resources
from hacore.pacemaker.status_result import StatusUnreadable, check_envelope
from hacore.pacemaker.times import parse_time
from hacore.pacemaker.xmlsafe import ParseError, attr_bool, parse_xml

__all__ = ["ClusterStatus", "NodeStatus", "StatusUnreadable", "parse_crm_mon", "parse_time"]


# Top-level children of <pacemaker-result> we know; anything else is reported.
_KNOWN = {
    "pacemakerd", "summary", "nodes", "resources", "node_attributes", "node_history",
    "failures", "fence_history", "tickets", "bans", "status",
}  # fmt: skip
_PACEMAKERD_OK = {"running", "remote"}


def parse_crm_mon(xml: str | bytes) -> ClusterStatus:
    """Parse `crm_mon --one-shot --inactive --output-as=xml` output into a ClusterStatus.

    Raises StatusUnreadable (a ParseError) when crm_mon could not read the cluster: its
    result carries <errors>, or has no <summary>, or lists no node; the exception holds
    crm_mon's own words. Raises ParseError for malformed or hostile XML (DOCTYPEs,
    entities), a document that is not crm_mon's (another root, or a `request` that is
    not crm_mon), or a node/resource without a name/id.
    """
    root = parse_xml(xml)
    check_envelope(root)
    warnings: list[str] = []
    for child in root:
        if child.tag not in _KNOWN:
            warnings.append(f"unknown <{child.tag}> ignored")
    _pacemakerd(root.find("pacemakerd"), warnings)
    _result_status(root.find("status"), warnings)
    summary = _summary(root.find("summary"), warnings)
    attributes = _node_attributes(root.find("node_attributes"), warnings)
    nodes = tuple(_node(el, attributes, warnings) for el in root.iterfind("nodes/node"))
    for name in sorted(attributes.keys() - {n.name for n in nodes}):
        warnings.append(f"node_attributes for unknown node {name!r}")
    resources = _resources(root.find("resources"), warnings)
    all_resources = [r for top in resources for r in top.walk()]
    _check_count(root.find("summary/resources_configured"), all_resources, warnings)
    history = tuple(_node_history(root.find("node_history"), warnings))
    return ClusterStatus(
        summary=summary,
        nodes=nodes,
        resources=resources,
        failures=parse_failures(root.find("failures"), all_resources, history, warnings),
        history=history,
        fence_history=_fence_history(root.find("fence_history"), warnings),
        tickets=tuple(_ticket(el, warnings) for el in root.iterfind("tickets/ticket")),
        warnings=tuple(warnings),
    )


def _pacemakerd(el: etree._Element | None, warnings: list[str]) -> None:
    """<pacemakerd state>: warn when Pacemaker is not (yet, or any more) running."""
    if el is not None and el.get("state") not in (None, *_PACEMAKERD_OK):
        warnings.append(f"pacemakerd state {el.get('state')!r}")


def _result_status(el: etree._Element | None, warnings: list[str]) -> None:
    """<status code message>: crm_mon's own exit status, warned about unless 0."""
    if el is not None and el.get("code") not in (None, "0"):
        warnings.append(f"crm_mon status {el.get('code')}: {el.get('message')}")


def _summary(el: etree._Element | None, warnings: list[str]) -> Summary:
    """<summary>: stack, DC, times, counts and cluster options."""
    if el is None:
        return Summary()
    dc_el = el.find("current_dc")
    dc_present = dc_el is not None and attr_bool(dc_el, "present")
    quorum = dc_el.get("with_quorum") if dc_el is not None else None
    change = el.find("last_change")
    counts = el.find("resources_configured")
    summary = Summary(
        stack=_get(el.find("stack"), "type"),
        dc=_get(dc_el, "name") if dc_present else None,
        dc_version=_get(dc_el, "version") if dc_present else None,
        quorate=None if quorum is None else quorum.strip().lower() == "true",
        last_update=parse_time(_get(el.find("last_update"), "time"), "last_update", warnings),
        last_change=parse_time(_get(change, "time"), "last_change", warnings),
        last_change_user=_get(change, "user"),
        last_change_client=_get(change, "client"),
        last_change_origin=_get(change, "origin"),
        nodes_configured=_count(el.find("nodes_configured"), "number", warnings),
        resources_configured=_count(counts, "number", warnings),
        resources_disabled=_count(counts, "disabled", warnings),
        resources_blocked=_count(counts, "blocked", warnings),
    )
    return _cluster_options(summary, el.find("cluster_options"))


def _cluster_options(summary: Summary, el: etree._Element | None) -> Summary:
    """<cluster_options>: the summary with the options it reports (absent ones unchanged).

    Pacemaker 3.0.2 renamed stonith-enabled to fencing-enabled and prints both for now:
    the new name is read first, the old one is the fallback.
    """
    if el is None:
        return summary
    return dataclasses.replace(
        summary,
        stonith_enabled=_opt_bool(el, "fencing-enabled", "stonith-enabled"),
        symmetric_cluster=_opt_bool(el, "symmetric-cluster"),
        no_quorum_policy=el.get("no-quorum-policy"),
        maintenance_mode=attr_bool(el, "maintenance-mode"),
        stop_all_resources=attr_bool(el, "stop-all-resources"),
    )


def _get(el: etree._Element | None, name: str) -> str | None:
    return None if el is None else el.get(name)


def _opt_bool(el: etree._Element, *names: str) -> bool | None:
    """The first of names that el has, as a boolean; None if it has none of them."""
    for name in names:
        if el.get(name) is not None:
            return attr_bool(el, name)
    return None


def _count(el: etree._Element | None, name: str, warnings: list[str]) -> int:
    if el is None:
        return 0
    return parse_int(el.get(name), f"<{el.tag}> {name}", warnings) or 0


def _check_count(
    el: etree._Element | None, every_resource: list[ResourceStatus], warnings: list[str]
) -> None:
    """Warn when crm_mon lists fewer (or more) resource instances than its summary counts.

    crm_mon counts every primitive instance but orphans that are stopped (Pacemaker's
    pe__count_common, the same from 2.0 to 3.0); with --inactive it lists them all. Not
    always: crm_mon 2.1.5 leaves a blocked clone out of its list and counts it (scheduler
    test stop-failure-no-fencing), and then the console would show less than there is.
    """
    number = None if el is None else el.get("number", "")
    if number is None or not number.isdigit():
        return
    primitive = ResourceKind.PRIMITIVE
    listed = sum(1 for r in every_resource if r.kind is primitive and (r.active or not r.orphaned))
    if listed != int(number):
        warnings.append(f"crm_mon counts {number} resource instances but lists {listed}")


def _node(
    el: etree._Element, attributes: dict[str, tuple[tuple[str, str], ...]], warnings: list[str]
) -> NodeStatus:
    """<nodes><node>: one node, with its attributes from <node_attributes>."""
    name = el.get("name")
    if not name:
        raise ParseError("a <node> without a name")
    what = f"node {name}: resources_running"
    running = parse_int(el.get("resources_running", "0"), what, warnings)
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
        resources_running=running or 0,
        standby_onfail=attr_bool(el, "standby_onfail"),
        expected_up=attr_bool(el, "expected_up"),
        node_type=el.get("type") or "member",
        attributes=attributes.get(name, ()),
    )


def _node_attributes(
    el: etree._Element | None, warnings: list[str]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """<node_attributes><node name><attribute name value/>: (name, value) pairs per node."""
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for node in () if el is None else el.iterfind("node"):
        pairs: list[tuple[str, str]] = []
        for attr in node.iterfind("attribute"):
            if attr.get("name") is None:
                warnings.append(f"node_attributes of {node.get('name')!r}: attribute without name")
                continue
            pairs.append((attr.get("name", ""), attr.get("value", "")))
        out[node.get("name", "")] = out.get(node.get("name", ""), ()) + tuple(pairs)
    return out


def _resources(el: etree._Element | None, warnings: list[str]) -> tuple[ResourceStatus, ...]:
    """<resources>: the resource tree (see status_resources.py)."""
    return parse_resources(el, warnings)


def _node_history(el: etree._Element | None, warnings: list[str]) -> Iterator[OperationRecord]:
    """<node_history><node name>: every operation of every resource on every node."""
    for node in () if el is None else el.iterfind("node"):
        name = node.get("name", "")
        for history in node.iterfind("resource_history"):
            yield from _resource_history(history, name, warnings)


def _resource_history(
    el: etree._Element, node: str, warnings: list[str]
) -> Iterator[OperationRecord]:
    """<resource_history id fail-count migration-threshold>: its <operation_history>
    entries, with the fail count and the threshold Pacemaker applies on that node."""
    resource = el.get("id", "")
    what = f"{resource} on {node}"
    fail_count = parse_int(el.get("fail-count"), f"{what}: fail-count", warnings)
    threshold = parse_int(el.get("migration-threshold"), f"{what}: migration-threshold", warnings)
    for op in el.iterfind("operation_history"):
        record = _operation(op, node, resource, fail_count, warnings)
        yield dataclasses.replace(record, migration_threshold=threshold)


def _operation(
    el: etree._Element, node: str, resource: str, fail_count: int | None, warnings: list[str]
) -> OperationRecord:
    """<operation_history call task interval rc rc_text last-rc-change exec-time queue-time>."""
    task = el.get("task", "")
    what = f"{resource} {task} on {node}"
    return OperationRecord(
        node=node,
        resource=resource,
        task=task,
        call=parse_int(el.get("call"), f"{what}: call", warnings),
        interval_ms=parse_ms(el.get("interval"), f"{what}: interval", warnings) or 0,
        rc=parse_int(el.get("rc"), f"{what}: rc", warnings),
        rc_text=el.get("rc_text", ""),
        last_rc_change=parse_time(el.get("last-rc-change"), f"{what}: last-rc-change", warnings),
        exec_time_ms=parse_ms(el.get("exec-time"), f"{what}: exec-time", warnings),
        queue_time_ms=parse_ms(el.get("queue-time"), f"{what}: queue-time", warnings),
        fail_count=fail_count,
    )


def _fence_history(el: etree._Element | None, warnings: list[str]) -> tuple[FenceEvent, ...]:
    """<fence_history status?>: the events; a non-zero status means it could not be read."""
    if el is None:
        return ()
    if el.get("status") not in (None, "0"):
        warnings.append(f"fence history not available (status {el.get('status')})")
    return tuple(_fence_event(event, warnings) for event in el.iterfind("fence_event"))


def _fence_event(el: etree._Element, warnings: list[str]) -> FenceEvent:
    """<fence_event action target client origin status completed delegate exit-reason>.

    exit_reason is `exit-reason`, else `extended-status` (e.g. "No such device").
    """
    target = el.get("target", "")
    what = f"fence {el.get('action')} of {target}"
    return FenceEvent(
        target=target,
        action=el.get("action", ""),
        status=el.get("status", ""),
        delegate=el.get("delegate"),
        client=el.get("client"),
        origin=el.get("origin"),
        completed=parse_time(el.get("completed"), f"{what}: completed", warnings),
        exit_reason=el.get("exit-reason") or el.get("extended-status") or None,
    )


def _ticket(el: etree._Element, warnings: list[str]) -> Ticket:
    """<tickets><ticket id status standby last-granted>: status is granted or revoked."""
    ticket_id = el.get("id", "")
    status = el.get("status", "")
    if status not in ("granted", "revoked"):
        warnings.append(f"ticket {ticket_id}: unknown status {status!r}")
    return Ticket(
        id=ticket_id,
        granted=status == "granted",
        standby=attr_bool(el, "standby"),
        last_granted=parse_time(
            el.get("last-granted"), f"ticket {ticket_id}: last-granted", warnings
        ),
    )
