"""Benchmark: what staging, previewing and pushing a change costs, next to doing it by hand.

Run with the lab up: `.venv/bin/python bench/operations.py [--rounds 5]`. Against lab
node1 over one pooled SSH connection, each round times, for `standby node3`:

- by hand: `pcs node standby node3` (and `unstandby`), the command an operator types;
- plan: executor.plan (mktemp, pcs cluster cib, cp, pcs -f, crm_simulate, cat x2, rm);
- apply: executor.apply (the same staging, crm_diff, pcs cluster cib-push, version read).

It prints the p50 of each in ms and the ratio of plan+apply to the hand-made command.
No Celery or database: the steps a worker runs, nothing around them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hacore.runner import SshPool  # noqa: E402
from nodes import changes  # noqa: E402
from operations import executor  # noqa: E402
from tests.labutil import Lab  # noqa: E402


async def ignore(step: executor.Step) -> None:
    """The benchmark keeps no record of the steps."""


async def rounds(the_lab: Lab, count: int) -> dict[str, list[float]]:
    """Seconds per round of each way of doing it."""
    took: dict[str, list[float]] = {"by hand": [], "plan": [], "apply": []}
    async with SshPool() as pool:
        target = the_lab.target(1)
        session = executor.NodeSession(pool, target, ignore)
        await pool.run(target, ["true"])  # connected before timing
        for _ in range(count):
            started = time.perf_counter()
            await session.run(["pcs", "node", "standby", "node3"])
            took["by hand"].append(time.perf_counter() - started)
            await session.run(["pcs", "node", "unstandby", "node3"])
            await asyncio.sleep(1)
            change = changes.node_standby("node3")
            started = time.perf_counter()
            await executor.plan(session, change)
            took["plan"].append(time.perf_counter() - started)
            started = time.perf_counter()
            await executor.apply(session, change, None)
            took["apply"].append(time.perf_counter() - started)
            await session.run(["pcs", "node", "unstandby", "node3"])
            await asyncio.sleep(1)
    return took


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    count = parser.parse_args().rounds
    took = asyncio.run(rounds(Lab(), count))
    p50 = {name: statistics.median(values) * 1000 for name, values in took.items()}
    print(f"standby node3 on the lab, {count} rounds, p50 in ms")
    for name, value in p50.items():
        print(f"  {name:<8} {value:8.1f}")
    both = p50["plan"] + p50["apply"]
    print(f"  plan + apply {both:.1f} ms = {both / p50['by hand']:.1f}x the command by hand")


if __name__ == "__main__":
    main()
