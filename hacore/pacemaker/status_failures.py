"""crm_mon's <failures>: failed operations, named after their resource as crm_mon's
resource list names it (one function per element, like status.py).

A <failure> does not name its resource. It carries the operation's key
("<resource>_<task>_<interval>", `op_key`), or, when the CIB entry has no
operation_key (CIBs of old Pacemaker versions), the entry's XML `id` instead, which is
only usually the same thing ("group1-rsc1_stop_0" for rsc1, "dolly-dollies-0_monitor_0"
for dollies:0). The resource in the key is resolved against what crm_mon lists in the
same result (its resources and its <node_history>):

1. the key's resource itself, if crm_mon lists a resource or a history entry by that id;
2. the same without a clone instance number: "clnUMdummy01:1" is listed as
   "clnUMdummy01" (the instances of an anonymous clone carry their primitive's id).

With only an `id` (no op_key), two more, since that id is not a key:

3. the one resource whose <node_history> entry on the same node has the same call id
   (a tie broken by rule 4), and its task and interval when the failure has no task;
4. the one listed id (else the longest) the old id is built on: after a parent prefix
   ("group1-rsc1" -> rsc1), before an instance number ("stateful-1-0" -> stateful-1),
   ':' and '-' read alike (old ids wrote one for the other).

Otherwise the key's resource is kept as it is, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from hacore.pacemaker.model import FailedAction, OperationRecord, ResourceStatus
from hacore.pacemaker.status_resources import parse_int
from hacore.pacemaker.times import parse_time

__all__ = ["parse_failures"]

_OP_KEY = re.compile(r"(.+?)_(migrate_to|migrate_from|[^_]+)_(\d+)")
_INSTANCE = re.compile(r"(.+):\d+")
# crm_mon's stand-in for an operation without an exit reason (Pacemaker 2.1 and later)
_NO_REASON = "none"


@dataclass(frozen=True)
class _Key:
    """What a <failure> says about its operation, before resolving the resource."""

    text: str  # op_key, else id
    legacy: bool  # True when it is an id (no op_key)
    node: str
    call: int | None
    task: str | None
    interval_ms: int | None


@dataclass(frozen=True)
class _Subject:
    """The failed operation's resource, task and interval, as far as they are known."""

    resource: str | None
    task: str | None
    interval_ms: int | None


class _Names:
    """What crm_mon lists elsewhere in the same result: resource ids and history."""

    def __init__(
        self, resources: Iterable[ResourceStatus], history: Iterable[OperationRecord]
    ) -> None:
        self.history = tuple(history)
        self.known = {r.id for r in resources} | {h.resource for h in self.history}

    def same_call(self, key: _Key) -> list[OperationRecord]:
        """History entries of the key's node with its call id (and a compatible task)."""
        if key.call is None or key.call < 0:
            return []
        return [
            h
            for h in self.history
            if h.node == key.node
            and h.call == key.call
            and (key.task is None or _same_task(h, key.task))
        ]


def parse_failures(
    el: etree._Element | None,
    resources: Iterable[ResourceStatus],
    history: Iterable[OperationRecord],
    warnings: list[str],
) -> tuple[FailedAction, ...]:
    """<failures>: each <failure>, its resource named as crm_mon's lists name it."""
    if el is None:
        return ()
    names = _Names(resources, history)
    return tuple(_failure(failure, names, warnings) for failure in el.iterfind("failure"))


def _failure(el: etree._Element, names: _Names, warnings: list[str]) -> FailedAction:
    """<failure op_key|id node exitstatus exitreason exitcode call status last-rc-change
    queued exec interval task>; the last five only when the operation has a last-rc-change.

    exitreason "none" is crm_mon's word for "no exit reason" and becomes "".
    """
    text = el.get("op_key") or el.get("id") or ""
    node = el.get("node", "")
    what = f"failure {text} on {node}"
    key = _Key(
        text=text,
        legacy=el.get("op_key") is None,
        node=node,
        call=parse_int(el.get("call"), f"{what}: call", warnings),
        task=el.get("task"),
        interval_ms=parse_int(el.get("interval"), f"{what}: interval", warnings),
    )
    subject = _subject(key, names, warnings)
    reason = el.get("exitreason", "")
    return FailedAction(
        op_key=text,
        node=node,
        resource=subject.resource,
        task=subject.task,
        interval_ms=subject.interval_ms or 0,
        exitstatus=el.get("exitstatus", ""),
        exitcode=parse_int(el.get("exitcode"), f"{what}: exitcode", warnings),
        exitreason="" if reason == _NO_REASON else reason,
        status=el.get("status", ""),
        call=key.call,
        last_rc_change=parse_time(el.get("last-rc-change"), f"{what}: last-rc-change", warnings),
    )


def _subject(key: _Key, names: _Names, warnings: list[str]) -> _Subject:
    """Resource, task and interval of a failure (see the module's docstring)."""
    what = f"failure {key.text} on {key.node}"
    in_key, task, interval = _split_op_key(key.text, key.task, key.interval_ms)
    if in_key is None:
        warnings.append(f"{what}: cannot tell the resource from the op_key")
        return _Subject(None, key.task, key.interval_ms)
    resource = _listed(in_key, names.known)
    if key.legacy:
        matches = names.same_call(key)
        resource = resource or _from_history(in_key, matches) or _by_legacy_id(in_key, names)
        entry = [h for h in matches if h.resource == resource]
        if key.task is None and len(entry) == 1:
            task, interval = _history_task(entry[0])
    if resource is None:
        warnings.append(f"{what}: crm_mon lists no resource {in_key}")
        resource = in_key
    return _Subject(resource, task, interval)


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


def _listed(resource: str, known: set[str]) -> str | None:
    """Rules 1 and 2: the id itself, or without its clone instance number."""
    if resource in known:
        return resource
    instance = _INSTANCE.fullmatch(resource)
    if instance is not None and instance.group(1) in known:
        return instance.group(1)
    return None


def _from_history(resource: str, matches: list[OperationRecord]) -> str | None:
    """Rule 3: the one resource of the node's history with this call (and task)."""
    ids = sorted({h.resource for h in matches})
    if len(ids) > 1:
        ids = [rid for rid in ids if _legacy_match(resource, rid)]
    return ids[0] if len(ids) == 1 else None


def _by_legacy_id(resource: str, names: _Names) -> str | None:
    """Rule 4: the one (else the longest) known id that the old id is built on."""
    found = sorted((rid for rid in names.known if _legacy_match(resource, rid)), key=len)
    return found[-1] if found else None


def _legacy_match(resource: str, rid: str) -> bool:
    """Whether an old CIB's op id resource names rid: "<parent>-rid", "rid-<N>", both."""
    name, candidate = resource.replace(":", "-"), re.escape(rid.replace(":", "-"))
    return re.fullmatch(rf"(?:.+-)?{candidate}(?:-\d+)?", name) is not None


def _same_task(entry: OperationRecord, task: str) -> bool:
    """crm_mon's history calls a monitor of interval 0 a probe."""
    return entry.task == task or (entry.task == "probe" and task == "monitor")


def _history_task(entry: OperationRecord) -> tuple[str, int]:
    """(task, interval_ms) of a history entry, a probe being a monitor of interval 0."""
    if entry.task == "probe":
        return "monitor", 0
    return entry.task, entry.interval_ms
