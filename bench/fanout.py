"""Benchmark: one status published -> every one of N WebSocket clients has it.

`.venv/bin/python bench/fanout.py [--clients 200] [--publishes 30] [--burst 150]`. No lab
needed. It starts a console (Daphne over HTTPS on 127.0.0.1:2232, SQLite in a temporary
data dir, Redis db 14) with one made-up cluster, opens N real WebSocket clients on
`/ws/clusters/<id>/` in this one asyncio process (the websockets library; each logged in
with its own session cookie, as a browser is), then publishes status messages to the cluster's group
through the channel layer, as the monitor does, each a real status message (the one the
page gets on connect) with the next `seq`.

It prints, per publish, the time until the last client has it (p50, p95), next to the
same with one client (the baseline, same run); then a burst of --burst messages at
once: how many clients got every one, how many saw a gap in `seq` (the page then
refetches the REST snapshot: not silently behind), and how many miss the last message
without having seen a gap (silently behind: must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = tempfile.mkdtemp(prefix="haconsole-fanout-")
os.environ.update(DJANGO_SETTINGS_MODULE="console.settings", HACONSOLE_DATA_DIR=DATA)
os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/14"
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from channels.layers import get_channel_layer  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from websockets.asyncio.client import ClientConnection  # noqa: E402
from websockets.asyncio.client import connect as ws_connect  # noqa: E402

from bench.console import console_env, start  # noqa: E402
from bench.runner import quantiles  # noqa: E402
from clusters.contact import Contact  # noqa: E402
from clusters.mirror import apublish_contact  # noqa: E402
from operations.feed import cluster_group  # noqa: E402
from tests.integration.test_pages import make_cluster  # noqa: E402
from tests.labutil import wait_for_port  # noqa: E402

HOST, PORT = "127.0.0.1", 2232
Json = dict[str, Any]


class Client:
    """One page: its connection, and when each seq arrived."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.seen: dict[int, float] = {}
        self.told = 0  # the highest seq a heartbeat announced
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        """Note every status message's arrival until the socket closes."""
        async for payload in self.socket:
            message = json.loads(payload)
            seq = message.get("seq")
            if not isinstance(seq, int):
                continue
            if message.get("type") == "cluster.contact":
                self.told = max(self.told, seq)
            else:
                self.seen.setdefault(seq, time.perf_counter())

    async def close(self) -> None:
        """Close the socket and stop reading."""
        await self.socket.close()
        await self.reader


def session_cookie() -> str:
    """A logged-in session of a superuser, as the login page makes one."""
    user = User.objects.create_superuser("fanout", email=None, password=None)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


async def connect(url: str, cookie: str) -> tuple[Client, Json]:
    """One client, open, with the snapshot the server sent first."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    socket = await ws_connect(
        url,
        ssl=context,
        origin=f"https://{HOST}:{PORT}",  # type: ignore[arg-type]
        additional_headers={"Cookie": cookie},
        max_size=None,
    )
    first: Json = json.loads(await asyncio.wait_for(socket.recv(), 30))
    return Client(socket), first


async def publish(cluster_id: int, template: Json, seq: int) -> float:
    """Send status seq to the cluster's group; when it was sent."""
    message = {**template, "seq": seq}
    layer = get_channel_layer()
    sent = time.perf_counter()
    await layer.group_send(cluster_group(cluster_id), message)
    return sent


async def last_arrival(clients: list[Client], seq: int, timeout: float = 30) -> float:
    """When the last client got seq (waits for it)."""
    deadline = time.perf_counter() + timeout
    while any(seq not in c.seen for c in clients):
        if time.perf_counter() > deadline:
            missing = sum(seq not in c.seen for c in clients)
            raise TimeoutError(f"{missing} clients never got status {seq}")
        await asyncio.sleep(0.002)
    return max(c.seen[seq] for c in clients)


async def spread(
    clients: list[Client], cid: int, template: Json, start: int, n: int
) -> list[float]:
    """Seconds from each publish to its last arrival, n publishes 0.2 s apart."""
    took = []
    for seq in range(start, start + n):
        sent = await publish(cid, template, seq)
        took.append(await last_arrival(clients, seq) - sent)
        await asyncio.sleep(0.2)
    return took


async def burst(clients: list[Client], cid: int, template: Json, start: int, n: int) -> Json:
    """n messages at once; who got all, who saw a gap, who is silently behind."""
    for seq in range(start, start + n):
        await publish(cid, template, seq)
    await quiet(clients)
    # the watcher's next heartbeat, as the monitor sends it: with the current seq
    await apublish_contact(cid, Contact(time.time(), "node1"), start + n - 1)
    await quiet(clients)
    counts = {"got every one": 0, "saw a gap (refetch)": 0, "told by the heartbeat": 0,
              "silently behind": 0}  # fmt: skip
    for client in clients:
        got = {s for s in client.seen if start <= s < start + n}
        missing = set(range(start, start + n)) - got
        if not missing:
            counts["got every one"] += 1
        elif got and min(missing) < max(got):
            counts["saw a gap (refetch)"] += 1  # a later seq came after a missing one
        elif client.told > max(got, default=0):
            counts["told by the heartbeat"] += 1  # the page refetches
        else:
            counts["silently behind"] += 1
    return counts


async def quiet(clients: list[Client], still: float = 2.0, limit: float = 120) -> None:
    """Wait until no client has received anything for `still` seconds."""
    deadline = time.perf_counter() + limit
    last = -1
    while time.perf_counter() < deadline:
        now = sum(len(c.seen) + c.told for c in clients)
        if now == last:
            return
        last = now
        await asyncio.sleep(still)


async def run(count: int, publishes: int, burst_size: int, cluster_id: int, cookie: str) -> None:
    url = f"wss://{HOST}:{PORT}/ws/clusters/{cluster_id}/"
    one, template = await connect(url, cookie)
    template = {k: v for k, v in template.items() if k != "seq"}
    base = int(template.get("cluster", {}).get("seq", 0) or 0) + 1000
    alone = await spread([one], cluster_id, template, base, publishes)
    started = time.perf_counter()
    many = [one] + [
        c for c, _ in await asyncio.gather(*(connect(url, cookie) for _ in range(count - 1)))
    ]
    opened = time.perf_counter() - started
    fanned = await spread(many, cluster_id, template, base + publishes, publishes)
    lost = await burst(many, cluster_id, template, base + 2 * publishes, burst_size)
    size = len(json.dumps({**template, "seq": 1}))
    a50, a95 = quantiles(alone)
    f50, f95 = quantiles(fanned)
    print(f"{count} WebSocket clients on one cluster, {publishes} publishes of {size} bytes")
    print(f"  {count} clients connected in {opened:.1f} s")
    print(f"  publish -> last of 1 client       : p50 {a50:7.1f} ms  p95 {a95:7.1f} ms")
    print(f"  publish -> last of {count} clients : p50 {f50:7.1f} ms  p95 {f95:7.1f} ms")
    print(f"  ratio {count} / 1 (p95): {f95 / a95:.1f}x")
    print(f"  burst of {burst_size} at once: {lost}")
    await asyncio.gather(*(client.close() for client in many))


def main() -> None:
    """Set up, measure, print, tear down."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--publishes", type=int, default=30)
    parser.add_argument("--burst", type=int, default=150)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    cluster = make_cluster("fanout")
    cookie = session_cookie()
    env = console_env(DATA, redis_db=14, HACONSOLE_BIND=f"{HOST}:{PORT}")
    daphne = start(env, "serve_https")
    try:
        wait_for_port(HOST, PORT, 30)
        asyncio.run(run(options.clients, options.publishes, options.burst, cluster.pk, cookie))
    finally:
        daphne.terminate()
        daphne.wait(30)


if __name__ == "__main__":
    main()
