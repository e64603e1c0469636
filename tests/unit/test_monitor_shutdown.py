"""A monitor that does not end after SIGTERM is ended by its watchdog, stacks printed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from tests.labutil import REPO

STUCK_MONITOR = """
import asyncio, django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django.setup()
from clusters import monitor_process

async def stubborn(self):
    print("ready", flush=True)
    while True:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            pass  # ignores the stop, as a stuck watcher would

monitor_process.Monitor.run = stubborn
monitor_process.SHUTDOWN_GRACE = 0.5
monitor_process.run_monitor()
"""


def test_watchdog_ends_a_monitor_stuck_after_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", STUCK_MONITOR],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - started
    finally:
        proc.kill()
    assert proc.returncode == 1
    assert took < 5, took
    assert "after the stop signal; exiting" in stderr
    assert "Thread 0x" in stderr or "Current thread" in stderr  # the stacks were printed
