"""One event loop per process for the work on nodes, holding one SSH pool kept warm.

The web process (plans, reads) and each Celery worker process (applies) ran every
piece of work in its own `asyncio.run` with its own SSH pool, so every API call paid a
new SSH connection (key exchange and authentication) before its first command. Here
the work of a process runs on one long-lived loop in a daemon thread, and its runners
borrow that loop's pool: a node already connected to is reached at once (after a
keepalive request that checks it still answers, `SshPool.connect`). Connections unused
for `SSH_IDLE_CLOSE` seconds are closed. A process that forks (Celery's prefork pool)
starts its own loop on first use: the parent's thread does not cross a fork.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from hacore.runner import CommandResult, SshPool, Target

T = TypeVar("T")

REAP_EVERY = 60.0  # seconds between looks for idle connections


class Borrowed:
    """A runner that uses the warm loop's pool and leaves it open when closed."""

    def __init__(self, pool: SshPool) -> None:
        self.pool = pool

    async def connect(self, target: Target) -> None:
        """Reach the node now (see SshPool.connect)."""
        await self.pool.connect(target)

    async def run(
        self,
        target: Target,
        argv: Sequence[str],
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """Run argv on the node over the pooled connection."""
        return await self.pool.run(target, argv, timeout, stdin)

    def stream(self, target: Target, argv: Sequence[str]) -> AsyncIterator[str]:
        """Run a long-lived argv and yield its output lines."""
        return self.pool.stream(target, argv)

    async def close(self) -> None:
        """Nothing: the pool stays warm for the next piece of work."""

    async def __aenter__(self) -> Borrowed:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class WarmLoop:
    """A loop in a daemon thread of this process, and the pool that lives on it."""

    def __init__(self, pool: SshPool, idle_close: float) -> None:
        self.pool = pool
        self.idle_close = idle_close
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="haconsole-nodes", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.create_task(self._reap())
        self.loop.run_forever()

    async def _reap(self) -> None:
        while True:
            await asyncio.sleep(REAP_EVERY)
            with contextlib.suppress(Exception):
                await self.pool.close_idle(self.idle_close)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run coro on the loop and wait for its result (from any thread but the loop's)."""
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("work on nodes started from the nodes' own loop would deadlock")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def running_here(self) -> bool:
        """Whether the caller runs on this loop."""
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False


_loops: dict[int, WarmLoop] = {}  # by process id: a forked child starts its own
_guard = threading.Lock()


def warm_loop(make_pool: Callable[[], SshPool], idle_close: float) -> WarmLoop:
    """This process's warm loop, started on first use (and again after a fork)."""
    with _guard:
        here = _loops.get(os.getpid())
        if here is None:
            here = _loops[os.getpid()] = WarmLoop(make_pool(), idle_close)
        return here


def current() -> WarmLoop | None:
    """This process's warm loop if it started, else None."""
    return _loops.get(os.getpid())
