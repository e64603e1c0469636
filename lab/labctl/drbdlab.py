"""`lab/lab drbd ...`: trouble for the DRBD stand-in, made from the host.

These change the shared state (LAB_DIR/drbd/state.json) the way the trouble would change
the DRBD kernel modules' state on both sides; every node then shows it in drbdadm and
drbdsetup. See lab/labctl/drbd/state.py.
"""

from __future__ import annotations

import argparse

from .config import Lab
from .drbd import ops
from .drbd import state as st
from .drbd.ops import DrbdFailure
from .errors import LabError
from .procs import log


def paths(lab: Lab) -> st.Paths:
    """The DRBD stand-in's files in this LAB_DIR."""
    return st.Paths(lab.dir)


def running_nodes(lab: Lab, name: str) -> list[str]:
    """Nodes where the resource is up."""
    with st.locked(paths(lab)) as state:
        res = state["resources"].get(name)
        return [n for n in sorted(res["nodes"]) if st.alive(res, n)] if res else []


def split_brain_pair(lab: Lab, name: str, nodes: str | None) -> tuple[str, str]:
    """The two nodes of a split-brain: given, or the first two where RES is up."""
    chosen = [lab.node(n).name for n in nodes.split(",")] if nodes else running_nodes(lab, name)
    if len(chosen) < 2:
        raise LabError(f"a split-brain of {name} needs two nodes where it is up: {chosen}", 2)
    return chosen[0], chosen[1]


def run(lab: Lab, args: argparse.Namespace) -> str:
    """One `lab/lab drbd ACTION` (the message to log)."""
    where = paths(lab)
    if args.action == "fail-disk":
        node = lab.node(args.node).name
        ops.fail_disk(where, args.resource, node)
        return f"{args.resource}: the disk of {node} failed (detached: Diskless)"
    if args.action in ("disconnect", "reconnect"):
        node = lab.node(args.node).name
        ops.cut_link(where, args.resource, node, args.action == "disconnect")
        return f"{args.resource}: replication links of {node} {args.action}ed"
    if args.action == "split-brain":
        pair = split_brain_pair(lab, args.resource, args.nodes)
        ops.make_split_brain(where, args.resource, pair)
        return f"{args.resource}: split-brain between {pair[0]} and {pair[1]} (both StandAlone)"
    rate = int(args.rate * 1024) if args.rate else None
    source = lab.node(args.source).name if args.source else None
    return f"{args.resource}: " + ops.resync(where, args.resource, rate, source)


def cmd_drbd(lab: Lab, args: argparse.Namespace) -> int:
    """lab/lab drbd ..."""
    try:
        log(run(lab, args))
    except DrbdFailure as exc:
        raise LabError(str(exc), 2) from exc
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """lab/lab drbd disconnect|reconnect|fail-disk N RES, split-brain RES, resync RES."""
    drbd = sub.add_parser("drbd", help="make DRBD trouble (stand-in)", description=__doc__)
    actions = drbd.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("disconnect", "cut node N's replication links of RES (both sides: Connecting)"),
        ("reconnect", "restore them (handshake: resync, or split-brain if both wrote)"),
        ("fail-disk", "node N's backing disk fails (on-io-error detach: Diskless)"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("node")
        action.add_argument("resource")
    split = actions.add_parser("split-brain", help="both Primary while disconnected, reconnect")
    split.add_argument("resource")
    split.add_argument("--nodes", help="the two nodes, e.g. 1,2 (default: the first two up)")
    resync = actions.add_parser("resync", help="set the resync rate; start a full resync")
    resync.add_argument("resource")
    resync.add_argument("--rate", type=float, help="MiB/s")
    resync.add_argument("--from", dest="source", help="source node (default: a Primary)")
    drbd.set_defaults(handler=cmd_drbd)
