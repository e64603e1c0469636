"""The DRBD stand-in's shared state: what the DRBD kernel modules of all nodes would know.

There is no DRBD kernel module on these machines (lab-notes.md), so the lab stands in for
it. One JSON file, LAB_DIR/drbd/state.json (under a flock), holds every resource as all
its nodes see it, so that both sides of a connection always agree as real peers would:
per node its role, disk state, node id and peers, whom it disconnected from; per pair of
nodes whether they are connected, what each one wrote while they were not (out of sync),
a resync in progress (source, target, total, rate, start) and a detected split-brain.

Time drives it, lazily: `tick` (called under the lock by every command and by events2)
notices nodes that rebooted (a node's resources live as long as its boot, whose id the
holder writes to LAB_DIR/run/NODE.boot), connections that came or went (nodes up or
down, `drbdadm disconnect/connect`, `lab/lab drbd disconnect`, `lab/lab partition`),
runs the handshake when a connection comes back (resync, or split-brain when both sides
wrote), lets a Primary "write" while disconnected, and moves resyncs on at their rate.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SIZE_KIB = 1 << 20  # 1 GiB per volume: the stand-in has no disk to measure
DEFAULT_RATE_KIB = 100 << 10  # resync 100 MiB/s unless `lab/lab drbd resync --rate`
WRITE_KIB_PER_S = 1 << 10  # what a Primary writes per second while disconnected
UP_TO_DATE, INCONSISTENT, DISKLESS = "UpToDate", "Inconsistent", "Diskless"

Json = dict[str, Any]


@dataclass(frozen=True)
class Paths:
    """Where the shared state lives (LAB_DIR/drbd) and the nodes' boot ids."""

    lab_dir: Path

    @property
    def state(self) -> Path:
        return self.lab_dir / "drbd" / "state.json"

    @property
    def lock(self) -> Path:
        return self.lab_dir / "drbd" / "state.lock"

    def boot(self, node: str) -> Path:
        return self.lab_dir / "run" / f"{node}.boot"

    @property
    def partition(self) -> Path:
        return self.lab_dir / "run" / "partition.json"


def boot_id(paths: Paths, node: str) -> str | None:
    """The node's current boot id (None: the node is off)."""
    try:
        return paths.boot(node).read_text().strip() or None
    except OSError:
        return None


def cut_nodes(paths: Paths) -> set[str]:
    """Nodes whose cluster link `lab/lab partition` cut (their DRBD links are cut too)."""
    try:
        data = json.loads(paths.partition.read_text())
    except (OSError, ValueError):
        return set()
    return set(data.get("cut", [])) if isinstance(data, dict) else set()


@contextlib.contextmanager
def locked(paths: Paths) -> Iterator[Json]:
    """The state, read under an exclusive lock, written back when the block ends."""
    paths.state.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            state = json.loads(paths.state.read_text())
        except (OSError, ValueError):
            state = {"resources": {}}
        before = json.dumps(state, sort_keys=True)
        tick(state, paths, time.time())
        yield state
        after = json.dumps(state, sort_keys=True)
        if after != before:
            tmp = paths.state.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
            tmp.replace(paths.state)
    finally:
        os.close(fd)


def pair_key(a: str, b: str) -> str:
    """The key of a pair of nodes in the state."""
    return "|".join(sorted((a, b)))


def resource(state: Json, name: str) -> Json:
    """A resource's state (created empty)."""
    res: Json = state["resources"].setdefault(
        name,
        {
            "size_kib": DEFAULT_SIZE_KIB,
            "rate_kib": DEFAULT_RATE_KIB,
            "nodes": {},
            "pairs": {},
            "events": [],
            "seq": 0,
            "last_tick": time.time(),
        },
    )
    return res


def pair(res: Json, a: str, b: str) -> Json:
    """A pair of nodes' state (created disconnected)."""
    value: Json = res["pairs"].setdefault(
        pair_key(a, b),
        {"connected": False, "dirty": {a: 0, b: 0}, "resync": None, "cut": False},
    )
    return value


def alive(res: Json, name: str) -> bool:
    """The resource is up on the node (in its current boot)."""
    node = res["nodes"].get(name)
    return bool(node and node.get("up"))


def configured_pairs(res: Json) -> Iterator[tuple[str, str]]:
    """Pairs of nodes that both brought the resource up naming each other as peers."""
    names = sorted(res["nodes"])
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if b in res["nodes"][a].get("peers", {}) and a in res["nodes"][b].get("peers", {}):
                yield a, b


def link_up(res: Json, a: str, b: str, cut: set[str]) -> bool:
    """The two nodes' replication link would carry traffic now."""
    if not (alive(res, a) and alive(res, b)) or pair(res, a, b)["cut"]:
        return False
    if a in cut or b in cut:
        return False
    node_a, node_b = res["nodes"][a], res["nodes"][b]
    return b not in node_a.get("standalone", []) and a not in node_b.get("standalone", [])


def tick(state: Json, paths: Paths, now: float) -> None:
    """Bring the state up to `now` (see the module's docstring)."""
    cut = cut_nodes(paths)
    for name, res in state["resources"].items():
        elapsed = max(0.0, now - float(res.get("last_tick", now)))
        res["last_tick"] = now
        for node_name, node in res["nodes"].items():
            if node.get("up") and node.get("boot") != boot_id(paths, node_name):
                node_down(node)  # the node rebooted (or was powered off): DRBD is gone
        for a, b in configured_pairs(res):
            step_pair(name, res, a, b, link=link_up(res, a, b, cut), elapsed=elapsed, now=now)


def node_down(node: Json) -> None:
    """The resource is no longer up on the node (down, or the node rebooted)."""
    node.update(up=False, role="Secondary", standalone=[], discard=False)


def step_pair(
    name: str, res: Json, a: str, b: str, *, link: bool, elapsed: float, now: float
) -> None:
    """One pair of nodes brought up to now."""
    p = pair(res, a, b)
    if link and not p["connected"]:
        handshake(name, res, a, b, now)
    elif not link and p["connected"]:
        p["connected"] = False
        if p["resync"]:
            advance_resync(res, p, now)
            p["resync"]["paused_at"] = now
    if not p["connected"]:
        for side in (a, b):
            node = res["nodes"][side]
            if alive(res, side) and node["role"] == "Primary" and node["disk"] != DISKLESS:
                p["dirty"][side] = p["dirty"].get(side, 0) + int(WRITE_KIB_PER_S * elapsed)
    elif p["resync"]:
        advance_resync(res, p, now)


def handshake(name: str, res: Json, a: str, b: str, now: float) -> None:
    """The two nodes connect: in sync, a resync, or a split-brain (both wrote)."""
    p = pair(res, a, b)
    na, nb = res["nodes"][a], res["nodes"][b]
    wrote_a, wrote_b = p["dirty"].get(a, 0) > 0, p["dirty"].get(b, 0) > 0
    discard_a = na.get("discard") and na["role"] == "Secondary"
    discard_b = nb.get("discard") and nb["role"] == "Secondary"
    na["discard"] = nb["discard"] = False
    if wrote_a and wrote_b and not (discard_a or discard_b):
        split_brain(name, res, a, b, now)
        return
    p["connected"] = True
    p["split_brain"] = False
    total = p["dirty"].get(a, 0) + p["dirty"].get(b, 0)
    p["dirty"] = {a: 0, b: 0}
    if p["resync"]:  # a resync interrupted by the disconnection goes on
        p["resync"].pop("paused_at", None)
        p["resync"]["start"] = now
        p["resync"]["base"] = p["resync"]["done"]
        return
    source, target = resync_direction(
        na, nb, a, b, discard=(discard_a, discard_b), wrote=(wrote_a, wrote_b)
    )
    if source is None or target is None:
        return
    if res["nodes"][target]["disk"] != UP_TO_DATE:
        total = res["size_kib"]  # a target without good data gets everything
    start_resync(res, source, target, max(total, 4), now)


def resync_direction(
    na: Json, nb: Json, a: str, b: str, *, discard: tuple[bool, bool], wrote: tuple[bool, bool]
) -> tuple[str | None, str | None]:
    """Who syncs to whom after a handshake (None: nobody)."""
    if DISKLESS in (na["disk"], nb["disk"]):
        return None, None
    if discard[0] or (wrote[1] and not wrote[0]):
        return b, a
    if discard[1] or wrote[0]:
        return a, b
    if na["disk"] == UP_TO_DATE and nb["disk"] != UP_TO_DATE:
        return a, b
    if nb["disk"] == UP_TO_DATE and na["disk"] != UP_TO_DATE:
        return b, a
    return None, None


def start_resync(res: Json, source: str, target: str, total_kib: int, now: float) -> None:
    """A resync from source to target: the target becomes Inconsistent."""
    p = pair(res, source, target)
    p["resync"] = {
        "source": source,
        "target": target,
        "total": int(total_kib),
        "done": 0,
        "base": 0,
        "start": now,
        "first_start": now,
        "rate": res["rate_kib"],
    }
    res["nodes"][target]["disk"] = INCONSISTENT


def advance_resync(res: Json, p: Json, now: float) -> None:
    """Progress at the rate; the target is UpToDate when done."""
    sync = p["resync"]
    if "paused_at" in sync:
        return
    sync["done"] = min(sync["total"], sync["base"] + int(sync["rate"] * (now - sync["start"])))
    if sync["done"] >= sync["total"]:
        p["resync"] = None
        target = res["nodes"][sync["target"]]
        if not any(
            q["resync"] and q["resync"]["target"] == sync["target"] for q in res["pairs"].values()
        ):
            target["disk"] = UP_TO_DATE


def split_brain(name: str, res: Json, a: str, b: str, now: float) -> None:
    """As DRBD: "Split-Brain detected but unresolved, dropping connection!": both sides
    go StandAlone and each calls its split-brain helper (seen in events2)."""
    p = pair(res, a, b)
    p["split_brain"] = True
    p["connected"] = False
    for me, peer in ((a, b), (b, a)):
        node = res["nodes"][me]
        node["standalone"] = sorted({*node.get("standalone", []), peer})
        for kind in ("call", "response"):
            res["seq"] += 1
            event = {"seq": res["seq"], "t": now, "node": me, "peer": peer, "kind": kind}
            res["events"] = [*res["events"][-50:], {**event, "helper": "split-brain"}]
    del name
