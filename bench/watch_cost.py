"""Benchmark: CPU the console's watching costs on a node, idle and during changes.

Run with the lab up: `.venv/bin/python bench/watch_cost.py [--seconds 30]`. It adds the
lab cluster to a throw-away SQLite database, then measures the CPU time of every
process in each lab node's network namespace (pacemaker, corosync, sshd and whatever
the console runs there) over equal windows:

1. baseline: no monitor running;
2. the monitor watching, idle;
3. changes once a second (standby/unstandby of node3), without and with the monitor.

With `--browsers 1,50` it then serves the console over HTTPS (Daphne) and opens that
many headless chromium pages on the lab cluster's live page, each with its own
WebSocket, and measures the idle and changing windows again for each count: the
nodes' cost must not depend on how many people are looking.

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
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench.console import add_lab_cluster, console_env, log_in, start, start_console  # noqa: E402
from tests.chromium import launch  # noqa: E402
from tests.labutil import Lab, lab  # noqa: E402

BIND = ("127.0.0.1", 2232)

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
        extra = f" ({value - base[node]:+.2f})" if base else ""
        parts.append(f"{node} {value:6.2f}{extra}")
    print(f"  {label:<34} ms CPU/s: " + "  ".join(parts))


def with_browsers(the_lab: Lab, counts: list[int], seconds: float) -> list[tuple[int, Any]]:
    """(browsers, (idle window, changing window)) for each count of open live pages."""
    nodes = [n.name for n in the_lab.nodes]
    results = []
    url = f"https://{BIND[0]}:{BIND[1]}"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as play:
        procs = start_console(tmp, the_lab, BIND, redis_db=12)
        browser = launch(play)
        context = browser.new_context(ignore_https_errors=True)
        pages: list[Page] = []
        try:
            for count in counts:
                while len(pages) < count:
                    page = context.new_page()
                    log_in(page, url, "/clusters/1/") if not pages else page.goto(
                        f"{url}/clusters/1/"
                    )
                    page.wait_for_function("() => document.body.dataset.conn === 'live'")
                    pages.append(page)
                time.sleep(3)
                idle = window(nodes, seconds)
                changing = window(nodes, seconds, during=["standby", "unstandby"])
                live = sum(p.evaluate("document.body.dataset.conn") == "live" for p in pages)
                print(f"  {count} pages open, {live} live")
                results.append((count, (idle, changing)))
        finally:
            browser.close()
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
            lab("exec", "1", "pcs", "node", "unstandby", "node3")
    return results


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--browsers", default="", help="e.g. 1,50: open live pages")
    parser.add_argument(
        "--idle-only",
        action="store_true",
        help="no change windows (for a scenario where a standby would move VMs and DRBD)",
    )
    args = parser.parse_args()
    seconds = args.seconds
    counts = [int(c) for c in args.browsers.split(",") if c.strip()]
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
            if not args.idle_only:
                burst = window(nodes, seconds, during=["standby", "unstandby"])
        finally:
            monitor.terminate()
            monitor.wait(30)
        if not args.idle_only:
            time.sleep(2)
            base_burst = window(nodes, seconds, during=["standby", "unstandby"])
            lab("exec", "1", "pcs", "node", "unstandby", "node3")
    print(f"node CPU, {seconds:g} s windows (all processes in each node's namespace)")
    show("no monitor, idle (baseline)", base)
    show("monitor watching, idle", idle, base)
    if args.idle_only:
        return
    show("no monitor, standby/unstandby 1/s", base_burst)
    show("monitor watching, same changes", burst, base_burst)
    if counts:
        for count, (idle_n, changing_n) in with_browsers(the_lab, counts, seconds):
            show(f"monitor + {count} browsers, idle", idle_n, base)
            show(f"monitor + {count} browsers, changes", changing_n, base_burst)


if __name__ == "__main__":
    main()
