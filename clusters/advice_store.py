"""The advisor's findings, kept per cluster in Redis until the status changes.

The advice is computed when someone asks for it (GET .../advice/) and kept with two
keys taken from the mirrored status snapshot: `status_key` (the whole snapshot but its
read time: any change of the configuration or of the status moves it) for the rules,
and `fence_key` (the last configuration change and the nodes online) for the fence path
check, which asks every fence device and is only repeated when the configuration or
the membership changed. Either part is also redone once older than ADVICE_MAX_AGE. The
pages and the wall show the count from here without reading anything from the nodes.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import redis
from django.conf import settings

from clusters.models import Cluster

Json = dict[str, Any]
KEEP = 30 * 86400  # seconds a cluster's entry outlives its last computation
FAILED_FOR = 60  # seconds a failed computation is not retried on the same status
BUSY_FOR = 180  # seconds: the longest a computation may hold the cluster's busy flag
_LEVELS = {"critical": 0, "warning": 1, "info": 2}
_clients: list[redis.Redis] = []


def client() -> redis.Redis:
    """The process's Redis client (one connection pool)."""
    if not _clients:
        _clients.append(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5))
    return _clients[0]


def key(cluster_id: int) -> str:
    """The Redis key of a cluster's advice."""
    return f"haconsole:advice:cluster:{cluster_id}"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def status_key(cluster: Cluster, snapshot: Json | None) -> str:
    """What the rules depend on: the whole status snapshot but the time it was read,
    and the stalled resyncs the DRBD watch reports (no status change shows them)."""
    data = dict(snapshot or {})
    data["summary"] = {k: v for k, v in (data.get("summary") or {}).items() if k != "last_update"}
    data["stalled_resyncs"] = cluster.stalled_resyncs
    return _digest(data)


def fence_key(snapshot: Json | None) -> str:
    """What the fence path check depends on: the last configuration change (crm_mon's
    last_change, its user, client and origin) and which nodes are online."""
    data = snapshot or {}
    summary = data.get("summary") or {}
    change = [summary.get(k) for k in ("last_change", "last_change_user", "last_change_client")]
    change.append(summary.get("last_change_origin"))
    online = sorted(n.get("name") for n in data.get("nodes") or [] if n.get("online"))
    return _digest([change, online])


@dataclass
class Entry:
    """One cluster's advice as computed, with what it was computed from."""

    cluster_created: str
    status_key: str
    fence_key: str
    computed_at: str
    read_from: str
    cib_version: str
    operation: int
    findings: list[Json]
    fence_checked_at: str
    fence_findings: list[Json]
    fence_paths: int
    first_seen: dict[str, str] = field(default_factory=dict)

    def all_findings(self) -> list[Json]:
        """The rules' findings and the fence path check's, critical first."""
        every = [*self.findings, *self.fence_findings]
        return sorted(every, key=lambda f: _LEVELS.get(str(f.get("severity")), 3))

    def counts(self) -> dict[str, int]:
        """How many findings of each severity."""
        every = self.all_findings()
        return {level: sum(1 for f in every if f.get("severity") == level) for level in _LEVELS}


def _created(cluster: Cluster) -> str:
    return cluster.created.isoformat() if cluster.created else ""


def load(cluster: Cluster) -> Entry | None:
    """The cluster's stored advice (None: none, unreadable, Redis down, or made for
    another cluster that had the same id before a database reset)."""
    try:
        raw = client().get(key(cluster.pk))
        entry = Entry(**json.loads(raw)) if raw else None
    except (redis.RedisError, ValueError, TypeError):
        return None
    return entry if entry and entry.cluster_created == _created(cluster) else None


def save(cluster: Cluster, entry: Entry) -> None:
    """Store the cluster's advice."""
    entry.cluster_created = _created(cluster)
    client().set(key(cluster.pk), json.dumps(asdict(entry)), ex=KEEP)


@dataclass
class Failure:
    """A computation that could not read the cluster: why, when, on which status."""

    status_key: str
    at: str
    reason: str
    operation: int | None


def note_failure(cluster: Cluster, failure: Failure) -> None:
    """Remember a failed computation for a minute (pages do not retry it meanwhile)."""
    client().set(f"{key(cluster.pk)}:failed", json.dumps(asdict(failure)), ex=FAILED_FOR)


def failure(cluster: Cluster, snapshot: Json | None) -> Failure | None:
    """The last failed computation, if it was made on the status shown now."""
    try:
        raw = client().get(f"{key(cluster.pk)}:failed")
        found = Failure(**json.loads(raw)) if raw else None
    except (redis.RedisError, ValueError, TypeError):
        return None
    return found if found and found.status_key == status_key(cluster, snapshot) else None


def age(stamp: str, now: datetime.datetime) -> float:
    """Seconds since an ISO time ("" is infinitely old)."""
    if not stamp:
        return float("inf")
    return (now - datetime.datetime.fromisoformat(stamp)).total_seconds()


def summary(cluster: Cluster, snapshot: Json | None) -> Json | None:
    """The count the pages and the wall show: per severity, when it was computed,
    whether it was computed on the status shown now (`current`), and why the last try
    on this status failed (`error`, else ""). None if never computed nor tried."""
    entry, failed = load(cluster), failure(cluster, snapshot)
    if entry is None and failed is None:
        return None
    counts = entry.counts() if entry else dict.fromkeys(_LEVELS, 0)
    return {
        "count": sum(counts.values()),
        **counts,
        "computed_at": entry.computed_at if entry else "",
        "current": entry is not None and entry.status_key == status_key(cluster, snapshot),
        "error": failed.reason if failed else "",
    }


@contextlib.contextmanager
def computing(cluster_id: int, wait: float = 60.0) -> Iterator[bool]:
    """Hold the cluster's "advice being computed" flag; if someone else holds it, wait
    (up to `wait` s) for them first. Yields whether the caller waited for another."""
    conn, flag = client(), f"{key(cluster_id)}:busy"
    waited, deadline = False, time.monotonic() + wait
    held = bool(conn.set(flag, "1", nx=True, ex=BUSY_FOR))
    while not held and time.monotonic() < deadline:
        waited = True
        time.sleep(0.3)
        held = bool(conn.set(flag, "1", nx=True, ex=BUSY_FOR))
    try:
        yield waited
    finally:
        if held:
            conn.delete(flag)
