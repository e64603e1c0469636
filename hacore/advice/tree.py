"""Where resources sit in the configuration (groups, clones) and where they run now."""

from __future__ import annotations

import re

from hacore.pacemaker.cib import Cib, CibResource
from hacore.pacemaker.model import ClusterStatus, ResourceKind, Role

_INSTANCE = re.compile(r":\d+$")


def base_id(rid: str) -> str:
    """ "grp:0" (an instance of a clone) -> "grp"."""
    return _INSTANCE.sub("", rid)


def parents(cib: Cib) -> dict[str, str]:
    """Each configured resource's parent (group, clone, bundle), by id."""
    out: dict[str, str] = {}

    def walk(resource: CibResource) -> None:
        for child in resource.children:
            out[child.id] = resource.id
            walk(child)

    for top in cib.resources:
        walk(top)
    return out


def ancestry(cib: Cib, rid: str) -> tuple[str, ...]:
    """rid and every resource above it, innermost first."""
    up = parents(cib)
    chain = [rid]
    while chain[-1] in up:
        chain.append(up[chain[-1]])
    return tuple(chain)


def is_clone(cib: Cib, rid: str) -> bool:
    """Whether rid is configured as a clone (or promotable clone)."""
    resource = cib.resource(rid)
    return resource is not None and resource.kind == "clone"


def related(cib: Cib, a: str, b: str) -> bool:
    """Whether a and b are kept together by the configuration's structure: the same
    resource, one inside the other, or members of one group."""
    up_a, up_b = ancestry(cib, a), ancestry(cib, b)
    if a in up_b or b in up_a:
        return True
    groups = {r for r in up_a[1:] if (res := cib.resource(r)) is not None and res.kind == "group"}
    return any(r in groups for r in up_b[1:])


def active_nodes(status: ClusterStatus, rid: str, promoted: bool = False) -> set[str]:
    """The nodes where rid (any of its instances, any primitive below it) is active now;
    promoted: only where an instance is promoted."""
    nodes: set[str] = set()
    for resource in status.all_resources():
        if base_id(resource.id) != rid:
            continue
        for member in resource.walk():
            if member.kind != ResourceKind.PRIMITIVE or not member.active:
                continue
            if promoted and member.role != Role.PROMOTED:
                continue
            nodes.update(member.nodes)
    return nodes
