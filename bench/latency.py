"""Benchmark: a change on a lab node -> visible on the cluster page in a headless browser.

Run with the lab up and nothing else driving it:
`.venv/bin/python bench/latency.py [--changes 20]`. It starts a console (Daphne over
HTTPS on 127.0.0.1:2231, SQLite in a temporary data dir, Redis db 13) and the monitor,
opens the lab cluster's page in Debian's chromium, then toggles node3's standby
attribute with `crm_attribute` on node1 and times, for each change, from the moment the
command returned (the CIB was written) to the moment the page shows the new state.

The floor printed next to it is what any push design pays after the change signal:
the monitor's debounce plus one crm_mon over the pooled SSH connection (measured in
this run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("HACONSOLE_DATA_DIR", tempfile.mkdtemp(prefix="haconsole-bench-"))

import django  # noqa: E402

django.setup()

from bench.console import log_in, start_console  # noqa: E402
from clusters.monitor import WatchSettings  # noqa: E402
from hacore.commands.pacemaker import CRM_MON_XML  # noqa: E402
from hacore.runner import SshPool  # noqa: E402
from tests.chromium import launch  # noqa: E402
from tests.labutil import Lab, lab  # noqa: E402

BIND = ("127.0.0.1", 2231)


def quantiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in ms."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[round(0.95 * (len(ordered) - 1))] * 1000


def standby(on: bool) -> None:
    """Set node3's standby attribute (a CIB write) from node1."""
    lab(
        "exec",
        "1",
        "crm_attribute",
        "--node",
        "node3",
        "--name",
        "standby",
        "--update",
        "on" if on else "off",
        "--lifetime",
        "forever",
    )


async def crm_mon_floor(the_lab: Lab, count: int) -> list[float]:
    """crm_mon over one pooled SSH connection, count times (seconds each)."""
    samples = []
    async with SshPool() as pool:
        await pool.run(the_lab.target(1), ["true"])
        for _ in range(count):
            started = time.perf_counter()
            await pool.run(the_lab.target(1), CRM_MON_XML)
            samples.append(time.perf_counter() - started)
    return samples


def measure(changes: int) -> list[float]:
    """Seconds from each CIB write to the page showing it."""
    samples = []
    with sync_playwright() as play:
        browser = launch(play)
        page = browser.new_context(ignore_https_errors=True).new_page()
        log_in(page, f"https://{BIND[0]}:{BIND[1]}", "/clusters/1/")
        page.wait_for_selector("tr[data-node=node3]")
        page.wait_for_function("() => document.body.dataset.conn === 'live'")
        for i in range(changes):
            on = i % 2 == 0
            standby(on)
            written = time.perf_counter()
            page.wait_for_function(
                "on => document.querySelector('tr[data-node=node3]')"
                ".textContent.includes('standby') === on",
                arg=on,
                timeout=10000,
            )
            samples.append(time.perf_counter() - written)
            time.sleep(1)
        browser.close()
    return samples


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=20)
    changes = parser.parse_args().changes
    the_lab = Lab()
    with tempfile.TemporaryDirectory() as tmp:
        procs = start_console(tmp, the_lab, BIND, redis_db=13)
        try:
            time.sleep(3)
            seen = measure(changes)
        finally:
            standby(False)
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
    floor = asyncio.run(crm_mon_floor(the_lab, 20))
    s50, s95 = quantiles(seen)
    f50, f95 = quantiles(floor)
    debounce = WatchSettings().debounce * 1000
    print(f"change (crm_attribute standby on node1) -> visible on the page, {changes} changes")
    print(f"  page shows it        : p50 {s50:7.1f} ms  p95 {s95:7.1f} ms")
    print(
        f"  floor: debounce {debounce:.0f} ms + crm_mon over SSH (p50 {f50:.1f}, p95 {f95:.1f})"
        f" = p50 {debounce + f50:7.1f} ms"
    )
    print(f"  ratio page / floor (p50): {s50 / (debounce + f50):.2f}x")


if __name__ == "__main__":
    main()
