"""crm_mon's XML status, parsed into the dataclasses of model.py (one function per element).

Written against Pacemaker 2.1.5 (`crm_mon --one-shot --inactive --output-as=xml`, API
2.25) and tolerant of older/newer 2.x output. Anything odd but recoverable (an unknown
role, a number that is not one, an element we do not know) becomes a line in
`ClusterStatus.warnings`; XML that is malformed, hostile or not crm_mon's raises
`ParseError`. The resource tree is parsed in `status_resources.py`.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterator

from lxml import etree

from hacore.pacemaker.model import (
    ClusterStatus,
    FailedAction,
    FenceEvent,
    NodeStatus,
    OperationRecord,
    ResourceStatus,
    Summary,
    Ticket,
)
from hacore.pacemaker.status_resources import parse_int, parse_ms, parse_resources
from hacore.pacemaker.xmlsafe import ParseError, attr_bool, parse_xml

__all__ = ["ClusterStatus", "NodeStatus", "parse_crm_mon", "parse_time"]


# Top-level children of <pacemaker-result> we know; anything else is reported.
_KNOWN = {
    "pacemakerd", "summary", "nodes", "resources", "node_attributes", "node_history",
    "failures", "fence_history", "tickets", "bans", "status",
}  # fmt: skip
_PACEMAKERD_OK = {"running", "remote"}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_CTIME = re.compile(
    r"(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})"
)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_OP_KEY = re.compile(r"(.+?)_(migrate_to|migrate_from|[^_]+)_(\d+)")


def parse_crm_mon(xml: str | bytes) -> ClusterStatus:
    """Parse `crm_mon --one-shot --inactive --output-as=xml` output into a ClusterStatus.

    Raises ParseError for malformed or hostile XML (DOCTYPEs, entities), a root that is
    not <pacemaker-result>, or a node/resource without a name/id.
    """
    root = parse_xml(xml)
    if root.tag != "pacemaker-result":
        raise ParseError(f"expected <pacemaker-result>, got <{root.tag}>")
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
    return ClusterStatus(
        summary=summary,
        nodes=nodes,
        resources=_resources(root.find("resources"), warnings),
        failures=tuple(_failure(el, warnings) for el in root.iterfind("failures/failure")),
        history=tuple(_node_history(root.find("node_history"), warnings)),
        fence_history=_fence_history(root.find("fence_history"), warnings),
        tickets=tuple(_ticket(el, warnings) for el in root.iterfind("tickets/ticket")),
        warnings=tuple(warnings),
    )


def parse_time(value: str | None, what: str, warnings: list[str]) -> datetime.datetime | None:
    """A crm_mon time as a timezone-aware datetime, or None (absent/empty/unparseable).

    crm_mon 2.1.5 prints most times ctime-style ("Wed Nov 25 14:58:11 2026", day padded
    with a space: "Mon Apr  3 ..."), in the local time of the node that ran it, with no
    zone. The lab and most servers run UTC, so those are read as UTC. Times carrying a
    zone ("2026-11-25 15:10:51Z", "2025-01-08 08:59:30 +09:00", fence history's
    "... 12:02:42.088147Z") are honoured and converted to UTC; bare digits are epoch
    seconds. Month names are matched in English whatever the locale. Anything else gives
    None and a warning.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if text.isdigit():
            return datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)
        if match := _CTIME.fullmatch(text):
            return _from_ctime(match)
        if match := _ISO.fullmatch(text):
            return _from_iso(match)
    except (ValueError, OverflowError, OSError):
        pass
    warnings.append(f"{what}: unparseable time {value!r}")
    return None


def _from_ctime(match: re.Match[str]) -> datetime.datetime:
    month, day, hour, minute, second, year = match.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        raise ValueError(month)
    return datetime.datetime(
        int(year), number, int(day), int(hour), int(minute), int(second), tzinfo=datetime.UTC
    )


def _from_iso(match: re.Match[str]) -> datetime.datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = datetime.UTC
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "").ljust(4, "0")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = datetime.timezone(-offset if zone[0] == "-" else offset)
    local = datetime.datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
    )
    return local.astimezone(datetime.UTC)


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
    """<cluster_options>: the summary with the options it reports (absent ones unchanged)."""
    if el is None:
        return summary
    return dataclasses.replace(
        summary,
        stonith_enabled=_opt_bool(el, "stonith-enabled"),
        symmetric_cluster=_opt_bool(el, "symmetric-cluster"),
        no_quorum_policy=el.get("no-quorum-policy"),
        maintenance_mode=attr_bool(el, "maintenance-mode"),
        stop_all_resources=attr_bool(el, "stop-all-resources"),
    )


def _get(el: etree._Element | None, name: str) -> str | None:
    return None if el is None else el.get(name)


def _opt_bool(el: etree._Element, name: str) -> bool | None:
    return attr_bool(el, name) if el.get(name) is not None else None


def _count(el: etree._Element | None, name: str, warnings: list[str]) -> int:
    if el is None:
        return 0
    return parse_int(el.get(name), f"<{el.tag}> {name}", warnings) or 0


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


def _failure(el: etree._Element, warnings: list[str]) -> FailedAction:
    """<failures><failure>: a failed operation; the resource is op_key minus _task_interval."""
    op_key = el.get("op_key") or el.get("id") or ""
    node = el.get("node", "")
    what = f"failure {op_key} on {node}"
    interval = parse_int(el.get("interval"), f"{what}: interval", warnings)
    resource, task, interval = _split_op_key(op_key, el.get("task"), interval)
    if resource is None:
        warnings.append(f"{what}: cannot tell the resource from the op_key")
    return FailedAction(
        op_key=op_key,
        node=node,
        resource=resource,
        task=task,
        interval_ms=interval or 0,
        exitstatus=el.get("exitstatus", ""),
        exitcode=parse_int(el.get("exitcode"), f"{what}: exitcode", warnings),
        exitreason=el.get("exitreason", ""),
        status=el.get("status", ""),
        call=parse_int(el.get("call"), f"{what}: call", warnings),
        last_rc_change=parse_time(el.get("last-rc-change"), f"{what}: last-rc-change", warnings),
    )


def _split_op_key(
    op_key: str, task: str | None, interval: int | None
) -> tuple[str | None, str | None, int | None]:
    """(resource, task, interval_ms) of "<rsc>_<task>_<interval>"; rsc may contain "_".

    With task and interval known (crm_mon prints both) the suffix is simply stripped;
    otherwise the shortest resource id followed by a task and a number wins.
    """
    if task is not None and interval is not None:
        suffix = f"_{task}_{interval}"
        if op_key.endswith(suffix) and len(op_key) > len(suffix):
            return op_key[: -len(suffix)], task, interval
    match = _OP_KEY.fullmatch(op_key)
    if match is None:
        return None, task, interval
    if interval is None:
        interval = int(match.group(3))
    return match.group(1), task or match.group(2), interval


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
