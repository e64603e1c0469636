"""When the console last had live contact with each cluster: its watcher's heartbeat.

A watcher with a live change stream on a node notes the contact every HEARTBEAT seconds
(and on every read) in one Redis hash, and pushes it to the pages. A status whose last
contact is older than STALE_AFTER seconds is stale: shown grey with "no contact for N s",
whether the node went silent, the network did, or no monitor watches the cluster at all
(which is not the cluster being down, and is never shown so).
"""

from __future__ import annotations

import datetime
import functools
import time
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

KEY = "haconsole:contact"
HEARTBEAT = 2.0
STALE_AFTER = 5.0


@dataclass(frozen=True)
class Contact:
    """The last live contact with a cluster (at: Unix time; None: never)."""

    at: float | None = None
    node: str = ""

    def stale(self, now: float | None = None) -> bool:
        """No contact, or none for STALE_AFTER seconds."""
        return self.at is None or (now or time.time()) - self.at > STALE_AFTER

    def as_json(self, now: float | None = None) -> dict[str, Any]:
        """The API form: when, through which node, whether it is stale now."""
        at = (
            datetime.datetime.fromtimestamp(self.at, datetime.UTC).isoformat()
            if self.at is not None
            else None
        )
        return {"at": at, "node": self.node or None, "stale": self.stale(now)}


def _parse(value: bytes | str | None) -> Contact:
    if not value:
        return Contact()
    text = value.decode() if isinstance(value, bytes) else value
    at, _, node = text.partition("|")
    return Contact(float(at), node)


def _client() -> redis.Redis:
    """This process's client (its pool keeps connections open; redis-py makes new ones
    after a fork). A client per call opened a TCP connection per call: a sixth of the
    monitor's CPU with 100 clusters (bench/many_clusters.py)."""
    return _client_for(settings.REDIS_URL)


@functools.lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5)


def contacts(cluster_ids: list[int]) -> dict[int, Contact]:
    """The last contact of each cluster (one Redis round trip)."""
    if not cluster_ids:
        return {}
    values = _client().hmget(KEY, [str(i) for i in cluster_ids])
    return {i: _parse(v) for i, v in zip(cluster_ids, values, strict=True)}


async def note(client: aioredis.Redis, cluster_id: int, node: str) -> Contact:
    """Record a live contact with the cluster through node, now."""
    contact = Contact(time.time(), node)
    await client.hset(KEY, str(cluster_id), f"{contact.at}|{node}")
    return contact
