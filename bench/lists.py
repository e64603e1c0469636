"""Benchmark: the API's list endpoints at 20 clusters and over 1,000 resources.

`.venv/bin/python bench/lists.py [--rounds 30]`: builds a throw-away test database (the
one DATABASE_URL names, with `test_` before it; SQLite without it) holding 20 clusters
of three nodes with 55 resources each, their fence devices, events and operations; then
times GET of each list (first page) in-process through Django and DRF, as an
administrator, and beside it the floor: the same first page read with one bare
`.values()` query. Prints p50 and p95 per list, its queries, and the ratio to the floor.
Redis must answer (the contact of each cluster is read with its status).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench.parse_diff import timed  # noqa: E402
from bench.stats import p95  # noqa: E402
from clusters.models import Cluster, Event  # noqa: E402
from operations.models import Operation  # noqa: E402
from resources.models import Resource  # noqa: E402
from tests.integration.test_list_scale import grow  # noqa: E402
from tests.tokens import token_for  # noqa: E402

PAGE = 50
LISTS: dict[str, Callable[[], object]] = {
    "/api/v1/clusters/": lambda: list(Cluster.objects.values()[:PAGE]),
    "/api/v1/resources/": lambda: list(Resource.objects.values()[:PAGE]),
    "/api/v1/events/": lambda: list(Event.objects.values()[:PAGE]),
    "/api/v1/operations/": lambda: list(Operation.objects.values()[:PAGE]),
}


def queries_of(client: APIClient, url: str) -> int:
    """The queries one GET of url makes."""
    seen: list[str] = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        seen.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    return len(seen)


def main() -> None:
    """Build the data, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        grow(20, 55)
        admin = User.objects.create_superuser("bench", password=None)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(admin)}")
        client.get("/api/v1/clusters/")  # the token's first use is noted once
        print(
            f"{Cluster.objects.count()} clusters, {Resource.objects.count()} resources, "
            f"{Event.objects.count()} events, {Operation.objects.count()} operations; "
            f"{connection.vendor}; {rounds} rounds"
        )
        for url, floor in LISTS.items():
            seen = queries_of(client, url)
            ours = timed(lambda url=url: client.get(url), rounds)  # type: ignore[misc]
            bare = timed(floor, rounds)
            print(
                f"  {url:<22} p50 {statistics.median(ours):6.1f} ms  p95 {p95(ours):6.1f} ms"
                f"  ({seen} queries)  floor p50 {statistics.median(bare):5.2f} ms"
                f"  ratio {statistics.median(ours) / statistics.median(bare):5.1f}x"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
