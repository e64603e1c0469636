"""A throw-away console for benchmarks: SQLite in a temporary data dir, the lab cluster added."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page

from tests.labutil import Lab, wait_for_port

REPO = Path(__file__).resolve().parents[1]
MANAGE = [sys.executable, str(REPO / "manage.py")]


def console_env(data_dir: str, redis_db: int, **extra: str) -> dict[str, str]:
    """The environment of a console on data_dir (SQLite there) and its own Redis db."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(HACONSOLE_DATA_DIR=data_dir, REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}")
    env.update(extra)
    return env


def add_lab_cluster(env: dict[str, str], the_lab: Lab) -> None:
    """Migrate, then add the lab cluster with host keys pinned from the lab's own files."""
    data = Path(env["HACONSOLE_DATA_DIR"])
    subprocess.run([*MANAGE, "migrate", "-v0"], env=env, check=True)
    key, known = data / "lab_id", data / "lab_known_hosts"
    key.write_text(the_lab.private_key)
    known.write_text(the_lab.known_hosts)
    argv = [
        *MANAGE,
        "add_cluster",
        the_lab.nodes[0].address,
        "--key-file",
        str(key),
        "--known-hosts",
        str(known),
    ]
    subprocess.run(argv, env=env, check=True, capture_output=True)


USER, PASSWORD = "bench", "bench-pass-123"


def start_console(
    tmp: str, the_lab: Lab, bind: tuple[str, int], redis_db: int
) -> list[subprocess.Popen[bytes]]:
    """A console with the lab cluster: Daphne (HTTPS on bind) and the monitor."""
    env = console_env(
        tmp,
        redis_db=redis_db,
        HACONSOLE_BIND=f"{bind[0]}:{bind[1]}",
        HACONSOLE_ADMIN_USER=USER,
        HACONSOLE_ADMIN_PASSWORD=PASSWORD,
    )
    add_lab_cluster(env, the_lab)
    procs = [start(env, "serve_https"), start(env, "monitor")]
    wait_for_port(*bind, 30)
    return procs


def log_in(page: Page, url: str, path: str) -> None:
    """Log in as the bench user through the login page, landing on path."""
    page.goto(f"{url}/login/?next={path}")
    page.get_by_label("User name").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def start(env: dict[str, str], command: str) -> subprocess.Popen[bytes]:
    """`manage.py command` in the background, quiet."""
    return subprocess.Popen(
        [*MANAGE, command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
