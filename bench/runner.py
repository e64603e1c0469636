"""Benchmark: crm_mon over the runner's pooled SSH connection vs a fresh `ssh` per command.

Run with the lab up: `.venv/bin/python bench/runner.py [--count N]`. Prints the
per-command wall time (p50/p95) of each way and the ratio, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hacore.commands.pacemaker import CRM_MON_XML
from hacore.runner import SshPool
from tests.labutil import Lab


def quantiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


async def pooled(lab: Lab, count: int) -> tuple[list[float], float]:
    """count sequential crm_mon calls on one pooled connection, and one round on 3 nodes."""
    samples: list[float] = []
    async with SshPool() as pool:
        await pool.run(lab.target(1), ["true"])  # connect outside the measurement
        for _ in range(count):
            started = time.perf_counter()
            result = await pool.run(lab.target(1), CRM_MON_XML)
            samples.append(time.perf_counter() - started)
            assert result.ok, result.stderr
        for number in (2, 3):
            await pool.run(lab.target(number), ["true"])
        started = time.perf_counter()
        await asyncio.gather(*(pool.run(lab.target(n), CRM_MON_XML) for n in (1, 2, 3)))
        fan_out = time.perf_counter() - started
    return samples, fan_out


def fresh_ssh(lab: Lab, count: int) -> list[float]:
    """count crm_mon calls, each with a new OpenSSH client connection (the baseline)."""
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "id"
        key.write_text(lab.private_key)
        key.chmod(0o600)
        known = Path(tmp) / "known_hosts"
        known.write_text(lab.known_hosts)
        argv = [
            "ssh",
            "-i",
            str(key),
            "-o",
            f"UserKnownHostsFile={known}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-F",
            "/dev/null",
            f"root@{lab.nodes[0].address}",
            *CRM_MON_XML,
        ]
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=True)
            samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    """Measure both ways and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=50)
    count = parser.parse_args().count
    lab = Lab()
    ours, fan_out = asyncio.run(pooled(lab, count))
    base = fresh_ssh(lab, count)
    o50, o95 = quantiles(ours)
    b50, b95 = quantiles(base)
    print(f"crm_mon XML on node1, {count} calls each")
    print(f"  runner, pooled asyncssh : p50 {o50:7.1f} ms  p95 {o95:7.1f} ms")
    print(f"  baseline, fresh ssh     : p50 {b50:7.1f} ms  p95 {b95:7.1f} ms")
    print(f"  ratio baseline/runner (p50): {b50 / o50:.1f}x")
    print(f"  one round of crm_mon on 3 nodes at once (pooled): {fan_out * 1000:.1f} ms")


if __name__ == "__main__":
    main()
