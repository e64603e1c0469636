"""Make sure PostgreSQL and Redis answer for the tests, starting local ones when they don't."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import psycopg
import redis

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
]


def postgres_ok(url: str) -> bool:
    """True when PostgreSQL accepts a connection at url."""
    try:
        with psycopg.connect(url.replace("/haconsole", "/postgres"), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def redis_ok(url: str) -> bool:
    """True when Redis answers PING at url."""
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def wait(check: Callable[[str], bool], url: str) -> bool:
    """Poll check(url) for up to 15 s."""
    for _ in range(150):
        if check(url):
            return True
        time.sleep(0.1)
    return False


def main() -> int:
    """Check both services; start the machine's own when they are installed but stopped."""
    db = os.environ["DATABASE_URL"]
    cache = os.environ["REDIS_URL"]
    if db.startswith("postgres") and not postgres_ok(db):
        for version_dir in glob.glob("/etc/postgresql/*"):
            version = os.path.basename(version_dir)
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
        if not wait(postgres_ok, db):
            print(f"PostgreSQL does not answer at {db}", file=sys.stderr)
            return 1
    if not redis_ok(cache):
        if shutil.which("redis-server") is None:
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "update", "-q"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True, env=env)
        port = str(urlsplit(cache).port or 6379)
        subprocess.run([*REDIS_START, "--port", port], check=True)
        if not wait(redis_ok, cache):
            print(f"Redis does not answer at {cache}", file=sys.stderr)
            return 1
    print("[test] PostgreSQL and Redis answer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
