"""`make run`: everything the console needs, in the foreground, stopped together.

Order: TLS certificate, Redis (a local redis-server when nothing answers at a loopback
REDIS_URL), the lab (unless HACONSOLE_LAB=0), migrations, the admin user, the lab
cluster, then the Celery worker, the monitor and the HTTPS server (Daphne) as child
processes.
SIGINT or SIGTERM stops every process this started, the lab included if it brought it up.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.management import call_command

from console import bootstrap, tls

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def say(text: str) -> None:
    """Print a launcher line."""
    print(f"[haconsole] {text}", flush=True)


class Children:
    """The processes the launcher started; stopped in reverse order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.on_stop: list[Callable[[], None]] = []

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        """Start a child in its own process group."""
        proc = subprocess.Popen(argv, start_new_session=True)
        self.procs.append((name, proc))
        say(f"started {name} (pid {proc.pid})")
        return proc

    def exited(self) -> tuple[str, int] | None:
        """The first child that has exited, with its status."""
        for name, proc in self.procs:
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def stop(self) -> None:
        """SIGTERM every child's group, SIGKILL what is left after 15 s, then the hooks."""
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                say(f"stopping {name}")
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        for hook in reversed(self.on_stop):
            hook()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def redis_answers(url: str) -> bool:
    """True when a Redis server answers PING at url."""
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def ensure_redis(url: str, children: Children) -> None:
    """Use the Redis at url, or start a local one when url is on loopback and nothing answers."""
    if redis_answers(url):
        return
    parts = urlsplit(url)
    if (parts.hostname or "") not in LOOPBACK:
        raise SystemExit(f"no Redis answers at {url}; start it or set REDIS_URL")
    if shutil.which("redis-server") is None:
        say("installing Debian's redis-server")
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "redis-server"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    port = str(parts.port or 6379)
    children.start(
        "redis",
        ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    )
    for _ in range(50):
        if redis_answers(url):
            return
        time.sleep(0.1)
    raise SystemExit(f"redis-server did not answer at {url}")


def start_lab(children: Children) -> None:
    """lab/lab up; if this brought it up, bring it down again on stop."""
    lab = str(bootstrap.LAB)
    status = subprocess.run([lab, "status", "--json"], capture_output=True, check=False)
    nodes = json.loads(status.stdout or b"{}").get("nodes", [])
    was_up = any(node.get("holder") for node in nodes)  # running, healthy or not
    say("lab already up" if was_up else "bringing the lab cluster up (lab/lab up)")
    subprocess.run([lab, "up"], check=True)
    if not was_up:

        def lab_down() -> None:
            say("stopping the lab (lab/lab down)")
            subprocess.run([lab, "down"], check=False)

        children.on_stop.append(lab_down)


def _escape(value: str) -> str:
    """Escape a value for a Twisted endpoint description (':' and '\\' are special)."""
    return value.replace("\\", "\\\\").replace(":", "\\:")


def daphne_argv(host: str | None = None, port: int | None = None) -> list[str]:
    """Daphne serving only HTTPS (HACONSOLE_BIND unless given) with the console's certificate."""
    endpoint = (
        f"ssl:{port or settings.BIND_PORT}:privateKey={_escape(str(settings.TLS_KEY))}"
        f":certKey={_escape(str(settings.TLS_CERT))}"
        f":interface={_escape(host or settings.BIND_HOST)}"
    )
    return [sys.executable, "-m", "daphne", "-e", endpoint, "console.asgi:application"]


def worker_argv() -> list[str]:
    """A Celery worker for the console's tasks."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "console",
        "worker",
        "-l",
        "INFO",
        "--concurrency",
        "2",
        "-n",
        "haconsole@%h",
    ]


def monitor_argv() -> list[str]:
    """The monitor: one watcher per cluster, pushing changes to the browsers."""
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "monitor"]


def prepare(children: Children, with_lab: bool) -> None:
    """Everything before the servers: certificate, Redis, lab, database, users, lab cluster."""
    made = tls.ensure_certificate(settings.TLS_CERT, settings.TLS_KEY, settings.ALLOWED_HOSTS)
    say(
        f"{'made a self-signed' if made else 'using the'} certificate {settings.TLS_CERT} "
        f"(SHA-256 {tls.fingerprint(settings.TLS_CERT)})"
    )
    ensure_redis(settings.REDIS_URL, children)
    if with_lab:
        start_lab(children)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    generated = bootstrap.ensure_admin(
        os.environ.get("HACONSOLE_ADMIN_USER"), os.environ.get("HACONSOLE_ADMIN_PASSWORD")
    )
    if generated:
        say(f"created user 'admin' with password: {generated}  (shown once; change it)")
    if with_lab:
        cluster = bootstrap.ensure_lab_cluster()
        say(f"lab cluster {cluster.name} with {cluster.nodes.count()} nodes is in the console")


def launch() -> int:
    """Run the console until SIGINT/SIGTERM; return the exit status."""
    children = Children()
    stopping: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if not children.procs or children.procs[-1][0] != "web":
            raise KeyboardInterrupt  # still preparing: abort it, then stop what started
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    status = 0
    try:
        prepare(children, os.environ.get("HACONSOLE_LAB", "1") != "0")
        children.start("worker", worker_argv())
        children.start("monitor", monitor_argv())
        children.start("web", daphne_argv())
        say(f"console on https://{settings.BIND} (Ctrl-C stops everything)")
        while not stopping:
            dead = children.exited()
            if dead is not None:
                say(f"{dead[0]} exited with status {dead[1]}; stopping")
                status = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        status = 130
    finally:
        children.stop()
    return status
