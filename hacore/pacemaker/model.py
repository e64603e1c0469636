"""What a cluster's status is made of: frozen dataclasses, no Django, no XML.

`status.py` fills these from `crm_mon --output-as=xml`; the monitor diffs two of them
and the mirror stores them. Times are timezone-aware datetimes (UTC) or None.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """A resource instance's role (crm_mon's `role`; legacy Master/Slave mapped)."""

    STOPPED = "Stopped"
    STARTING = "Starting"
    STARTED = "Started"
    STOPPING = "Stopping"
    PROMOTED = "Promoted"
    UNPROMOTED = "Unpromoted"
    MIGRATING = "Migrating"
    UNKNOWN = "Unknown"


class ResourceKind(StrEnum):
    """How a resource is built."""

    PRIMITIVE = "primitive"
    GROUP = "group"
    CLONE = "clone"
    BUNDLE = "bundle"


@dataclass(frozen=True)
class Summary:
    """crm_mon's <summary> plus the cluster options it reports."""

    stack: str | None = None
    dc: str | None = None
    dc_version: str | None = None
    quorate: bool | None = None
    last_update: datetime.datetime | None = None
    last_change: datetime.datetime | None = None
    last_change_user: str | None = None
    last_change_client: str | None = None
    last_change_origin: str | None = None
    nodes_configured: int = 0
    resources_configured: int = 0
    resources_disabled: int = 0
    resources_blocked: int = 0
    stonith_enabled: bool | None = None
    symmetric_cluster: bool | None = None
    no_quorum_policy: str | None = None
    maintenance_mode: bool = False
    stop_all_resources: bool = False


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
    standby_onfail: bool = False
    expected_up: bool = False
    node_type: str = "member"
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResourceStatus:
    """A resource: a primitive (with the nodes it is active on) or a collective of them.

    For a clone or bundle, `children` are its instances (each a primitive or a group);
    for a group, its members in order. `agent` is "class[:provider]:type" for primitives.
    `orphaned`: no longer configured (crm_mon's `removed`, formerly `orphaned`).
    `disabled`: crm_mon's own flag for clones and groups; for a primitive, target-role
    Stopped, or Unpromoted inside a promotable clone (Pacemaker's rule). A collective's
    role, active, nodes and failed summarise its members (crm_mon prints none of them
    for a collective, and never sets failed on one).
    """

    id: str
    kind: ResourceKind
    agent: str | None = None
    role: Role = Role.UNKNOWN
    target_role: str | None = None
    active: bool = False
    orphaned: bool = False
    blocked: bool = False
    managed: bool = True
    failed: bool = False
    failure_ignored: bool = False
    disabled: bool = False
    promotable: bool = False
    unique: bool = False
    nodes: tuple[str, ...] = ()
    pending: str | None = None
    description: str | None = None
    children: tuple[ResourceStatus, ...] = ()

    def walk(self) -> tuple[ResourceStatus, ...]:
        """This resource and every resource below it, depth first."""
        out: list[ResourceStatus] = [self]
        for child in self.children:
            out.extend(child.walk())
        return tuple(out)


@dataclass(frozen=True)
class FailedAction:
    """One of crm_mon's <failures>: an operation that failed, where, how, why.

    `resource` is named as crm_mon's resource list names it (an anonymous clone's
    instance "dummy:1" is "dummy"), None when the op_key tells nothing; `op_key` is
    crm_mon's op_key, or the CIB entry's id for CIBs without one. `exitreason` is ""
    when the operation gave none. See status_failures.py.
    """

    op_key: str
    node: str
    resource: str | None
    task: str | None
    interval_ms: int
    exitstatus: str
    exitcode: int | None
    exitreason: str
    status: str
    call: int | None
    last_rc_change: datetime.datetime | None


@dataclass(frozen=True)
class OperationRecord:
    """One entry of a node's resource operation history."""

    node: str
    resource: str
    task: str
    call: int | None
    interval_ms: int
    rc: int | None
    rc_text: str
    last_rc_change: datetime.datetime | None
    exec_time_ms: int | None
    queue_time_ms: int | None
    fail_count: int | None = None
    migration_threshold: int | None = None


@dataclass(frozen=True)
class FenceEvent:
    """One fencing action from crm_mon's <fence_history>."""

    target: str
    action: str
    status: str
    delegate: str | None
    client: str | None
    origin: str | None
    completed: datetime.datetime | None
    exit_reason: str | None = None


@dataclass(frozen=True)
class Ticket:
    """A ticket (multi-site clusters)."""

    id: str
    granted: bool
    standby: bool
    last_granted: datetime.datetime | None


@dataclass(frozen=True)
class ClusterStatus:
    """Everything one `crm_mon --one-shot --inactive --output-as=xml` said."""

    summary: Summary
    nodes: tuple[NodeStatus, ...]
    resources: tuple[ResourceStatus, ...] = ()
    failures: tuple[FailedAction, ...] = ()
    history: tuple[OperationRecord, ...] = ()
    fence_history: tuple[FenceEvent, ...] = ()
    tickets: tuple[Ticket, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def dc(self) -> str | None:
        """The designated controller's node name, if there is one."""
        return self.summary.dc

    @property
    def quorate(self) -> bool | None:
        """Whether the partition crm_mon ran in has quorum."""
        return self.summary.quorate

    def node(self, name: str) -> NodeStatus | None:
        """The node called name."""
        return next((n for n in self.nodes if n.name == name), None)

    def all_resources(self) -> tuple[ResourceStatus, ...]:
        """Every resource, collectives and their members, depth first."""
        out: list[ResourceStatus] = []
        for resource in self.resources:
            out.extend(resource.walk())
        return tuple(out)
