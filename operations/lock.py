"""One operation at a time per cluster: a lock in Redis that proves its holder is alive.

The lock's value is the operation id; its holder renews it every RENEW seconds for TTL.
An operation marked running whose lock is gone (or held by another) lost its worker.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import redis
from django.conf import settings

from operations.leases import RELEASE_SCRIPT, RENEW_SCRIPT

TTL_MS = 15_000
RENEW = 5.0


def lock_key(cluster_id: int) -> str:
    """The Redis key of a cluster's operation lock."""
    return f"haconsole:operation-lock:cluster:{cluster_id}"


def client() -> redis.Redis:
    """A Redis client on the console's Redis."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=10)


class ClusterLock:
    """The operation lock of one cluster, held for one operation."""

    def __init__(self, cluster_id: int, operation_id: int, conn: redis.Redis | None = None) -> None:
        self.key = lock_key(cluster_id)
        self.owner = str(operation_id)
        self.conn = conn or client()

    def acquire(self, wait: float) -> bool:
        """Take the lock, waiting up to `wait` seconds for the operation before this one."""
        deadline = time.monotonic() + wait
        while not self.conn.set(self.key, self.owner, nx=True, px=TTL_MS):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)
        return True

    def renew(self) -> bool:
        """Extend the lock; False if it is no longer ours."""
        return bool(self.conn.eval(RENEW_SCRIPT, 1, self.key, self.owner, TTL_MS))

    @contextlib.contextmanager
    def kept(self) -> Iterator[None]:
        """Renew the lock every RENEW seconds from a thread while the block runs (for
        synchronous holders; an async one renews from its own task)."""
        done = threading.Event()

        def keep() -> None:
            while not done.wait(RENEW):
                self.renew()

        keeper = threading.Thread(target=keep, name=f"lock-{self.key}", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            done.set()
            keeper.join()

    def release(self) -> None:
        """Give the lock back if it is still ours."""
        self.conn.eval(RELEASE_SCRIPT, 1, self.key, self.owner)


def holder(cluster_id: int, conn: redis.Redis | None = None) -> str | None:
    """The id of the operation holding the cluster's lock, if any."""
    value = (conn or client()).get(lock_key(cluster_id))
    return value.decode() if isinstance(value, bytes) else None
