"""A real console (Daphne, HTTPS) on the test database; Debian's chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, Page, sync_playwright

from console import tls
from console.launcher import daphne_argv
from tests.labutil import REPO

# Playwright's sync API keeps an event loop running in this thread; the Django calls
# the tests make (creating users, the test database) are plain sync calls all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass(frozen=True)
class Console:
    """Where the console under test answers."""

    url: str


def wait_for_port(host: str, port: int, timeout: float) -> None:
    """Wait until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")


@pytest.fixture
def console(transactional_db: None) -> Iterator[Console]:
    """Daphne serving HTTPS on HACONSOLE_TEST_BIND (default 127.0.0.1:2224), test database."""
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("the server process needs the PostgreSQL test database")
    bind = os.environ.get("HACONSOLE_TEST_BIND", "127.0.0.1:2224")
    host, port = bind.rsplit(":", 1)
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{connection.settings_dict['NAME']}"
    )
    env["HACONSOLE_BIND"] = bind
    tls.ensure_certificate(settings.TLS_CERT, settings.TLS_KEY, [host])
    argv = daphne_argv(host, int(port))
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(host, int(port), 30)
        yield Console(f"https://{bind}")
    finally:
        proc.terminate()
        proc.wait(15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium."""
    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that accepts the console's self-signed certificate."""
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()
