"""A real console (Daphne, HTTPS) on the test database; Debian's chromium via Playwright."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import Browser, Page, WebSocketRoute, sync_playwright

from clusters.contact import Contact
from clusters.mirror import apublish_contact
from clusters.models import Cluster
from console import tls
from console.launcher import daphne_argv
from tests.chromium import launch
from tests.conftest import child_env, stop
from tests.labutil import REPO, Lab, lab, wait_for_port
from tests.statusfactory import in_contact
from tests.tokens import token_for


@dataclass(frozen=True)
class Console:
    """Where the console under test answers; silent: names of clusters the heartbeat
    leaves alone (see Heartbeat)."""

    url: str
    silent: set[str]


class Heartbeat(threading.Thread):
    """Stands in for the watchers of made-up clusters: every second, notes a live contact
    with each cluster in the database (but the silent ones) and pushes it, as a watcher's
    heartbeat does. Without it a page turns a cluster grey 5 s after its last status."""

    def __init__(self, silent: set[str]) -> None:
        super().__init__(daemon=True)
        self.silent = silent
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            try:
                beating = list(
                    Cluster.objects.exclude(name__in=self.silent).values_list("pk", flat=True)
                )
            finally:
                connection.close()
            for pk in beating:
                in_contact(pk)
                async_to_sync(apublish_contact)(pk, Contact(time.time(), "node1"))


@pytest.fixture
def console(transactional_db: None) -> Iterator[Console]:
    """Daphne serving HTTPS on HACONSOLE_TEST_BIND (default 127.0.0.1:2224), test database,
    with a heartbeat for its made-up clusters."""
    env = child_env()
    bind = os.environ.get("HACONSOLE_TEST_BIND", "127.0.0.1:2224")
    host, port = bind.rsplit(":", 1)
    env["HACONSOLE_BIND"] = bind
    tls.ensure_certificate(settings.TLS_CERT, settings.TLS_KEY, [host])
    argv = daphne_argv(host, int(port))
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(host, int(port), 30)
        heartbeat = Heartbeat(set())
        heartbeat.start()
        try:
            yield Console(f"https://{bind}", heartbeat.silent)
        finally:
            heartbeat.done.set()
            heartbeat.join(10)
    finally:
        stop(proc, grace=3, strict=False)  # Daphne waits for WebSockets a page keeps open


class Cable:
    """Routes the page's WebSockets to the server, and can cut them for a while."""

    def __init__(self) -> None:
        self.cut = False
        self.sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    def route(self, socket: WebSocketRoute) -> None:
        if self.cut:
            socket.close()
        else:
            self.sockets.append((socket, socket.connect_to_server()))

    def unplug(self) -> None:
        self.cut = True
        for side in self.sockets[-1]:
            side.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium, for one test module.

    Playwright's sync API keeps an event loop running in this thread while it is started:
    the Django calls these tests make (users, the test database) are plain sync calls
    all the same, so Django's async-safety check is lifted for the module only, and
    Playwright is stopped at the module's end so later tests can run asyncio again.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as play:
            chromium = launch(play)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that accepts the console's self-signed certificate."""
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """Script errors of the page; the test fails if there is any."""
    seen: list[str] = []
    page.on("pageerror", lambda exc: seen.append(f"{page.url}: {exc}\n{exc.stack}"))
    page.on("console", lambda msg: seen.append(msg.text) if msg.type == "error" else None)
    yield seen
    assert seen == []


def sign_in(page: Page, console: Console, path: str = "/") -> None:
    """Create a superuser and log in through the login page, landing on path."""
    User.objects.create_superuser("watcher", password="watcher-pass-123")
    page.goto(f"{console.url}/login/?next={path}")
    page.get_by_label("User name").fill("watcher")
    page.get_by_label("Password").fill("watcher-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{console.url}{path}")


LAB_BUSY = "test_lab_cluster|record_fixtures|pytest.* tests/lab"


def _this_run() -> set[str]:
    """This process and its ancestors (a `timeout pytest tests/lab ...` matches LAB_BUSY)."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(str(pid))
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return pids


def _drives_the_lab(pid: str) -> bool:
    """Whether a process matching LAB_BUSY is the Python that runs the tests, not a
    wrapper (flock, timeout, time) that may still be waiting for the lab lock: once a
    wrapper's run starts, its Python process matches on its own."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip().startswith(("python", "pytest"))
    except OSError:
        return False


def lab_quiet() -> bool:
    """No other lab test runs, and lab/lab status says the cluster is healthy."""
    found = subprocess.run(["pgrep", "-f", LAB_BUSY], capture_output=True, text=True, check=False)
    others = {pid for pid in set(found.stdout.split()) - _this_run() if _drives_the_lab(pid)}
    return not others and lab("status", check=False).returncode == 0


@pytest.fixture
def quiet_lab(the_lab: Lab) -> Lab:
    """The lab, healthy twice 5 s apart and not driven by other tests (waits up to 2 min)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if lab_quiet():
            time.sleep(5)
            if lab_quiet():
                return the_lab
        time.sleep(5)
    pytest.fail("the lab stayed busy or unhealthy for 2 min (lab/lab status)")


def add_lab_cluster(page: Page, console: Console, the_lab: Lab) -> int:
    """Add the lab cluster through the REST API of the console under test; its id.

    Over HTTP rather than in-process: add_cluster runs asyncio, which cannot start in
    this thread while Playwright's sync API holds its event loop.
    """
    user = User.objects.create_superuser("lab-adder", password="lab-adder-pass-123")
    key = token_for(user)
    body = {
        "address": the_lab.nodes[0].address,
        "username": "root",
        "private_key": the_lab.private_key,
        "known_hosts": the_lab.known_hosts,
    }
    response = page.request.post(
        f"{console.url}/api/v1/clusters/",
        data=body,
        headers={"Authorization": f"Token {key}"},
        timeout=60000,
    )
    assert response.status == 201, response.text()
    cluster_id: int = response.json()["id"]
    return cluster_id


def wait_until_watched(cluster_id: int, timeout: float = 30) -> None:
    """Wait until the monitor has read the cluster once (its first read bumps status_seq)."""
    added = Cluster.objects.get(pk=cluster_id).status_seq
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Cluster.objects.get(pk=cluster_id).status_seq > added:
            return
        time.sleep(0.5)
    raise TimeoutError(f"the monitor did not read cluster {cluster_id} in {timeout} s")
