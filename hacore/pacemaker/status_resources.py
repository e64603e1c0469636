"""crm_mon's <resources> tree, parsed into ResourceStatus (one function per element).

Also the small value readers that `status.py` shares (numbers, roles), so that both
modules turn an odd value into a warning the same way instead of raising.

Shapes (Pacemaker 2.1.5, crm_mon API 2.25):

- `<resource>`: a primitive, or one instance of a clone. Instances of an anonymous clone
  all carry the primitive's id (no ":N"); instances of a clone of groups are
  `<group id="grp:N">`. Stopped instances are listed only with `--inactive`.
- `<group>`, `<clone>`: collectives, members in order.
- `<bundle>`: `<replica id="N">` children, each holding the replica's primitives
  (IP, container, remote connection, the bundled resource). A replica becomes a
  GROUP-kind child with id "<bundle>:<N>" (like a clone-of-groups instance).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from lxml import etree

from hacore.pacemaker.model import ResourceKind, ResourceStatus, Role
from hacore.pacemaker.xmlsafe import ParseError, attr_bool, is_true

__all__ = ["parse_int", "parse_ms", "parse_resources", "parse_role"]

INFINITY = 1_000_000  # Pacemaker's score/fail-count "INFINITY"

_ROLES: dict[str, Role] = {role.value.lower(): role for role in Role}
_ROLES.update({"master": Role.PROMOTED, "slave": Role.UNPROMOTED})
_EXACT_ROLES: dict[str, Role] = {role.value: role for role in Role}  # as crm_mon prints them

# How "high" a role is, to summarise a collective by its highest member (as Pacemaker
# does for groups and clones): a group with one member started is Started.
_RANK: dict[Role, int] = {
    Role.UNKNOWN: 0,
    Role.STOPPED: 1,
    Role.STOPPING: 2,
    Role.STARTING: 3,
    Role.MIGRATING: 4,
    Role.STARTED: 5,
    Role.UNPROMOTED: 6,
    Role.PROMOTED: 7,
}

_DURATION_PART = re.compile(r"(\d+)\s*(msec|ms|min|m|sec|s|hr|h|d)?", re.IGNORECASE)
_MS_PER_UNIT = {
    "": 1, "ms": 1, "msec": 1, "s": 1000, "sec": 1000,
    "m": 60_000, "min": 60_000, "h": 3_600_000, "hr": 3_600_000, "d": 86_400_000,
}  # fmt: skip


def parse_int(value: str | None, what: str, warnings: list[str]) -> int | None:
    """An integer attribute; None if absent; None plus a warning if not a number.

    "INFINITY" (Pacemaker's spelling of 1000000, e.g. in fail counts) is accepted.
    """
    if value is None:
        return None
    text = value.strip()
    if text.lstrip("+").upper() == "INFINITY":
        return INFINITY
    if text.upper() == "-INFINITY":
        return -INFINITY
    try:
        return int(text)
    except ValueError:
        warnings.append(f"{what}={value!r} is not a number")
        return None


def parse_ms(value: str | None, what: str, warnings: list[str]) -> int | None:
    """A duration in milliseconds: "10000ms" (crm_mon 2.1), "10000", "10s", "1m30s"."""
    if value is None:
        return None
    text = value.strip().replace(" ", "")
    pos, total = 0, 0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if match is None or match.end() == pos:
            break
        total += int(match.group(1)) * _MS_PER_UNIT[(match.group(2) or "").lower()]
        pos = match.end()
    if not text or pos != len(text):
        warnings.append(f"{what}={value!r} is not a duration")
        return None
    return total


def parse_role(value: str | None, what: str, warnings: list[str]) -> Role:
    """A role string; legacy Master/Slave mapped; unknown strings -> UNKNOWN + warning."""
    if value is None:
        return Role.UNKNOWN
    role = _EXACT_ROLES.get(value) or _ROLES.get(value.strip().lower())
    if role is None:
        warnings.append(f"{what}: unknown role {value!r}")
        return Role.UNKNOWN
    return role


def parse_resources(
    parent: etree._Element | None, warnings: list[str]
) -> tuple[ResourceStatus, ...]:
    """The children of <resources> (or of a group, clone or replica), in document order."""
    if parent is None:
        return ()
    out: list[ResourceStatus] = []
    for el in parent:
        parser = _ELEMENTS.get(str(el.tag))
        if parser is not None:
            out.append(parser(el, warnings))
        else:
            where = f"{parent.tag} {parent.get('id')}" if parent.get("id") else f"<{parent.tag}>"
            warnings.append(f"{where}: unknown <{el.tag}> ignored")
    return tuple(out)


def _rsc_id(el: etree._Element) -> str:
    rsc_id = el.get("id")
    if not rsc_id:
        raise ParseError(f"a <{el.tag}> without an id")
    return rsc_id


def _removed(attrs: Mapping[str, str]) -> bool:
    """No longer configured: crm_mon 3.0.2's `removed`, else `orphaned` (its old name,
    deprecated in 3.0.2 and printed beside the new one for now). attrs: the element's."""
    removed = attrs.get("removed")
    return is_true(attrs.get("orphaned") if removed is None else removed)


def _is_disabled(el: etree._Element, attrs: Mapping[str, str]) -> bool:
    """crm_mon's own `disabled` where it prints one (clones, groups); otherwise Pacemaker's
    rule (pe__resource_is_disabled): target-role Stopped, or Unpromoted in a promotable
    clone. A clone's printed target_role may be its first instance's, so it is never
    used when crm_mon says whether the clone is disabled. attrs: el's attributes."""
    if attrs.get("disabled") is not None:
        return is_true(attrs.get("disabled"))
    target = (attrs.get("target_role") or "").strip().lower()
    if target == "stopped":
        return True
    return target in ("unpromoted", "slave") and any(
        attr_bool(clone, "multi_state") or attr_bool(clone, "promotable")
        for clone in el.iterancestors("clone")
    )


def _primitive(el: etree._Element, warnings: list[str]) -> ResourceStatus:
    """<resource>: a primitive, with the nodes it is active on.

    The attributes are read into a dict at once and the result built by `_fast_new`:
    a large cluster has thousands of primitives (bench/parse_diff.py)."""
    attrs = _attrs(el)
    rsc_id = attrs.get("id") or _rsc_id(el)
    nodes = tuple(name for n in el if n.tag == "node" and (name := n.get("name")))
    running = attrs.get("nodes_running_on")
    if running is not None and running != str(len(nodes)):
        what = f"resource {rsc_id}: nodes_running_on"
        count = parse_int(running, what, warnings)
        if count is not None and count != len(nodes):
            warnings.append(f"{what}={count} but {len(nodes)} <node>")
    return _fast_new(
        id=rsc_id,
        kind=ResourceKind.PRIMITIVE,
        agent=attrs.get("resource_agent"),
        role=parse_role(attrs.get("role"), f"resource {rsc_id}", warnings),
        target_role=attrs.get("target_role"),
        active=is_true(attrs.get("active")),
        orphaned=_removed(attrs),
        blocked=is_true(attrs.get("blocked")),
        managed=is_true(attrs.get("managed"), default=True),
        failed=is_true(attrs.get("failed")),
        failure_ignored=is_true(attrs.get("failure_ignored")),
        disabled=_is_disabled(el, attrs),
        nodes=nodes,
        pending=attrs.get("pending") or None,
        description=attrs.get("description") or None,
    )


def _attrs(el: etree._Element) -> dict[str, str]:
    """el's attributes, read at once (lxml gives str names and values for str input)."""
    return cast(dict[str, str], dict(el.items()))


_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ResourceStatus)}


def _fast_new(**values: Any) -> ResourceStatus:
    """ResourceStatus(**values), without the frozen dataclass's __init__ (one
    object.__setattr__ per field, twice the time): the same fields, equality and hash
    (tests/unit/test_tojson.py)."""
    made = object.__new__(ResourceStatus)
    object.__setattr__(made, "__dict__", {**_DEFAULTS, **values})
    return made


def _collective(
    el: etree._Element,
    kind: ResourceKind,
    children: tuple[ResourceStatus, ...],
    rsc_id: str | None = None,
) -> ResourceStatus:
    """What groups, clones, bundles and replicas share: state derived from the children.

    active if any child is; role the highest child role (Stopped when empty); nodes the
    union of the children's, in order; failed/blocked/failure_ignored if the element or
    any child says so (crm_mon prints no role, active or nodes for a collective, and
    Pacemaker sets `failed` only on primitives: a clone or bundle prints failed="false"
    whatever its instances); managed unless the element says otherwise; disabled as
    crm_mon says (`_is_disabled`).
    """
    attrs = _attrs(el)
    roles = [c.role for c in children] or [Role.STOPPED]
    nodes = dict.fromkeys(node for child in children for node in child.nodes)
    return ResourceStatus(
        id=rsc_id or _rsc_id(el),
        kind=kind,
        role=max(roles, key=_RANK.__getitem__),
        target_role=el.get("target_role"),
        active=any(c.active for c in children),
        orphaned=_removed(attrs),
        blocked=attr_bool(el, "blocked") or any(c.blocked for c in children),
        managed=attr_bool(el, "managed", default=True),
        failed=attr_bool(el, "failed") or any(c.failed for c in children),
        failure_ignored=attr_bool(el, "failure_ignored") or _ignored(children),
        disabled=_is_disabled(el, attrs),
        promotable=attr_bool(el, "multi_state") or attr_bool(el, "promotable"),
        unique=attr_bool(el, "unique"),
        nodes=tuple(nodes),
        description=el.get("description") or None,
        children=children,
    )


def _ignored(children: tuple[ResourceStatus, ...]) -> bool:
    return any(c.failure_ignored for c in children)


def _group(el: etree._Element, warnings: list[str]) -> ResourceStatus:
    """<group id number_resources managed disabled>: members in order."""
    children = parse_resources(el, warnings)
    what = f"group {_rsc_id(el)}: number_resources"
    declared = parse_int(el.get("number_resources"), what, warnings)
    if declared is not None and declared != len(children):
        warnings.append(
            f"group {_rsc_id(el)}: number_resources={declared} but {len(children)} members"
        )
    return _collective(el, ResourceKind.GROUP, children)


def _clone(el: etree._Element, warnings: list[str]) -> ResourceStatus:
    """<clone id multi_state unique managed disabled failed ...>: every instance, in order."""
    return _collective(el, ResourceKind.CLONE, parse_resources(el, warnings))


def _bundle(el: etree._Element, warnings: list[str]) -> ResourceStatus:
    """<bundle id type image unique managed failed>: one GROUP-kind child per <replica>."""
    bundle_id = _rsc_id(el)
    replicas: list[ResourceStatus] = []
    for child in el:
        if child.tag == "replica":
            replicas.append(_replica(child, bundle_id, warnings))
        else:
            warnings.append(f"bundle {bundle_id}: unknown <{child.tag}> ignored")
    return _collective(el, ResourceKind.BUNDLE, tuple(replicas))


def _replica(el: etree._Element, bundle_id: str, warnings: list[str]) -> ResourceStatus:
    """<replica id="N">: the replica's primitives, as a group called "<bundle>:<N>"."""
    children = parse_resources(el, warnings)
    return _collective(el, ResourceKind.GROUP, children, f"{bundle_id}:{el.get('id', '?')}")


_ELEMENTS: dict[str, Callable[[etree._Element, list[str]], ResourceStatus]] = {
    "resource": _primitive,
    "group": _group,
    "clone": _clone,
    "bundle": _bundle,
}
