"""What the advisor works on and what it finds: frozen values, no Django, no I/O.

A rule is a function `Facts -> Iterable[Finding]`. `Facts` is everything read from the
cluster in one go (the whole CIB, crm_mon, corosync's quorum settings, which devices
the fencer says can fence each node); a `Finding` names its rule, how bad it is, what
an operator should know, the objects it concerns and, where one is safe, a `Fix`: a
change the console's own API can plan (`?plan=1`) and apply.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hacore.drbd import DrbdState
from hacore.drbdconf import DrbdConfig
from hacore.libvirt_definition import Parts
from hacore.pacemaker.cib import Cib, CibResource
from hacore.pacemaker.constraints import Constraint, FencingLevel
from hacore.pacemaker.model import ClusterStatus

Json = dict[str, Any]
OPERATE = "operate"
ADMINISTER = "administer"


class Severity(StrEnum):
    """How urgent a finding is: critical (the cluster will not protect or run what it
    should), warning (a trap or a leftover), info (worth knowing)."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Ref:
    """An object a finding concerns: kind is resource, node, constraint, device,
    property or corosync; id is its id (a node's name)."""

    kind: str
    id: str


@dataclass(frozen=True)
class Fix:
    """A change the console's API can plan: `method` on `path` (relative to
    /api/v1/clusters/<id>/) with `body`; `permission` is what applying it needs."""

    method: str
    path: str
    body: Mapping[str, Any] | None
    summary: str
    permission: str = ADMINISTER

    def as_dict(self, cluster_id: int) -> Json:
        """The API form, with the whole path."""
        return {
            "method": self.method,
            "path": f"/api/v1/clusters/{cluster_id}/{self.path}",
            "body": dict(self.body) if self.body is not None else None,
            "summary": self.summary,
            "permission": self.permission,
        }


@dataclass(frozen=True)
class Finding:
    """One piece of advice."""

    rule: str
    severity: Severity
    detail: str
    objects: tuple[Ref, ...]
    fix: Fix | None = None

    def as_dict(self, cluster_id: int) -> Json:
        """The API form (docs/api.md "Advice")."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "detail": self.detail,
            "objects": [{"kind": o.kind, "id": o.id} for o in self.objects],
            "fix": self.fix.as_dict(cluster_id) if self.fix else None,
        }


@dataclass(frozen=True)
class Since:
    """When a constraint appeared, and how the console knows (its own operation that
    made it, or the first time it saw it)."""

    at: datetime.datetime
    source: str


@dataclass(frozen=True)
class NodeLibvirt:
    """What one node's libvirt says beyond Pacemaker: the domains it starts by itself at
    boot (`virsh list --all --autostart --name`), whether the libvirt-guests service is
    enabled (None: unknown), which VM config files are not there, and the digests of
    those that are (hacore/libvirt_definition.py; never their text)."""

    autostart: frozenset[str]
    guests_enabled: bool | None
    missing_configs: frozenset[str] = frozenset()  # VM config files not on this node
    definitions: Mapping[str, Parts] = field(default_factory=dict)  # config -> its parts


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at, read together from one node.

    claims: for each node, the fence devices `stonith_admin --list NODE` names (None:
    not asked). since: for cli-prefer/cli-ban constraints, when they appeared.
    """

    cib: Cib
    constraints: tuple[Constraint, ...]
    topology: tuple[FencingLevel, ...]
    status: ClusterStatus
    quorum: Mapping[str, str] = field(default_factory=dict)
    claims: Mapping[str, tuple[str, ...]] | None = None
    since: Mapping[str, Since] = field(default_factory=dict)
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))
    libvirt: Mapping[str, NodeLibvirt] | None = None  # node -> it (None: not read)
    vm_domains: Mapping[str, str] = field(default_factory=dict)  # resource -> domain
    stalled_resyncs: tuple[Mapping[str, Any], ...] = ()  # the DRBD watch's alarms
    drbd: tuple[Mapping[str, tuple[DrbdState, ...]], ...] = ()  # reads: node -> DRBD
    drbd_config: tuple[DrbdConfig, ...] = ()  # drbdadm dump-xml of the DRBD resources read

    def member_nodes(self) -> tuple[str, ...]:
        """The cluster's member nodes as the CIB configures them (remote nodes left out)."""
        return tuple(n.uname for n in self.cib.nodes if n.node_type == "member" and n.uname)

    def fence_devices(self) -> tuple[CibResource, ...]:
        """Every configured stonith resource."""
        every = (r for top in self.cib.resources for r in top.walk())
        return tuple(r for r in every if r.kind == "primitive" and _is_stonith(r))

    def online(self) -> tuple[str, ...]:
        """The nodes crm_mon reports online, in its order."""
        return tuple(n.name for n in self.status.nodes if n.online)


def _is_stonith(resource: CibResource) -> bool:
    return (resource.agent or "").startswith("stonith:")


def colocate(dependent: str, primary: str, promoted: bool = False) -> Fix:
    """The fix that keeps dependent on the node where primary (its promoted role) runs."""
    body: Json = {"type": "colocation", "resource": dependent, "with": primary}
    body["score"] = "INFINITY"
    if promoted:
        body["with_role"] = "Promoted"
    return Fix("POST", "constraints/", body, f"colocate {dependent} with {primary}")


def set_property(name: str, value: str) -> Fix:
    """The fix that sets a cluster property."""
    return Fix("POST", "properties/", {"name": name, "value": value}, f"set {name}={value}")
