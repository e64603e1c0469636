"""Benchmark: API call -> first command started on a node, with and without warm SSH.

`.venv/bin/python bench/first_command.py [--rounds 20]` (the lab up): builds a
throw-away test database (the one DATABASE_URL names, with `test_` before it; SQLite
without it), adds the lab cluster through the API, then POSTs the plan of a standby of
node2 (`/api/v1/clusters/<id>/nodes/node2/standby/?plan=1`) in-process through Django
and DRF (no HTTP server), as an administrator. It times, from the call, the moment the
runner starts the first command (client side: the command is on its way over an open
channel; the lab's nodes are a loopback hop away) and the whole plan. Rounds alternate
between the warm pool (HACONSOLE_SSH_WARM, the default: the process's kept connection)
and the baseline of a new connection per request, as before it; the first warm round
(which opens the kept connection) is not counted. Redis must answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench.stats import p95  # noqa: E402
from hacore.runner import CommandResult, SshPool, Target  # noqa: E402
from tests.lab.conftest import add_body  # noqa: E402
from tests.labutil import Lab  # noqa: E402
from tests.tokens import token_for  # noqa: E402

first_started: list[float] = []
_run = SshPool.run


async def noting_run(
    self: SshPool,
    target: Target,
    argv: Sequence[str],
    timeout: float | None = None,
    stdin: str | None = None,
) -> CommandResult:
    """SshPool.run, noting when the first command of a call is started."""
    if not first_started:
        first_started.append(time.perf_counter())
    return await _run(self, target, argv, timeout, stdin)


def one_call(client: APIClient, url: str) -> tuple[float, float]:
    """(ms to the first command, ms to the plan's answer) of one plan call."""
    first_started.clear()
    started = time.perf_counter()
    response = client.post(url)
    ended = time.perf_counter()
    assert response.status_code == 200, response.json()
    return (first_started[0] - started) * 1000, (ended - started) * 1000


def measure(client: APIClient, url: str, rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Samples per way, the ways taking turns."""
    took: dict[str, list[tuple[float, float]]] = {"warm": [], "new connection": []}
    settings.SSH_WARM = True
    one_call(client, url)  # opens the kept connection
    for _ in range(rounds):
        for way, warm in (("warm", True), ("new connection", False)):
            settings.SSH_WARM = warm
            took[way].append(one_call(client, url))
    return took


def report(took: dict[str, list[tuple[float, float]]]) -> None:
    """Print p50 and p95 of each way, and the ratio."""
    print("plan of a standby through the API (in-process), ms")
    for way, samples in took.items():
        first = [s[0] for s in samples]
        whole = [s[1] for s in samples]
        print(
            f"  {way:<15} first command p50 {statistics.median(first):7.1f} "
            f"p95 {p95(first):7.1f}   whole plan p50 {statistics.median(whole):7.1f} "
            f"p95 {p95(whole):7.1f}"
        )
    warm = p95([s[0] for s in took["warm"]])
    cold = p95([s[0] for s in took["new connection"]])
    print(f"  ratio new connection / warm (first command, p95): {cold / warm:.1f}x")


def main() -> None:
    """Build the data, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    SshPool.run = noting_run  # type: ignore[method-assign]
    try:
        admin = User.objects.create_superuser("bench", password=None)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(admin)}")
        added: Any = client.post("/api/v1/clusters/", add_body(Lab()), format="json")
        assert added.status_code == 201, added.json()
        url = f"/api/v1/clusters/{added.json()['id']}/nodes/node2/standby/?plan=1"
        report(measure(client, url, rounds))
    finally:
        SshPool.run = _run  # type: ignore[method-assign]
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
