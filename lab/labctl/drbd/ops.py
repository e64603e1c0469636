"""State changes of the DRBD stand-in: what drbdsetup asks the kernel module, with the
module's answers (errors as drbdsetup prints them, with its exit codes), plus the lab's
ways to make trouble (`lab/lab drbd ...`)."""

from __future__ import annotations

import time

from . import state as st
from .conf import Resource
from .state import DISKLESS, UP_TO_DATE, Json, Paths

# drbdsetup's exit codes (drbdsetup.c, check_error)
EXIT_FAILURE = 10  # "Failure: (NNN) ..." (not a state change)
EXIT_STATE_CHANGE = 11
EXIT_NO_UP_TO_DATE = 17
ERR_RES_NOT_KNOWN = 158


class DrbdFailure(Exception):
    """A refused request: `message` as drbdsetup prints it on stderr, `code` its exit."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def not_known(name: str) -> DrbdFailure:
    """drbdsetup's answer for a resource that is not up."""
    return DrbdFailure(f"{name}: Failure: ({ERR_RES_NOT_KNOWN}) Unknown resource", EXIT_FAILURE)


def state_failure(name: str, rv: int, text: str, code: int = EXIT_STATE_CHANGE) -> DrbdFailure:
    """drbdsetup's answer for a refused state change."""
    return DrbdFailure(f"{name}: State change failed: ({rv}) {text}", code)


def live_node(state: Json, name: str, me: str) -> tuple[Json, Json]:
    """The resource's state and the node's, if it is up there."""
    res = state["resources"].get(name)
    if res is None or not st.alive(res, me):
        raise not_known(name)
    return res, res["nodes"][me]


def up(paths: Paths, conf: Resource, me: str) -> None:
    """`drbdadm up`: the resource comes up on this node (metadata as it was left)."""
    host = conf.host(me)
    if host is None:
        raise DrbdFailure(f"'{conf.name}' not defined in your config (for this host).", 10)
    with st.locked(paths) as state:
        res = st.resource(state, conf.name)
        node = res["nodes"].get(me)
        if node is not None and node.get("up"):
            raise DrbdFailure(f"{conf.name}: Failure: (161) Resource already exists", EXIT_FAILURE)
        node = res["nodes"].setdefault(me, {"disk": UP_TO_DATE, "read_kib": 0, "written_kib": 0})
        node.update(
            up=True,
            boot=st.boot_id(paths, me),
            role="Secondary",
            node_id=host.node_id,
            address=f"{host.family}:{host.address}:{host.port}",
            minors={str(v.vnr): v.minor for v in host.volumes.values()},
            backing={str(v.vnr): v.disk for v in host.volumes.values()},
            peers={p.name: p.node_id for p in conf.peers(me)},
            peer_addresses={p.name: f"{p.family}:{p.address}:{p.port}" for p in conf.peers(me)},
            two_primaries=conf.option("net", "allow-two-primaries") == "yes",
            standalone=[],
            discard=False,
        )
        if node["disk"] == DISKLESS:  # a replaced disk comes back empty
            node["disk"] = st.INCONSISTENT
        st.tick(state, paths, time.time())


def down(paths: Paths, name: str, me: str) -> None:
    """drbdsetup down."""
    with st.locked(paths) as state:
        _res, node = live_node(state, name, me)
        st.node_down(node)
        st.tick(state, paths, time.time())


def primary(paths: Paths, name: str, me: str, force: bool = False) -> None:
    """Promote, unless DRBD would refuse: a connected Primary peer without
    allow-two-primaries (-1), no access to UpToDate data (-2)."""
    with st.locked(paths) as state:
        res, node = live_node(state, name, me)
        peers = connected_peers(res, me)
        if force and node["disk"] != DISKLESS:
            node["disk"] = UP_TO_DATE
        good = node["disk"] == UP_TO_DATE or any(
            res["nodes"][p]["disk"] == UP_TO_DATE for p in peers
        )
        if not good:
            raise state_failure(name, -2, "Need access to UpToDate data", EXIT_NO_UP_TO_DATE)
        primaries = [p for p in peers if res["nodes"][p]["role"] == "Primary"]
        if primaries and not (
            node["two_primaries"] and all(res["nodes"][p]["two_primaries"] for p in primaries)
        ):
            raise state_failure(name, -1, "Multiple primaries not allowed by config")
        node["role"] = "Primary"


def secondary(paths: Paths, name: str, me: str) -> None:
    """drbdsetup secondary."""
    with st.locked(paths) as state:
        _res, node = live_node(state, name, me)
        node["role"] = "Secondary"


def connected_peers(res: Json, me: str) -> list[str]:
    """The node's peers it is connected to now."""
    return [
        peer
        for peer in res["nodes"][me].get("peers", {})
        if peer in res["nodes"] and st.pair(res, me, peer)["connected"]
    ]


def connect(paths: Paths, name: str, me: str, peer: str | None, discard: bool) -> None:
    """`drbdsetup connect RES PEER [--discard-my-data]`: leave StandAlone."""
    with st.locked(paths) as state:
        _res, node = live_node(state, name, me)
        targets = [peer] if peer else list(node.get("peers", {}))
        node["standalone"] = [p for p in node.get("standalone", []) if p not in targets]
        if discard:
            node["discard"] = True
        st.tick(state, paths, time.time())


def disconnect(paths: Paths, name: str, me: str, peer: str | None) -> None:
    """`drbdsetup disconnect RES PEER`: StandAlone towards the peer."""
    with st.locked(paths) as state:
        _res, node = live_node(state, name, me)
        targets = [peer] if peer else list(node.get("peers", {}))
        for target in targets:
            if target in node.get("standalone", []):
                raise state_failure(name, -9, "Can not disconnect a StandAlone device")
        node["standalone"] = sorted({*node.get("standalone", []), *targets})
        st.tick(state, paths, time.time())


def peer_by_id(paths: Paths, name: str, me: str, node_id: int) -> str:
    """The peer with this node id in the node's configuration."""
    with st.locked(paths) as state:
        _res, node = live_node(state, name, me)
        for peer, peer_id in node.get("peers", {}).items():
            if peer_id == node_id:
                return str(peer)
    raise DrbdFailure(f"{name}: Failure: (162) Invalid configuration request", EXIT_FAILURE)


# --- the lab's trouble makers (lab/lab drbd ...) -------------------------------------


def lab_resource(state: Json, name: str) -> Json:
    """A resource the lab can make trouble for (brought up somewhere)."""
    res: Json | None = state["resources"].get(name)
    if res is None or not res["nodes"]:
        raise DrbdFailure(f"no DRBD resource {name!r} has been brought up in the lab", 2)
    return res


def cut_link(paths: Paths, name: str, node: str, cut: bool) -> None:
    """Cut (or restore) the replication links of `node` for resource `name`."""
    with st.locked(paths) as state:
        res = lab_resource(state, name)
        for a, b in st.configured_pairs(res):
            if node in (a, b):
                st.pair(res, a, b)["cut"] = cut
        st.tick(state, paths, time.time())


def make_split_brain(paths: Paths, name: str, nodes: tuple[str, str]) -> None:
    """Both nodes Primary and writing while disconnected, then reconnected."""
    a, b = nodes
    with st.locked(paths) as state:
        res = lab_resource(state, name)
        for node in nodes:
            if not st.alive(res, node):
                raise DrbdFailure(f"{name} is not up on {node}", 2)
        p = st.pair(res, a, b)
        p["cut"] = True
        st.tick(state, paths, time.time())
        for node in nodes:
            res["nodes"][node]["role"] = "Primary"
            p["dirty"][node] = p["dirty"].get(node, 0) + 4096
    with st.locked(paths) as state:
        res = lab_resource(state, name)
        st.pair(res, a, b)["cut"] = False
        st.tick(state, paths, time.time())


def fail_disk(paths: Paths, name: str, node: str) -> None:
    """The backing disk fails; on-io-error detach: the node goes Diskless."""
    with st.locked(paths) as state:
        res = lab_resource(state, name)
        if not st.alive(res, node):
            raise DrbdFailure(f"{name} is not up on {node}", 2)
        res["nodes"][node]["disk"] = DISKLESS
        for p in res["pairs"].values():
            if p["resync"] and node in (p["resync"]["source"], p["resync"]["target"]):
                p["resync"] = None


def resync(paths: Paths, name: str, rate_kib: int | None, source: str | None) -> str:
    """Set the resync rate; if no resync runs, resync everything from `source` (default:
    a Primary, else the first node) to its connected peers. Returns what happened."""
    now = time.time()
    with st.locked(paths) as state:
        res = lab_resource(state, name)
        if rate_kib:
            res["rate_kib"] = rate_kib
        running = [p for p in res["pairs"].values() if p["resync"]]
        for p in running:
            sync = p["resync"]
            st.advance_resync(res, p, now)
            if p["resync"]:
                sync.update(rate=res["rate_kib"], base=sync["done"], start=now)
        if running:
            return f"resync rate {res['rate_kib'] / 1024:g} MiB/s"
        nodes = [n for n in sorted(res["nodes"]) if st.alive(res, n)]
        primaries = [n for n in nodes if res["nodes"][n]["role"] == "Primary"]
        src = source or (primaries or nodes or [""])[0]
        targets = connected_peers(res, src) if src in nodes else []
        if not targets:
            raise DrbdFailure(f"{name}: {src or 'no node'} has no connected peer to resync", 2)
        for target in targets:
            st.start_resync(res, src, target, res["size_kib"], now)
        return f"full resync {src} -> {', '.join(targets)} at {res['rate_kib'] / 1024:g} MiB/s"
