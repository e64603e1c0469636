"""The advisor, served: read what the rules need from a node, run them and the fence
path check, keep the result (clusters/advice_store.py) until the status changes.

One recorded read operation (`read.advice`) per computation, on the first node that
answers: `cibadmin --query` (the whole CIB, recorded by its size only: it holds the fence
devices' passwords), `crm_mon --one-shot --inactive --output-as=xml`, `corosync-cmapctl
quorum.`, `stonith_admin --list NODE` per node and, when the fence paths are due, each
fence agent's metadata and its status for each node's plug (clusters/fencepath.py).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone

from clusters import advice_store as store
from clusters.advice_drbd import read_drbd
from clusters.advice_libvirt import read_libvirt
from clusters.fencepath import Where, check_paths, read_claims
from clusters.mirror import publish, touch
from clusters.models import Cluster
from hacore.advice.fencing import PathCheck, judge
from hacore.advice.model import Facts, Since
from hacore.advice.rules import advise, read_facts
from hacore.commands import corosync, pacemaker
from hacore.pacemaker.cib import cib_version
from hacore.pacemaker.constraints import Constraint
from hacore.pacemaker.corosync import CmapError
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine
from operations.directory import ClusterRef, directory
from operations.errors import OperationError
from operations.executor import NodeSession
from operations.models import Operation, OperationStatus

Json = dict[str, Any]
SUMMARY = "advice: read the CIB, status and quorum; ask the fence devices"


@dataclasses.dataclass(frozen=True)
class Advice:
    """The findings served: the stored entry they come from (None: none yet), whether
    it was reused, and why computing it now failed (then the findings say so first)."""

    entry: store.Entry | None
    cached: bool
    failed: store.Failure | None = None

    @property
    def findings(self) -> list[Json]:
        """Every finding, critical first; a failure to read the cluster comes first."""
        stored = self.entry.all_findings() if self.entry else []
        if self.failed is None:
            return stored
        return [unavailable(self.failed, self.entry), *stored]


def unavailable(failed: store.Failure, entry: store.Entry | None) -> Json:
    """The finding that says the advice could not be computed now (never an empty
    list in its place: that would say all is well)."""
    op = f" (operation #{failed.operation})" if failed.operation else ""
    then = (
        f"The findings below are those computed at {entry.computed_at}."
        if entry
        else "Nothing could be checked."
    )
    return {
        "rule": "advice_unavailable",
        "severity": "warning",
        "detail": f"The advisor could not read the cluster: {failed.reason}{op}. {then}",
        "objects": [],
        "fix": None,
    }


@dataclasses.dataclass(frozen=True)
class Read:
    """What one computation read on the cluster."""

    facts: Facts
    version: str
    checks: list[PathCheck] | None


def advice(where: ClusterRef, user: Any, refresh: bool = False) -> Advice:
    """The cluster's advice: the stored one while it is current, else computed now
    (refresh: computed now in any case). When the cluster cannot be read, the answer
    says so (a failure is not retried on the same status for a minute)."""
    cluster = Cluster.objects.get(pk=where.id)
    entry = store.load(cluster)
    if not refresh and entry is not None and _current(entry, cluster):
        return Advice(entry, cached=True)
    failed = None if refresh else store.failure(cluster, cluster.snapshot)
    if failed is not None:
        return Advice(entry, cached=True, failed=failed)
    with store.computing(cluster.pk) as waited:
        if waited and not refresh:
            cluster.refresh_from_db()
            entry = store.load(cluster)
            if entry is not None and _current(entry, cluster):
                return Advice(entry, cached=True)
        try:
            new = compute(where, cluster, user, entry, refresh)
        except engine.PlanFailed as exc:
            failed = store.Failure(
                store.status_key(cluster, cluster.snapshot),
                timezone.now().isoformat(),
                str(exc),
                exc.operation.pk,
            )
            store.note_failure(cluster, failed)
        else:
            store.save(cluster, new)
    if failed is not None:  # the answer says why; pages and walls keep what they show
        return Advice(entry, cached=False, failed=failed)
    publish(touch(cluster.pk))
    return Advice(new, cached=False)


def _current(entry: store.Entry, cluster: Cluster) -> bool:
    if entry.status_key != store.status_key(cluster, cluster.snapshot):
        return False
    return store.age(entry.computed_at, timezone.now()) < settings.ADVICE_MAX_AGE


def _fence_due(entry: store.Entry | None, snapshot: Json | None) -> bool:
    if entry is None or entry.fence_key != store.fence_key(snapshot):
        return True
    return store.age(entry.fence_checked_at, timezone.now()) >= settings.ADVICE_MAX_AGE


def compute(
    where: ClusterRef,
    cluster: Cluster,
    user: Any,
    previous: store.Entry | None,
    refresh: bool = False,
) -> store.Entry:
    """Read the cluster, run the rules, and the fence path check when due (refresh:
    in any case)."""
    snapshot, now = cluster.snapshot, timezone.now()
    fence_due = refresh or _fence_due(previous, snapshot)
    places = Where({p.name: p for p in directory().places(where.id)}, settings.FENCE_AGENT_DIR)
    op = engine.dry_run(where, user, "read.advice", SUMMARY)
    read = engine.run_on(op, lambda session: _read(session, places, fence_due, now))
    engine.finish(op, OperationStatus.SUCCEEDED)
    seen = dict(previous.first_seen) if previous else {}
    since, first_seen = cli_since(where.id, read.facts.constraints, seen, now)
    stalls = tuple(cluster.stalled_resyncs)
    facts = dataclasses.replace(read.facts, since=since, stalled_resyncs=stalls)
    findings = [f.as_dict(where.id) for f in advise(facts)]
    fence, fence_at, paths = _fence_part(where.id, read, previous, now)
    return store.Entry(
        cluster_created="",
        status_key=store.status_key(cluster, snapshot),
        fence_key=store.fence_key(snapshot),
        computed_at=now.isoformat(),
        read_from=op.node,
        cib_version=read.version,
        operation=op.pk,
        findings=findings,
        fence_checked_at=fence_at,
        fence_findings=fence,
        fence_paths=paths,
        first_seen=first_seen,
    )


def _fence_part(
    cluster_id: int, read: Read, previous: store.Entry | None, now: datetime.datetime
) -> tuple[list[Json], str, int]:
    """The fence path findings, when they were checked, how many paths: new ones if the
    check ran, else the previous ones."""
    if read.checks is None:
        if previous is None:
            return [], "", 0
        return previous.fence_findings, previous.fence_checked_at, previous.fence_paths
    online = set(read.facts.online())
    judged = (judge(c, c.node in online) for c in read.checks)
    found = [f.as_dict(cluster_id) for f in judged if f is not None]
    return found, now.isoformat(), len(read.checks)


async def _read(
    session: NodeSession, where: Where, fence_due: bool, now: datetime.datetime
) -> Read:
    cib = await session.query_cib()
    mon = (await session.run(pacemaker.CRM_MON_XML)).stdout
    quorum = (await session.run(corosync.CMAP_QUORUM)).stdout
    try:
        facts = read_facts(cib, mon, quorum, now=now)
        version = cib_version(cib)
    except (ParseError, CmapError) as exc:
        raise OperationError(f"unreadable output: {exc}") from exc
    claims = await read_claims(session, facts.member_nodes())
    facts = dataclasses.replace(facts, claims=claims, **await read_libvirt(session, facts))
    facts = dataclasses.replace(facts, **await read_drbd(session, facts))
    checks = await check_paths(session, facts, claims, where) if fence_due else None
    return Read(facts, version, checks)


def cli_since(
    cluster_id: int,
    constraints: Iterable[Constraint],
    first_seen: Mapping[str, str],
    now: datetime.datetime,
) -> tuple[dict[str, Since], dict[str, str]]:
    """When each cli-prefer/cli-ban constraint appeared: the console's own operation
    that added it, else the first time the console saw it; and the first-seen times to
    keep (only those of constraints still there)."""
    cli = [c.id for c in constraints if c.is_cli]
    seen = {cid: first_seen.get(cid, now.isoformat()) for cid in cli}
    since = {}
    for cid in cli:
        made = _made_by(cluster_id, cid)
        if made is not None:
            since[cid] = made
        else:
            at = datetime.datetime.fromisoformat(seen[cid])
            since[cid] = Since(at, "first seen by the console")
    return since, seen


def _made_by(cluster_id: int, cid: str) -> Since | None:
    """The console's latest operation whose CIB diff added the constraint."""
    marker = f'id="{cid}"'
    ops = Operation.objects.filter(
        cluster_id=cluster_id,
        dry_run=False,
        status=OperationStatus.SUCCEEDED,
        cib_diff__contains=marker,
    ).order_by("-finished", "-pk")
    for op in ops.select_related("user")[:10]:
        added = any(line.startswith("+") and marker in line for line in op.cib_diff.splitlines())
        if added and op.finished:
            who = op.user.get_username() if op.user else "someone"
            return Since(op.finished, f"made by {who} through the console, operation #{op.pk}")
    return None
