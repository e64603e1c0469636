"""Fixtures shared by every test directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests.labutil import REPO, Lab, lab
from tests.tokens import token_for


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    """DRF's login rate counts live in the (local memory) cache: each test starts at 0."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(admin_user: User) -> APIClient:
    """An API client authenticated with the admin's token, as a script would be."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(admin_user)}")
    return client


@pytest.fixture
def reader() -> APIClient:
    """An API client for a user who may read but not change anything (a viewer of every
    cluster: group viewers)."""
    user = User.objects.create_user("reader", password="reader-pass-123")
    user.groups.add(Group.objects.get(name="viewers"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture(scope="session")
def the_lab() -> Lab:
    """The lab, up and in its seeded configuration (both idempotent, quick when so)."""
    lab("up", timeout=600)
    lab("reset", timeout=300)
    return Lab()


def child_env() -> dict[str, str]:
    """The environment for a child process that must use this test run's database."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("a child process cannot share an SQLite test database")
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"
    )
    return env


def stop(proc: subprocess.Popen[bytes], grace: float = 15, strict: bool = True) -> None:
    """SIGTERM a child, SIGKILL it if it has not ended after grace seconds.

    strict: a child that had to be killed fails the test (it ignored SIGTERM). Before
    the kill it gets SIGUSR1, which makes the monitor print its stacks (faulthandler).
    """
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        if strict:
            proc.send_signal(signal.SIGUSR1)
            time.sleep(1)
        proc.kill()
        proc.wait()
        if strict:
            raise


@pytest.fixture
def monitor(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """`manage.py monitor` as a child process on the test database (probe every 5 s)."""
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "monitor", "--probe-interval", "5"],
        cwd=REPO,
        env=child_env(),
    )
    yield proc
    stop(proc)


def start_worker() -> subprocess.Popen[bytes]:
    """A Celery worker process (solo pool) on this test run's database."""
    name = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "console", "worker", "--pool", "solo", "-n", name],
        cwd=REPO,
        env=child_env(),
    )


@pytest.fixture
def worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker process using the test database."""
    proc = start_worker()
    yield proc
    stop(proc, grace=20, strict=False)
