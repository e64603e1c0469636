"""The cluster watcher on a scripted runner and a recording sink: a change signal leads to
one read after the debounce, a burst to one read, a silent stream to probes, a lost or
offline node to the next one, no node at all to "unreachable"."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from clusters import monitor
from clusters.monitor import ClusterWatcher, WatchSettings
from hacore.drbd import DrbdState
from hacore.libvirt import DoubleRun
from hacore.pacemaker.partitions import Partition
from hacore.pacemaker.pcs import PcsTools
from hacore.pacemaker.status import ClusterStatus
from hacore.runner import Target
from tests.scripted import Expect, ScriptedRunner, expect, fixture, target

N1, N2, N3 = "198.51.100.11", "198.51.100.12", "198.51.100.13"
CRM_MON = ("crm_mon", "--one-shot", "--inactive", "--output-as=xml")
PROBE = ("cibadmin", "--query", "--xpath", "/cib", "--no-children")
ONLINE, LOST = fixture("crm_mon/all_online.xml"), fixture("crm_mon/node_lost.xml")
MARK = "cib_perform_op: Diff: +++ 0.171.0 (null)"


def read(xml: str = ONLINE) -> Expect:
    return expect(*CRM_MON, out=xml)


@dataclass
class Sink:
    """Records what the watcher reports."""

    nodes: list[tuple[str, Target]]
    reads: list[tuple[str, ClusterStatus]] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    unreadable_: list[str] = field(default_factory=list)
    confirmations: int = 0
    beats: list[str] = field(default_factory=list)
    splits: list[list[Partition]] = field(default_factory=list)
    tools_known: set[str] = field(default_factory=lambda: {"2.1.5-a3f44794f94"})
    tools_read: list[tuple[str, PcsTools]] = field(default_factory=list)
    watches: list[tuple[str, bool, str]] = field(default_factory=list)
    doubles: list[list[DoubleRun]] = field(default_factory=list)
    seen: list[dict[str, dict[str, Any]]] = field(default_factory=list)
    splits_brains: list[list[dict[str, Any]]] = field(default_factory=list)
    stalls: list[list[dict[str, Any]]] = field(default_factory=list)
    drbd: list[tuple[str, list[DrbdState]]] = field(default_factory=list)

    async def targets(self) -> list[tuple[str, Target]]:
        return self.nodes

    async def status(self, status: ClusterStatus, node: str) -> None:
        self.reads.append((node, status))

    async def unreachable(self, reason: str) -> None:
        self.lost.append(reason)

    async def unreadable(self, reason: str) -> None:
        self.unreadable_.append(reason)

    async def contact(self, node: str) -> None:
        self.beats.append(node)

    async def partitions(self, seen: list[Partition]) -> None:
        self.splits.append(seen)

    async def wants_tools(self, pacemaker_version: str) -> bool:
        return pacemaker_version not in self.tools_known

    async def tools(self, tools: PcsTools, pacemaker_version: str) -> None:
        self.tools_read.append((pacemaker_version, tools))

    async def unchanged(self) -> None:
        self.confirmations += 1

    async def watch_opened(self, node: str, commands: list[list[str]]) -> int:
        self.watches.append((node, False, ""))
        return len(self.watches)

    async def watch_noted(
        self, watch: int, reads: int, probes: int, ended: bool = False, error: str = ""
    ) -> None:
        if ended:
            self.watches[watch - 1] = (self.watches[watch - 1][0], True, error)

    async def double_runs(self, found: list[DoubleRun]) -> None:
        self.doubles.append(found)

    async def vms_seen(self, seen: dict[str, dict[str, Any]]) -> None:
        self.seen.append(seen)

    async def split_brains(self, found: list[dict[str, Any]]) -> None:
        self.splits_brains.append(found)

    async def stalled_resyncs(self, found: list[dict[str, Any]]) -> None:
        self.stalls.append(found)

    async def drbd_read(self, node: str, states: list[DrbdState]) -> None:
        self.drbd.append((node, states))

    async def drbd_seen(self, node: str, states: dict[str, DrbdState]) -> None:
        self.drbd.append((node, list(states.values())))


def sink(*names: tuple[str, str]) -> Sink:
    return Sink([(name, target(address)) for name, address in names])


@contextlib.asynccontextmanager
async def watching(
    runner: ScriptedRunner, recorder: Sink, **timing: float
) -> AsyncIterator[asyncio.Task[None]]:
    values = {"debounce": 0.05, "probe_interval": 60.0, "retry_delay": 0.02, **timing}
    watcher = ClusterWatcher(1, WatchSettings(**values), sink=recorder, runner=lambda _: runner)
    task = asyncio.create_task(watcher.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until(check: Callable[[], bool], task: asyncio.Task[None], timeout: float = 3) -> None:
    """Wait until check() is true; the watcher must not have died meanwhile."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if task.done():
            task.result()  # raises what killed it (an unexpected command...)
            pytest.fail("the watcher stopped")
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def settle(task: asyncio.Task[None], seconds: float = 0.2) -> None:
    await asyncio.sleep(seconds)
    if task.done():
        task.result()


async def test_a_change_signal_reads_once_after_the_debounce() -> None:
    runner = ScriptedRunner().script(N1, read(), read(LOST))
    recorder = sink(("node1", N1), ("node2", N2))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.reads) == 1, task)
        runner.feed(N1, "an unrelated log line")
        await settle(task)
        assert len(recorder.reads) == 1, "a line without the mark is not a change"
        runner.feed(N1, MARK)
        await until(lambda: len(recorder.reads) == 2, task)
        await settle(task)
    runner.assert_done()
    assert [node for node, _ in recorder.reads] == ["node1", "node1"]
    assert recorder.reads[1][1].node("node3") is not None
    assert recorder.watches == [("node1", True, "")]


async def test_a_burst_of_changes_within_the_debounce_is_one_read() -> None:
    runner = ScriptedRunner().script(N1, read(), read(LOST))
    recorder = sink(("node1", N1))
    async with watching(runner, recorder, debounce=0.2) as task:
        await until(lambda: len(recorder.reads) == 1, task)
        runner.feed(N1, MARK, MARK, MARK)
        await until(lambda: len(recorder.reads) == 2, task)
        await settle(task, 0.4)  # a third read would be an unexpected command
    runner.assert_done()


async def test_a_silent_stream_is_probed_and_read_only_when_the_cib_moved() -> None:
    v1, v2 = '<cib epoch="1" num_updates="1"/>', '<cib epoch="1" num_updates="2"/>'
    runner = ScriptedRunner().script(
        N1,
        read(),
        expect(*PROBE, out=v1),  # the first probe always reads once more
        read(),
        expect(*PROBE, out=v1),  # unchanged: no read
        expect(*PROBE, out=v2),  # a status update moved it: read
        read(LOST),
    )
    recorder = sink(("node1", N1))
    async with watching(runner, recorder, probe_interval=0.05) as task:
        await until(lambda: len(recorder.reads) == 3, task)
        await until(lambda: not runner.node(N1).script, task)
        await settle(task, 0.02)
    assert recorder.confirmations == 1
    assert recorder.reads[-1][1].node("node3").online is False  # type: ignore[union-attr]


async def test_a_lost_node_moves_the_watch_to_the_next_one() -> None:
    runner = ScriptedRunner().script(N1, read(), expect(*CRM_MON, drop=True))
    runner.script(N2, read(LOST))
    recorder = sink(("node1", N1), ("node2", N2))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.reads) == 1, task)
        runner.feed(N1, MARK)  # the next read finds node1 gone
        await until(lambda: len(recorder.reads) == 2, task)
    runner.assert_done()
    assert [node for node, _ in recorder.reads] == ["node1", "node2"]
    assert recorder.lost == [], "a node answered: the cluster is not unreachable"
    assert recorder.watches[0][1:] == (
        True,
        "root@198.51.100.11:22: connection lost: scripted drop",
    )


async def test_a_node_that_is_not_an_online_member_is_not_watched_from() -> None:
    # node3 is asked again as the possible other side of a split: it says it is offline
    runner = ScriptedRunner().script(N3, read(LOST), read(LOST)).script(N1, read(LOST))
    recorder = sink(("node3", N3), ("node1", N1))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.reads) == 1, task)
    assert recorder.reads[0][0] == "node1"
    assert "not an online cluster member" in recorder.watches[0][2]


async def test_an_ended_stream_moves_on_too() -> None:
    runner = ScriptedRunner().script(N1, read()).script(N2, read())
    recorder = sink(("node1", N1), ("node2", N2))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.reads) == 1, task)
        runner.end_stream(N1)
        await until(lambda: len(recorder.reads) == 2, task)
    assert [node for node, _ in recorder.reads] == ["node1", "node2"]


async def test_no_node_answering_marks_the_cluster_unreachable_with_every_reason() -> None:
    runner = ScriptedRunner()
    runner.node(N1).reachable = runner.node(N2).reachable = False
    recorder = sink(("node1", N1), ("node2", N2))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.lost) >= 2, task)
    assert "node1: " in recorder.lost[0]
    assert "node2: " in recorder.lost[0]
    assert recorder.reads == []


async def test_contact_comes_back_after_unreachable() -> None:
    runner = ScriptedRunner().script(N1, read())
    runner.node(N1).reachable = False
    recorder = sink(("node1", N1))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.lost) == 1, task)
        runner.node(N1).reachable = True
        await until(lambda: len(recorder.reads) == 1, task)
    runner.assert_done()


async def test_a_live_watch_beats_every_heartbeat_and_a_lost_one_stops() -> None:
    runner = ScriptedRunner().script(N1, read())
    recorder = sink(("node1", N1))
    async with watching(runner, recorder, heartbeat=0.05) as task:
        await until(lambda: len(recorder.beats) >= 3, task)
        runner.node(N1).reachable = False  # the node goes away: its stream ends
        runner.end_stream(N1)
        await until(lambda: len(recorder.lost) == 1, task)
        beats = len(recorder.beats)
        await settle(task, 0.2)
    assert set(recorder.beats) == {"node1"}
    assert len(recorder.beats) == beats, "no heartbeat once the watch is lost"


async def test_pcs_capabilities_are_read_once_per_pacemaker_version() -> None:
    full = "0.11.5\nnode.standby pcmk.resource.move.autoclean\n"
    runner = ScriptedRunner().script(
        N1, read(), expect("pcs", "--version", "--full", out=full), read()
    )
    recorder = sink(("node1", N1))
    recorder.tools_known = set()
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.reads) == 1, task)
        runner.feed(N1, MARK)  # the same Pacemaker: no second pcs
        await until(lambda: len(recorder.reads) == 2, task)
        await settle(task)
    runner.assert_done()
    [(version, tools)] = recorder.tools_read
    assert version == recorder.reads[0][1].summary.dc_version
    assert (tools.version, tools.capabilities) == (
        "0.11.5",
        frozenset({"node.standby", "pcmk.resource.move.autoclean"}),
    )


async def test_nodes_that_answer_with_an_unreadable_status_are_not_unreachable() -> None:
    runner = ScriptedRunner()
    runner.script(N1, expect(*CRM_MON, err="crm_mon: Connection to cluster failed", status=102))
    runner.script(N2, read("<pacemaker-result><unclosed"))
    recorder = sink(("node1", N1), ("node2", N2))
    async with watching(runner, recorder, retry_delay=60) as task:
        await until(lambda: len(recorder.unreadable_) == 1, task)
    [reason] = recorder.unreadable_
    assert "node1: crm_mon failed: crm_mon: Connection to cluster failed" in reason
    assert "node2: " in reason
    assert recorder.lost == [], "both nodes answered: the cluster is not unreachable"
    assert recorder.reads == []


ISOLATED = fixture("crm_mon/handmade_isolated_node3.xml")


async def test_a_split_is_seen_from_both_sides_and_its_end_too() -> None:
    runner = ScriptedRunner().script(N1, read(LOST), read())
    runner.script(N3, read(ISOLATED))
    recorder = sink(("node1", N1), ("node2", N2), ("node3", N3))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.splits) == 1, task)
        runner.feed(N1, MARK)  # node3 is back in node1's view: the split is over
        await until(lambda: len(recorder.splits) == 2, task)
    runner.assert_done()
    ours, theirs = recorder.splits[0]
    assert (ours.nodes, ours.dc, ours.quorate, ours.read_from) == (
        ("node1", "node2"),
        "node2",
        True,
        "node1",
    )
    assert (theirs.nodes, theirs.dc, theirs.quorate, theirs.read_from) == (
        ("node3",),
        "node3",
        False,
        "node3",
    )
    assert [p.nodes for p in recorder.splits[1]] == [("node1", "node2", "node3")]


async def test_an_offline_side_that_answers_later_is_read_again_without_a_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """node3 was fenced and is booting when node1 first sees it offline: its crm_mon fails.
    No CIB change follows, yet within PARTITION_EVERY node1 is read again and node3's own
    view (its partition) is asked again: the split is seen."""
    monkeypatch.setattr(monitor, "PARTITION_EVERY", 0.2)
    runner = ScriptedRunner().script(N1, *[read(LOST)] * 8)
    booting = expect(*CRM_MON, err="error: Could not connect to launcher", status=102)
    runner.script(N3, booting, *[read(ISOLATED)] * 7)
    recorder = sink(("node1", N1), ("node2", N2), ("node3", N3))
    async with watching(runner, recorder) as task:
        await until(lambda: any(len(seen) == 2 for seen in recorder.splits), task)
    split = next(seen for seen in recorder.splits if len(seen) == 2)
    assert [p.nodes for p in split] == [("node1", "node2"), ("node3",)]
    assert runner.node(N3).ran[0] == CRM_MON, "node3 was asked first while it booted"


async def test_an_offline_node_that_does_not_answer_is_no_partition() -> None:
    runner = ScriptedRunner().script(N1, read(LOST))
    runner.node(N3).reachable = False
    recorder = sink(("node1", N1), ("node3", N3))
    async with watching(runner, recorder) as task:
        await until(lambda: len(recorder.splits) == 1, task)
    [[whole]] = recorder.splits
    assert whole.nodes == ("node1", "node2")
