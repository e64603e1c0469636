"""`manage.py monitor`: watchers for every cluster, each cluster held by one process.

A cluster is watched by the process holding its lease in Redis (SET NX with a TTL,
renewed every RENEW seconds). Run as many monitor processes as you like: each takes the
clusters nobody holds, and takes over those whose holder stopped renewing. Each round
also looks for operations left running by a Celery worker that died (their lock expired).
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import signal
import socket
import threading
import uuid

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings

from clusters.models import Cluster
from clusters.monitor import ClusterWatcher, WatchSettings
from operations import tasks
from operations.leases import RELEASE_SCRIPT, RENEW_SCRIPT
from operations.reconcile import mark_interrupted

log = logging.getLogger(__name__)

LEASE_TTL_MS = 20_000
RENEW = 5.0


def lease_key(cluster_id: int) -> str:
    """The Redis key of a cluster's monitor lease."""
    return f"haconsole:monitor:cluster:{cluster_id}"


class Leases:
    """Leases held by this process."""

    def __init__(self, client: aioredis.Redis, owner: str) -> None:
        self.client = client
        self.owner = owner

    async def acquire(self, cluster_id: int) -> bool:
        """Take the lease if nobody holds it."""
        got = await self.client.set(lease_key(cluster_id), self.owner, nx=True, px=LEASE_TTL_MS)
        return bool(got)

    async def renew(self, cluster_id: int) -> bool:
        """Extend the lease; False if it is no longer ours."""
        kept = await self.client.eval(
            RENEW_SCRIPT, 1, lease_key(cluster_id), self.owner, LEASE_TTL_MS
        )
        return bool(kept)

    async def release(self, cluster_id: int) -> None:
        """Give the lease back (only if it is still ours)."""
        await self.client.eval(RELEASE_SCRIPT, 1, lease_key(cluster_id), self.owner)


class Monitor:
    """Starts and stops watchers as leases are won and lost."""

    def __init__(self, timing: WatchSettings | None = None) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.timing = timing or WatchSettings()
        self.watchers: dict[int, asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Until cancelled: every RENEW seconds, renew, take free leases, reap watchers."""
        client = aioredis.Redis.from_url(settings.REDIS_URL)
        leases = Leases(client, self.owner)
        log.info("monitor %s started", self.owner)
        try:
            while True:
                await self._round(leases)
                await asyncio.sleep(RENEW)
        finally:
            for cluster_id, task in self.watchers.items():
                task.cancel()
                await leases.release(cluster_id)
            await asyncio.gather(*self.watchers.values(), return_exceptions=True)
            await client.aclose()

    async def _round(self, leases: Leases) -> None:
        await _reap_interrupted()
        wanted = set(await _cluster_ids())
        for cluster_id, task in list(self.watchers.items()):
            if cluster_id not in wanted or task.done() or not await leases.renew(cluster_id):
                self._stop(cluster_id)
                await leases.release(cluster_id)
        for cluster_id in sorted(wanted - set(self.watchers)):
            if await leases.acquire(cluster_id):
                log.info("watching cluster %s", cluster_id)
                watcher = ClusterWatcher(cluster_id, self.timing)
                self.watchers[cluster_id] = asyncio.create_task(watcher.run())

    def _stop(self, cluster_id: int) -> None:
        task = self.watchers.pop(cluster_id)
        if task.done() and not task.cancelled() and task.exception():
            log.error("watcher of cluster %s failed: %r", cluster_id, task.exception())
        task.cancel()


@sync_to_async
def _reap_interrupted() -> None:
    """Operations whose worker died: interrupted now, reconciled by the next worker."""
    for pk in mark_interrupted():
        tasks.reconcile_operation.delay(pk)


@sync_to_async
def _cluster_ids() -> list[int]:
    return list(Cluster.objects.values_list("id", flat=True))


def run_monitor(timing: WatchSettings | None = None) -> None:
    """Run the monitor in the foreground until SIGINT/SIGTERM, then give the leases back.

    After the signal it has SHUTDOWN_GRACE seconds to end; past that a watchdog prints
    every thread's stack and ends the process (leases it kept expire by themselves).
    SIGUSR1 prints the stacks too, for a monitor that seems stuck.
    """
    faulthandler.register(signal.SIGUSR1, all_threads=True)

    async def main() -> None:
        work = asyncio.create_task(Monitor(timing).run())
        loop = asyncio.get_running_loop()

        def stop() -> None:
            _start_watchdog()
            work.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        with contextlib.suppress(asyncio.CancelledError):
            await work

    asyncio.run(main())


SHUTDOWN_GRACE = 8.0


def _start_watchdog() -> None:
    def expire() -> None:
        log.error("monitor still running %.0f s after the stop signal; exiting", SHUTDOWN_GRACE)
        faulthandler.dump_traceback(all_threads=True)
        os._exit(1)

    timer = threading.Timer(SHUTDOWN_GRACE, expire)
    timer.daemon = True
    timer.start()
