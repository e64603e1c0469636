"""The warm loop: one event loop per process for work on nodes, its pool kept open."""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.test import override_settings

from hacore.runner import SshPool
from operations import engine, warm
from tests.scripted import ScriptedRunner


def test_work_runs_on_the_loop_thread_and_its_runners_borrow_the_kept_pool() -> None:
    async def work() -> tuple[str, object, object]:
        first, second = engine.runner(), engine.runner()
        async with first:
            pass  # closing a borrowed runner leaves the pool open
        assert isinstance(first, warm.Borrowed)
        assert isinstance(second, warm.Borrowed)
        return threading.current_thread().name, first.pool, second.pool

    with override_settings(SSH_WARM=True):
        name, pool, again = engine.run_async(work())
        loop = warm.current()
    assert loop is not None
    assert name == "haconsole-nodes" != threading.current_thread().name
    assert pool is again is loop.pool
    assert isinstance(pool, SshPool)
    assert engine.run_async(asyncio.sleep(0, "same loop")) == "same loop"
    assert warm.current() is loop


def test_without_warm_fresh_or_with_a_scripted_runner_each_call_has_its_own_loop() -> None:
    async def where() -> str:
        return threading.current_thread().name

    with override_settings(SSH_WARM=False):
        assert engine.run_async(where()) == threading.current_thread().name
    with override_settings(SSH_WARM=True):  # work that checks access opens new connections
        assert engine.run_async(where(), fresh=True) == threading.current_thread().name
    scripted = ScriptedRunner()
    with override_settings(SSH_WARM=True), engine.use_runner(lambda: scripted):
        assert engine.run_async(where()) == threading.current_thread().name


def test_work_started_from_the_loop_itself_is_refused_not_deadlocked() -> None:
    async def nested() -> None:
        engine.run_async(asyncio.sleep(0))

    with (
        override_settings(SSH_WARM=True),
        pytest.raises(RuntimeError, match="would deadlock"),
    ):
        engine.run_async(nested())
