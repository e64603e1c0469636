"""Benchmark: CPU the console's watching costs on a node, idle and during changes.

Run with the lab up: `.venv/bin/python bench/watch_cost.py [--seconds 30]`. It adds the
lab cluster to a throw-away SQLite database, then measures the CPU time of every
process in each lab node's network namespace (pacemaker, corosync, sshd and whatever
the console runs there) over equal windows:

1. baseline: no monitor running;
2. the monitor watching, idle;
3. changes once a second (standby/unstandby of node3), without and with the monitor.
The number of open browsers does not enter: the monitor is one per cluster and browsers
only talk to the console.

It prints ms of CPU per second per node and the monitor's share (window minus baseline).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.console import add_lab_cluster, console_env, start  # noqa: E402
from tests.labutil import Lab, lab  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def netns_cpu(node: str) -> float:
    """Seconds of CPU used so far by the processes in node's namespace (with reaped children)."""
    pids = subprocess.run(
        ["ip", "netns", "pids", f"haconsole-lab-{node}"], capture_output=True, text=True, check=True
    ).stdout.split()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def window(nodes: list[str], seconds: float, during: list[str] | None = None) -> dict[str, float]:
    """ms of CPU per second per node over a window, optionally running changes meanwhile."""
    before = {n: netns_cpu(n) for n in nodes}
    started = time.monotonic()
    if during:
        step = 0
        while time.monotonic() - started < seconds:
            lab("exec", "1", "pcs", "node", during[step % 2], "node3")
            step += 1
            time.sleep(1)
    else:
        time.sleep(seconds)
    elapsed = time.monotonic() - started
    return {n: (netns_cpu(n) - before[n]) * 1000 / elapsed for n in nodes}


def show(label: str, figures: dict[str, float], base: dict[str, float] | None = None) -> None:
    """One line of results."""
    parts = []
    for node, value in figures.items():
        extra = f" (+{value - base[node]:.2f})" if base else ""
        parts.append(f"{node} {value:6.2f}{extra}")
    print(f"  {label:<34} ms CPU/s: " + "  ".join(parts))


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    seconds = parser.parse_args().seconds
    the_lab = Lab()
    nodes = [n.name for n in the_lab.nodes]
    with tempfile.TemporaryDirectory() as tmp:
        env = console_env(tmp, redis_db=14)
        add_lab_cluster(env, the_lab)
        base = window(nodes, seconds)
        monitor = start(env, "monitor")
        try:
            time.sleep(5)  # connected, first read done
            idle = window(nodes, seconds)
            burst = window(nodes, seconds, during=["standby", "unstandby"])
        finally:
            monitor.terminate()
            monitor.wait(30)
        time.sleep(2)
        base_burst = window(nodes, seconds, during=["standby", "unstandby"])
        lab("exec", "1", "pcs", "node", "unstandby", "node3")
    print(f"node CPU, {seconds:g} s windows (all processes in each node's namespace)")
    show("no monitor, idle (baseline)", base)
    show("monitor watching, idle", idle, base)
    show("no monitor, standby/unstandby 1/s", base_burst)
    show("monitor watching, same changes", burst, base_burst)


if __name__ == "__main__":
    main()
