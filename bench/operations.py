"""Benchmark: what staging, previewing and pushing a change costs, next to doing it by hand.

Run with the lab up: `.venv/bin/python bench/operations.py [--rounds 5]`. Against lab
node1 over one pooled SSH connection (no Celery, no database: the steps a worker runs),
each round times three changes, each planned (executor.plan) and applied
(executor.apply), next to the command an operator types:

- standby node3 (by hand: `pcs node standby node3`): staged with crm_attribute on the
  copy, pushed as a diff (crm_diff + cibadmin --patch);
- move dummy1 (given a stickiness for the run, so that a move holds) to another node
  (by hand: `pcs resource move dummy1 NODE`): the plan
  stages the move constraint with crm_resource and makes the two simulations pcs makes
  (the Hold); the apply is pcs's own live move, which waits for the resource to move;
- create a Dummy resource (by hand: `pcs resource create ...`): `pcs -f` on the copy (pcs
  checks the agent's parameters), pushed as a diff.

It prints the p50 of each in ms and, per change, the ratio of plan+apply to the
command by hand. What each change leaves is undone between rounds, untimed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hacore.runner import SshPool  # noqa: E402
from nodes import changes as node_changes  # noqa: E402
from operations import executor  # noqa: E402
from operations.change import Change  # noqa: E402
from resources import changes as resource_changes  # noqa: E402
from tests.labutil import Lab  # noqa: E402

BENCH_RESOURCE = "bench_dummy"
STICKY = ["pcs", "resource", "meta", "dummy1"]
Run = Callable[[list[str]], Awaitable[object]]


async def ignore(step: executor.Step) -> None:
    """The benchmark keeps no record of the steps."""


async def timed(took: list[float], work: Awaitable[object]) -> None:
    """Await work, noting how long it took."""
    started = time.perf_counter()
    await work
    took.append(time.perf_counter() - started)


async def where(session: executor.NodeSession, rid: str) -> str:
    """The node rid runs on now."""
    out = (await session.run(["crm_resource", "--locate", "--resource", rid])).stdout
    return out.strip().rsplit(" ", 1)[-1]


async def settle(session: executor.NodeSession) -> None:
    """Wait until the cluster has no transition in flight (untimed)."""
    await session.run(["crm_resource", "--wait", "--timeout", "60"], timeout=90)


def one_kind(name: str) -> dict[str, list[float]]:
    return {f"{name}: by hand": [], f"{name}: plan": [], f"{name}: apply": []}


async def standby_round(session: executor.NodeSession, took: dict[str, list[float]]) -> None:
    await timed(took["standby: by hand"], session.run(["pcs", "node", "standby", "node3"]))
    await session.run(["pcs", "node", "unstandby", "node3"])
    await settle(session)
    change = node_changes.node_standby("node3")
    await timed(took["standby: plan"], executor.plan(session, change))
    await timed(took["standby: apply"], executor.apply(session, change, None))
    await session.run(["pcs", "node", "unstandby", "node3"])
    await settle(session)


async def move_round(session: executor.NodeSession, took: dict[str, list[float]]) -> None:
    here = await where(session, "dummy1")
    there = next(n for n in ("node1", "node2", "node3") if n != here)
    await timed(took["move: by hand"], session.run(["pcs", "resource", "move", "dummy1", there]))
    await settle(session)
    change = resource_changes.resource_move("dummy1", here)
    await timed(took["move: plan"], executor.plan(session, change))
    await timed(took["move: apply"], executor.apply(session, change, None))
    await settle(session)


async def create_round(session: executor.NodeSession, took: dict[str, list[float]]) -> None:
    argv = ["pcs", "resource", "create", BENCH_RESOURCE, "ocf:heartbeat:Dummy"]
    await timed(took["create: by hand"], session.run(argv))
    await session.run(["pcs", "resource", "delete", BENCH_RESOURCE])
    await settle(session)
    change: Change = resource_changes.resource_create(
        BENCH_RESOURCE, "ocf:heartbeat:Dummy", None, None, None
    )
    await timed(took["create: plan"], executor.plan(session, change))
    await timed(took["create: apply"], executor.apply(session, change, None))
    await session.run(["pcs", "resource", "delete", BENCH_RESOURCE])
    await settle(session)


async def rounds(the_lab: Lab, count: int) -> dict[str, list[float]]:
    """Seconds per round of each way of doing each change."""
    took = {**one_kind("standby"), **one_kind("move"), **one_kind("create")}
    async with SshPool() as pool:
        target = the_lab.target(1)
        session = executor.NodeSession(pool, target, ignore)
        await pool.run(target, ["true"])  # connected before timing
        await session.run(["pcs", "resource", "delete", BENCH_RESOURCE], check=False)
        # the lab's resources have no stickiness: a move would not hold, pcs refuses it
        await session.run([*STICKY, "resource-stickiness=100"])
        try:
            for _ in range(count):
                await standby_round(session, took)
                await move_round(session, took)
                await create_round(session, took)
        finally:
            await session.run([*STICKY, "resource-stickiness="], check=False)
    return took


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    count = parser.parse_args().rounds
    took = asyncio.run(rounds(Lab(), count))
    p50 = {name: statistics.median(values) * 1000 for name, values in took.items()}
    print(f"standby, move and create on the lab, {count} rounds, p50 in ms")
    for name, value in p50.items():
        print(f"  {name:<16} {value:8.1f}")
    for kind in ("standby", "move", "create"):
        both = p50[f"{kind}: plan"] + p50[f"{kind}: apply"]
        hand = p50[f"{kind}: by hand"]
        print(f"  {kind}: plan + apply {both:.1f} ms = {both / hand:.2f}x the command by hand")


if __name__ == "__main__":
    main()
