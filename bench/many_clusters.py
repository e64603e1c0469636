"""Benchmark: one monitor process watching 100 clusters; CPU, memory per cluster, and
the lab cluster's latency kept.

`.venv/bin/python bench/many_clusters.py [--clusters 100] [--seconds 30]
[--change-every 10]` (the lab up). The lab has one cluster, so the others are made
here: a "node farm", one asyncssh server on 127.0.0.1 in this process, answers as one
node of each fake cluster (told apart by the SSH user name each cluster's credential
has). It serves recorded crm_mon outputs (tests/fixtures/crm_mon/all_online.xml and
standby.xml, recorded on the lab), a CIB version for the probes, and the Pacemaker
log's change lines, which this benchmark writes: every fake cluster changes once every
--change-every seconds (staggered), each change flipping node3's standby, so the
monitor reads, diffs, stores and pushes it as it would a real one. Anything else the
monitor asks is refused with exit status 127 (pcs's capabilities: it logs and goes on).

A console's database (SQLite in a temporary data dir, Redis db 8) gets the lab cluster
(added as `bench/console.py` does) and then the fake clusters, each with one node
whose host key is the farm's, pinned. One `manage.py monitor` runs throughout. Phases:
1. the lab cluster alone: the monitor's CPU (ms per s, from /proc) and RSS over
   --seconds, and the lab's latency: node3's standby flipped with crm_attribute on
   node1 ten times, each timed until the monitor's stored status shows it;
2. the fake clusters added and every one read: the same, the fake clusters idle
   (their watch streams open, heartbeats, keepalives, probes);
3. the same with the fake clusters changing.
Prints the phases, and for 2 and 3 the share of a core, the RSS added per cluster and
the lab's latency, each against phase 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncssh

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = tempfile.mkdtemp(prefix="haconsole-bench-many-")
os.environ.pop("DATABASE_URL", None)
os.environ.update(
    DJANGO_SETTINGS_MODULE="console.settings",
    HACONSOLE_DATA_DIR=DATA,
    REDIS_URL="redis://127.0.0.1:6379/8",
)

import django  # noqa: E402

django.setup()

from bench.console import MANAGE, add_lab_cluster, console_env  # noqa: E402
from bench.stats import p95  # noqa: E402
from clusters.models import Cluster  # noqa: E402
from clusters.monitor import WatchSettings  # noqa: E402
from hacore.commands.pacemaker import CIB_VERSION, CRM_MON_XML  # noqa: E402
from hacore.runner import HostKey  # noqa: E402
from nodes.models import Node, SshCredential  # noqa: E402
from tests.labutil import Lab, lab  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "crm_mon"
STATES = [(FIXTURES / name).read_text() for name in ("all_online.xml", "standby.xml")]
FOLLOW = "tail -n0 -F "
SETTLE = 10.0  # seconds
# A watch's first version probe (30 s after it starts) reads the status once more: an
# idle window must start after it
FIRST_PROBE = WatchSettings().probe_interval + 5


class Farm:
    """The fake clusters' nodes: what each one's crm_mon says, and its log followers."""

    def __init__(self) -> None:
        self.changes: dict[str, int] = {}
        self.followers: dict[str, set[asyncssh.SSHServerProcess[str]]] = {}
        self.refused: dict[str, int] = {}

    def add(self, user: str) -> None:
        """A fake cluster answering to SSH user name user."""
        self.changes[user] = 0
        self.followers[user] = set()

    async def handle(self, process: asyncssh.SSHServerProcess[str]) -> None:
        """One command of the monitor's, answered as the cluster's node would."""
        user = process.get_extra_info("username")
        command = process.command or ""
        if command.startswith(FOLLOW):
            self.followers[user].add(process)
            try:
                await process.stdin.read()  # until the monitor closes the channel
            except (asyncssh.Error, OSError):
                pass
            finally:
                self.followers[user].discard(process)
                process.exit(0)
            return
        count = self.changes[user]
        if command == shlex.join(CRM_MON_XML):
            process.stdout.write(STATES[count % 2])
            process.exit(0)
        elif command == shlex.join(CIB_VERSION):
            process.stdout.write(f'<cib admin_epoch="0" epoch="{100 + count}" num_updates="0"/>\n')
            process.exit(0)
        else:
            word = command.split(" ", 1)[0]
            self.refused[word] = self.refused.get(word, 0) + 1
            process.stderr.write(f"{word}: not recorded in this farm\n")
            process.exit(127)

    def change(self, user: str) -> None:
        """The cluster's CIB changed: its crm_mon flips, its followers see the log line."""
        self.changes[user] += 1
        line = f"Dec 02 08:00:00 node1 pacemaker-based: info: Diff: +++ 0.{self.changes[user]}.0\n"
        for process in list(self.followers[user]):
            process.stdout.write(line)


async def serve(farm: Farm, host_key: asyncssh.SSHKey, client: asyncssh.SSHKey) -> int:
    """Start the farm's SSH server on a free loopback port; the port."""
    server = await asyncssh.listen(
        "127.0.0.1",
        0,
        server_host_keys=[host_key],
        authorized_client_keys=asyncssh.import_authorized_keys(client.export_public_key().decode()),
        process_factory=farm.handle,
        encoding="utf-8",
        keepalive_interval=0,
    )
    return int(server.sockets[0].getsockname()[1])


def add_fake_clusters(count: int, port: int, host_key: asyncssh.SSHKey, client: str) -> list[str]:
    """count clusters, one node each (node1, at the farm), keys pinned; their user names."""
    pinned = HostKey.parse(host_key.export_public_key().decode())
    users = []
    for i in range(count):
        user = f"fake{i:03d}"
        credential = SshCredential(username=user)
        credential.set_private_key(client)
        credential.save()
        cluster = Cluster.objects.create(name=f"fake-{i:03d}", credential=credential)
        node = Node(cluster=cluster, name="node1", node_id=1, address="127.0.0.1", port=port)
        node.pin(pinned)
        node.save()
        for n in (2, 3):  # known to the console, never reached (no key pinned)
            Node.objects.create(cluster=cluster, name=f"node{n}", node_id=n, address="127.0.0.1")
        users.append(user)
    return users


def cpu_and_rss(pid: int) -> tuple[float, int]:
    """(CPU seconds used so far, resident set size in bytes) of process pid."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return ticks / os.sysconf("SC_CLK_TCK"), rss_pages * os.sysconf("SC_PAGE_SIZE")


async def window(pid: int, seconds: float) -> tuple[float, int]:
    """The monitor's CPU in ms per second over the window, and its RSS at the end."""
    cpu0, _ = cpu_and_rss(pid)
    started = time.monotonic()
    await asyncio.sleep(seconds)
    cpu1, rss = cpu_and_rss(pid)
    return (cpu1 - cpu0) * 1000 / (time.monotonic() - started), rss


def standby_shown(cluster_id: int) -> bool | None:
    """node3's standby flag in the stored status of cluster_id (None: no status)."""
    snapshot = Cluster.objects.only("snapshot").get(pk=cluster_id).snapshot
    for node in (snapshot or {}).get("nodes", []):
        if node["name"] == "node3":
            return bool(node["standby"])
    return None


async def lab_latency(cluster_id: int, changes: int) -> list[float]:
    """Seconds from each flip of node3's standby on the lab to the stored status showing it."""
    took = []
    for i in range(changes):
        wanted = i % 2 == 0
        argv = ["crm_attribute", "--node", "node3", "--name", "standby", "--update"]
        await asyncio.to_thread(lab, "exec", "1", *argv, "on" if wanted else "off")
        done = time.monotonic()
        while await asyncio.to_thread(standby_shown, cluster_id) is not wanted:
            if time.monotonic() - done > 10:
                raise RuntimeError("the lab cluster's change did not arrive within 10 s")
            await asyncio.sleep(0.005)
        took.append(time.monotonic() - done)
        await asyncio.sleep(0.5)
    return took


async def churn(farm: Farm, users: list[str], every: float, stop: asyncio.Event) -> None:
    """Every fake cluster changes once every `every` seconds, staggered."""
    step = every / max(1, len(users))
    while not stop.is_set():
        for user in users:
            farm.change(user)
            await asyncio.sleep(step)
            if stop.is_set():
                return


def all_watched(users: list[str]) -> bool:
    """Whether every fake cluster has a stored status."""
    names = [f"fake-{user[4:]}" for user in users]
    return not Cluster.objects.filter(name__in=names, snapshot__isnull=True).exists()


@dataclass
class Phase:
    """One window's figures: the monitor's CPU (ms/s) and RSS, the lab's latencies (s)."""

    name: str
    cpu: float
    rss: int
    latency: list[float]

    def line(self) -> str:
        """The figures as one line."""
        return (
            f"  {self.name:<36} CPU {self.cpu:6.1f} ms/s  RSS {self.rss / 2**20:6.1f} MiB  "
            f"lab change -> stored p50 {statistics.median(self.latency) * 1000:6.1f} ms, "
            f"p95 {p95(self.latency) * 1000:6.1f} ms"
        )


async def phase(name: str, pid: int, seconds: float, lab_id: int) -> Phase:
    """The monitor's CPU and RSS over a window, then the lab's latency."""
    cpu, rss = await window(pid, seconds)
    return Phase(name, cpu, rss, await lab_latency(lab_id, 10))


async def start_farm(farm: Farm, count: int) -> list[str]:
    """The farm serving, its count clusters added to the console and watched; their users."""
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client = asyncssh.generate_private_key("ssh-ed25519")
    port = await serve(farm, host_key, client)
    key_text = client.export_private_key().decode()
    users = await asyncio.to_thread(add_fake_clusters, count, port, host_key, key_text)
    for user in users:
        farm.add(user)
    started = time.monotonic()
    while not await asyncio.to_thread(all_watched, users):
        await asyncio.sleep(0.5)
    print(f"{count} fake clusters watched {time.monotonic() - started:.1f} s after added")
    return users


async def run(count: int, seconds: float, every: float, farm: Farm) -> list[Phase]:
    """The three phases: the lab alone, with the fake clusters idle, then changing."""
    env = console_env(DATA, redis_db=8)
    add_lab_cluster(env, Lab())
    lab_id = (await asyncio.to_thread(Cluster.objects.get)).pk
    monitor = subprocess.Popen(
        [*MANAGE, "monitor"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while await asyncio.to_thread(standby_shown, lab_id) is None:
            await asyncio.sleep(0.2)
        await asyncio.sleep(SETTLE)  # past the monitor's start-up and first reads
        phases = [await phase("lab cluster alone", monitor.pid, seconds, lab_id)]
        users = await start_farm(farm, count)
        await asyncio.sleep(FIRST_PROBE)
        name = f"lab + {count} fake clusters, idle"
        phases.append(await phase(name, monitor.pid, seconds, lab_id))
        stop = asyncio.Event()
        changes = asyncio.create_task(churn(farm, users, every, stop))
        await asyncio.sleep(max(every, SETTLE))  # every cluster changed once before measuring
        name = f"lab + {count} fake, one change/{every:g} s each"
        phases.append(await phase(name, monitor.pid, seconds, lab_id))
        stop.set()
        await changes
    finally:
        monitor.terminate()
        monitor.wait(10)
        argv = ["crm_attribute", "--node", "node3", "--name", "standby", "--delete"]
        await asyncio.to_thread(lab, "exec", "1", *argv)
    return phases


def report(phases: list[Phase], count: int, seconds: float, farm: Farm) -> None:
    """Every phase, then the ratios to the lab alone."""
    print(f"one monitor process; windows of {seconds:g} s")
    for one in phases:
        print(one.line())
    alone = phases[0]
    for one in phases[1:]:
        slower = statistics.median(one.latency) / statistics.median(alone.latency)
        print(
            f"  {one.name}: {one.cpu / 10:.1f}% of a core ({one.cpu / alone.cpu:.1f}x the lab "
            f"alone); RSS added per cluster {(one.rss - alone.rss) / count / 1024:.0f} KiB; "
            f"lab latency p50 {slower:.2f}x"
        )
    if farm.refused:
        print(f"  commands the farm refused (first word: count): {farm.refused}")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--change-every", type=float, default=10.0)
    options = parser.parse_args()
    farm = Farm()
    phases = asyncio.run(run(options.clusters, options.seconds, options.change_every, farm))
    report(phases, options.clusters, options.seconds, farm)


if __name__ == "__main__":
    main()
