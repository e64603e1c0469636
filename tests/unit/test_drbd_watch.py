"""The DRBD watch (clusters/drbd_watch.py) on a scripted two-node cluster: DRBD's own
events wake a read of that node only, pushed; a resource StandAlone is the split-brain
alarm, and its end too; a node without DRBD's answer says nothing."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
from typing import Any

from clusters.drbd_watch import EVENTS, DrbdWatcher, split_brains
from clusters.node_watch import WatchTiming
from hacore.drbd import DrbdState, parse_status_json
from hacore.migration import DRBD_AGENT
from hacore.runner import Target
from tests.scripted import ScriptedRunner, expect, fixture, target, until
from tests.statusfactory import node, primitive, status

N1, N2 = "198.51.100.11", "198.51.100.12"
CHANGE = "change connection name:r0 peer-node-id:1 conn-name:node2"
STATUS = ("drbdsetup", "status", "--json", "--verbose", "--statistics")
T0 = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=datetime.UTC)


def drbd(connection: str, peer: str, name: str = "r0") -> str:
    """drbdsetup status --json of resource `name` on one node, towards peer."""
    replication = "Off" if connection == "StandAlone" else "Established"
    return json.dumps([{
        "name": name, "role": "Primary", "suspended": False,
        "devices": [{"volume": 0, "minor": 0, "disk-state": "UpToDate", "size": 1024}],
        "connections": [{
            "name": peer, "peer-node-id": 1, "connection-state": connection,
            "peer-role": "Unknown" if connection == "StandAlone" else "Primary",
            "peer_devices": [{"volume": 0, "replication-state": replication,
                              "peer-disk-state": "DUnknown", "out-of-sync": 0}],
        }],
    }])  # fmt: skip


def test_standalone_somewhere_is_a_split_brain_naming_the_nodes() -> None:
    states = {
        "node1": parse_status_json(drbd("StandAlone", "node2")),
        "node2": parse_status_json(drbd("StandAlone", "node1")),
    }
    (alarm,) = split_brains(states)
    assert (alarm["resource"], alarm["nodes"]) == ("r0", ["node1", "node2"])
    assert "DRBD r0 is StandAlone on node1 and node2" in alarm["message"]
    states["node2"] = parse_status_json(drbd("Connected", "node1"))
    assert split_brains(states)[0]["nodes"] == ["node1"]
    assert split_brains({"node1": parse_status_json(drbd("Connected", "node2"))}) == []


async def test_events_wake_a_read_of_that_node_and_a_standalone_is_reported() -> None:
    runner = ScriptedRunner()
    runner.script(
        N1,
        expect(*STATUS, out=drbd("Connected", "node2")),  # the first look, every node
        expect(*STATUS, out=drbd("StandAlone", "node2")),  # after node1's events
        expect(*STATUS, out=drbd("Connected", "node2")),  # after the next ones
    )
    runner.script(N2, expect(*STATUS, err="drbdsetup: not found", status=127))
    pushed: list[tuple[str, list[DrbdState]]] = []
    reports: list[list[dict[str, Any]]] = []

    async def targets() -> list[tuple[str, Target]]:
        return [("node1", target(N1)), ("node2", target(N2))]

    async def publish(node: str, states: list[DrbdState]) -> None:
        pushed.append((node, states))

    async def report(found: list[dict[str, Any]]) -> None:
        reports.append(found)

    timing = WatchTiming(debounce=0.01, confirm=0.01, slow=60, retry=60)
    watcher = DrbdWatcher(targets, lambda: runner, publish, report, timing=timing)
    drbd_r0 = primitive("drbd_r0", "node1", agent="ocf:linbit:drbd")
    watcher.note(status([node("node1"), node("node2")], [drbd_r0]))
    task = asyncio.create_task(watcher.run())
    try:
        await until(lambda: len(reports) == 1, task)
        assert reports == [[]]
        assert [node for node, _ in pushed] == ["node1"]  # node2 answered nothing readable
        await until(lambda: all(EVENTS in runner.node(a).ran for a in (N1, N2)), task)
        runner.feed(N1, "exists -")  # the dump's end: not a change
        await asyncio.sleep(0.05)
        assert len(pushed) == 1
        runner.feed(
            N1, "change connection name:r0 peer-node-id:1 conn-name:node2 connection:StandAlone"
        )
        await until(lambda: len(reports) == 2, task)
        assert [a["nodes"] for a in reports[1]] == [["node1"]]
        assert pushed[-1][1][0].volumes[0].peers[0].connection_state == "StandAlone"
        runner.feed(
            N1, "change connection name:r0 peer-node-id:1 conn-name:node2 connection:Connected"
        )
        await until(lambda: len(reports) == 3, task)
        assert reports[2] == []
        runner.assert_done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_each_read_is_also_given_by_the_primitive_that_drives_the_drbd_resource() -> None:
    runner = ScriptedRunner()
    runner.script(
        N1,
        expect("cibadmin", "--query", out=fixture("advice/book_ch11.cib.xml")),
        expect(*STATUS, out=drbd("Connected", "node2", name="datos")),
    )
    runner.script(N2, expect(*STATUS, out=drbd("Connected", "node1", name="other")))
    seen: list[tuple[str, dict[str, DrbdState]]] = []

    async def targets() -> list[tuple[str, Target]]:
        return [("node1", target(N1)), ("node2", target(N2))]

    async def publish(node: str, states: list[DrbdState]) -> None:
        return None

    async def report(found: list[dict[str, Any]]) -> None:
        return None

    async def by_primitive(node: str, states: dict[str, DrbdState]) -> None:
        seen.append((node, states))

    timing = WatchTiming(debounce=0.01, confirm=0.01, slow=60, retry=60)
    watcher = DrbdWatcher(
        targets, lambda: runner, publish, report, timing=timing, seen=by_primitive
    )
    watcher.note(status([node("node1")], [primitive("drbd_datos", "node1", agent=DRBD_AGENT)]))
    task = asyncio.create_task(watcher.run())
    try:
        await until(lambda: len(seen) == 2, task)
        runner.assert_done()
        # datos is drbd_datos's (its drbd_resource); "other" drives no primitive: left out
        assert [(n, {rid: s.name for rid, s in states.items()}) for n, states in seen] == [
            ("node1", {"drbd_datos": "datos"}),
            ("node2", {}),
        ]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def resyncing(out_of_sync: int) -> str:
    """node1's datos syncing to node2, `out_of_sync` KiB to go."""
    return json.dumps([{
        "name": "datos", "role": "Primary", "suspended": False,
        "devices": [{"volume": 0, "minor": 0, "disk-state": "UpToDate", "size": 1024}],
        "connections": [{
            "name": "node2", "peer-node-id": 1, "connection-state": "Connected",
            "peer-role": "Secondary",
            "peer_devices": [{"volume": 0, "replication-state": "SyncSource",
                              "peer-disk-state": "Inconsistent", "out-of-sync": out_of_sync,
                              "has-sync-details": True, "percent-resync-done": 99.0}],
        }],
    }])  # fmt: skip


async def test_a_resync_that_stops_moving_is_reported_stalled_by_the_slow_reads() -> None:
    runner = ScriptedRunner()
    runner.script(N1, *[expect(*STATUS, out=resyncing(out)) for out in (900, 800, 800, 800)])
    stalls: list[list[dict[str, Any]]] = []
    ticks = iter(range(0, 10_000, 100))

    async def targets() -> list[tuple[str, Target]]:
        return [("node1", target(N1))]

    async def ignore(*args: object) -> None:
        return None

    async def stalled(found: list[dict[str, Any]]) -> None:
        stalls.append(found)

    timing = WatchTiming(debounce=0.01, confirm=0.01, slow=0.05, retry=60)
    watcher = DrbdWatcher(
        targets, lambda: runner, ignore, ignore, timing=timing, stalls=stalled,
        stall_after=300, clock=lambda: T0 + datetime.timedelta(seconds=next(ticks)),
    )  # fmt: skip
    watcher.note(status([node("node1")], [primitive("drbd_datos", "node1", agent=DRBD_AGENT)]))
    task = asyncio.create_task(watcher.run())
    try:
        await until(lambda: any(stalls[-1:]), task)
        # read at 0 (900 KiB to go), 200 (800), 400 and 600 (800 still): stalled since 200
        (alarm,) = stalls[-1]
        assert (alarm["resource"], alarm["since"]) == (
            "datos", (T0 + datetime.timedelta(seconds=200)).isoformat(),
        )  # fmt: skip
        assert stalls[0] == []
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
