"""Placement rules: what orders promise and colocations must keep.

An order (`first A then B`) only says when: it never says where. When B needs A on its
own node (a VM needs libvirtd and the shared file system there), a colocation must say
so, or Pacemaker is free to start B where A does not run: the seed book's chapter 11
VM, ordered after `res_libvirtd-clone` (`symmetrical=false`) and never colocated, lands
on the third node where the clone (clone-max=2) is not.
"""

from __future__ import annotations

from collections.abc import Iterator

from hacore.advice.model import Facts, Finding, Ref, Severity, colocate
from hacore.advice.tree import active_nodes, ancestry, is_clone, related
from hacore.pacemaker.constraints import Constraint

_POSITIVE_INFINITY = {"INFINITY", "+INFINITY"}


def order_kind(order: Constraint) -> str:
    """Mandatory, Optional or Serialize (the legacy score="0" means Optional)."""
    kind = order.options.get("kind")
    if kind:
        return kind.capitalize()
    return "Optional" if order.score.strip() == "0" else "Mandatory"


def simple_orders(facts: Facts) -> Iterator[Constraint]:
    """Order constraints between two resources (resource sets are left out)."""
    for c in facts.constraints:
        if c.type == "order" and not c.sets and len(c.resources) == 2:
            yield c


def _positive(score: str) -> bool:
    """A colocation score that keeps resources together ("" counts: score-attribute)."""
    text = score.strip()
    if not text or text.upper() in _POSITIVE_INFINITY:
        return True
    try:
        return int(text) > 0
    except ValueError:
        return False


def colocated(facts: Facts, a: str, b: str) -> bool:
    """Whether something keeps a and b on one node: a group, one inside the other, or
    a colocation with a positive score naming them (or what contains them)."""
    if related(facts.cib, a, b):
        return True
    up_a, up_b = set(ancestry(facts.cib, a)), set(ancestry(facts.cib, b))
    for c in facts.constraints:
        if c.type != "colocation" or not _positive(c.score):
            continue
        named = set(c.resources)
        if named & up_a and named & up_b:
            return True
    return False


def _promoted(order: Constraint) -> bool:
    return order.options.get("first-action", "start") == "promote"


def _clone_note(facts: Facts, rid: str) -> str:
    resource = facts.cib.resource(rid)
    limit = resource.meta_value("clone-max") if resource else None
    nodes = len(facts.member_nodes())
    if limit and limit.isdigit() and int(limit) < nodes:
        return f" {rid} is a clone limited to clone-max={limit} on {nodes} nodes."
    return ""


def order_without_colocation(facts: Facts) -> Iterator[Finding]:
    """An order between two resources that nothing keeps on the same node."""
    for c in simple_orders(facts):
        kind = order_kind(c)
        first, then = c.resources
        if kind == "Serialize" or colocated(facts, first, then):
            continue
        clone = is_clone(facts.cib, first)
        symmetrical = " (symmetrical=false)" if c.options.get("symmetrical") == "false" else ""
        detail = (
            f"Order {c.id} starts {then} after {first}{symmetrical}, but no colocation keeps "
            f"{then} on a node where {first} runs: Pacemaker may place {then} where {first} "
            f"is not.{_clone_note(facts, first)} If {then} needs {first} on its own node, "
            f"colocate them."
        )
        severity = Severity.WARNING if clone and kind == "Mandatory" else Severity.INFO
        refs = (Ref("constraint", c.id), Ref("resource", then), Ref("resource", first))
        yield Finding(
            "order_without_colocation", severity, detail, refs, colocate(then, first, _promoted(c))
        )


def runs_without_clone(facts: Facts) -> Iterator[Finding]:
    """A resource running on a node where a clone it is ordered after does not run."""
    for c in simple_orders(facts):
        first, then = c.resources
        if order_kind(c) != "Mandatory" or not is_clone(facts.cib, first):
            continue
        promoted = _promoted(c)
        present = active_nodes(facts.status, first, promoted)
        where = f"where {first} is not promoted" if promoted else f"where {first} does not run"
        waits = f"{first} to be promoted" if promoted else first
        together = colocated(facts, first, then)
        for node in sorted(active_nodes(facts.status, then) - present):
            detail = (
                f"{then} runs on {node}, {where}, although order {c.id} makes {then} wait "
                f"for {waits}: whatever {then} needs from {first} on its node is missing there."
            )
            if together:
                detail += " A colocation exists: the cluster may still be moving them."
            refs = (
                Ref("resource", then),
                Ref("node", node),
                Ref("resource", first),
                Ref("constraint", c.id),
            )
            fix = None if together else colocate(then, first, promoted)
            yield Finding("runs_without_clone", Severity.CRITICAL, detail, refs, fix)
