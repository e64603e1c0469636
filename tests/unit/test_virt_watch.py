"""The double-run alarm: hacore.libvirt.double_runs (pure) and the libvirt watch
(clusters/virt_watch.py) on a scripted cluster, the book's chapter 11 on three nodes:
a domain event wakes it, a double run still there after the confirmation delay is
reported, and its end too."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from clusters.node_watch import WatchTiming
from clusters.virt_watch import VirtWatcher, placements
from hacore.libvirt import DoubleRun, double_runs
from hacore.pacemaker.status import parse_crm_mon
from hacore.runner import Target
from tests.scripted import ScriptedRunner, expect, fixture, target, until

CIB = fixture("advice/book_ch11.cib.xml")
MON = fixture("advice/book_ch11.crm_mon.xml")  # ubuntu Started on node3
N1, N2, N3 = "198.51.100.11", "198.51.100.12", "198.51.100.13"
CONFIG = "/var/lib/libvirt/images/ubuntu.xml"
LIST = ("virsh", "--connect", "qemu:///system", "list", "--all")
EVENTS = ("virsh", "--connect", "qemu:///system", "event", "--all", "--loop")
EVENT = "event 'lifecycle' for domain 'ubuntu': Started Booted"


def table(*rows: str) -> str:
    return " Id   Name     State\n-------------------------\n" + "".join(f" {r}\n" for r in rows)


RUNNING, OFF, EMPTY = table("4    ubuntu   running"), table("-    ubuntu   shut off"), table()


def test_running_twice_or_outside_the_placement_is_a_double_run() -> None:
    domains = {"vm1": "one", "vm2": "two", "vm3": "three"}
    placed = {"vm1": ("node1",), "vm2": ("node1",), "vm3": ()}
    listed = {
        "node1": {"one": "running", "two": "running"},
        "node2": {"one": "running", "two": "shut off", "three": "running"},
    }
    assert double_runs(domains, placed, listed) == [
        DoubleRun("vm1", "one", ("node1", "node2"), ("node1",)),
        DoubleRun("vm3", "three", ("node2",), ()),
    ]
    alarm = double_runs(domains, placed, listed)[0].message
    assert "one runs on node1 and node2; Pacemaker places it on node1" in alarm
    assert "nowhere (stopped)" in double_runs(domains, placed, listed)[1].message


def test_a_node_not_read_and_a_paused_migration_target_say_nothing() -> None:
    domains = {"vm1": "one"}
    placed = {"vm1": ("node1",)}
    # node2 could not be read: absent; node3 holds the incoming migration, paused
    listed = {"node1": {"one": "running"}, "node3": {"one": "paused"}}
    assert double_runs(domains, placed, listed) == []
    assert double_runs(domains, placed, {}) == []


def test_placements_are_the_virtualdomain_resources_only() -> None:
    assert placements(parse_crm_mon(MON)) == {"ubuntu": ("node3",)}


def nodes() -> list[tuple[str, Target]]:
    return [("node1", target(N1)), ("node2", target(N2)), ("node3", target(N3))]


async def test_an_event_wakes_the_check_and_a_lasting_double_run_is_reported() -> None:
    runner = ScriptedRunner()
    runner.script(
        N1,
        expect("cibadmin", "--query", out=CIB),
        expect("cat", "--", CONFIG, out="<domain type='kvm'><name>ubuntu</name></domain>"),
        expect(*LIST, out=OFF),  # first look: node3 runs it, as Pacemaker says
        expect(*LIST, out=RUNNING),  # after the event: node1 too
        expect(*LIST, out=RUNNING),  # still so once the confirmation delay passed
        expect(*LIST, out=OFF),  # after the next event: gone
    )
    runner.script(N2, *[expect(*LIST, err="error: failed to connect", status=1)] * 4)
    runner.script(N3, *[expect(*LIST, out=RUNNING)] * 4)
    reports: list[list[DoubleRun]] = []
    seen: list[dict[str, Any]] = []

    async def targets() -> list[tuple[str, Target]]:
        return nodes()

    async def report(found: list[DoubleRun]) -> None:
        reports.append(found)

    async def states(what: dict[str, Any]) -> None:
        seen.append(what)

    timing = WatchTiming(debounce=0.01, confirm=0.01, slow=60, retry=60)
    watcher = VirtWatcher(targets, lambda: runner, report, timing, seen=states)
    watcher.note(parse_crm_mon(MON))
    task = asyncio.create_task(watcher.run())
    try:
        await until(lambda: len(reports) == 1, task)
        assert reports == [[]]
        # what libvirt said, for the mirror: node2 could not be read, so it is not there
        assert seen[0] == {
            "ubuntu": {
                "domain": "ubuntu",
                "hypervisor": "qemu:///system",
                "state": {"node1": "shut off", "node3": "running"},
            }
        }
        # every node's event stream is open: one channel each, nothing at idle
        await until(lambda: all(EVENTS in runner.node(a).ran for a in (N1, N2, N3)), task)
        runner.feed(N1, EVENT)
        await until(lambda: len(reports) == 2, task)
        assert reports[1] == [DoubleRun("ubuntu", "ubuntu", ("node1", "node3"), ("node3",))]
        runner.feed(N1, EVENT)
        await until(lambda: len(reports) == 3, task)
        assert reports[2] == []
        runner.assert_done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_double_run_gone_within_the_confirmation_delay_is_not_reported() -> None:
    runner = ScriptedRunner()
    runner.script(
        N1,
        expect("cibadmin", "--query", out=CIB),
        expect("cat", "--", CONFIG, out="<domain type='kvm'><name>ubuntu</name></domain>"),
        expect(*LIST, out=RUNNING),  # a live migration's overlap...
        expect(*LIST, out=OFF),  # ...over when looked at again
    )
    runner.script(N2, *[expect(*LIST, out=EMPTY)] * 2)
    runner.script(N3, *[expect(*LIST, out=RUNNING)] * 2)
    reports: list[list[DoubleRun]] = []

    async def targets() -> list[tuple[str, Target]]:
        return nodes()

    async def report(found: list[DoubleRun]) -> None:
        reports.append(found)

    timing = WatchTiming(debounce=0.01, confirm=0.01, slow=60, retry=60)
    watcher = VirtWatcher(targets, lambda: runner, report, timing)
    watcher.note(parse_crm_mon(MON))
    task = asyncio.create_task(watcher.run())
    try:
        await until(lambda: len(reports) == 1, task)
        assert reports == [[]]
        runner.assert_done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
