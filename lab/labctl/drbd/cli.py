"""drbdadm and drbdsetup of the DRBD stand-in (lab/sbin/drbdadm, lab/sbin/drbdsetup).

They exist only inside lab nodes (an overlay of lab/sbin on the node's /usr/sbin). Which
node they run on and where the shared state lives come from /run/haconsole-lab.json
(written by the node's holder at boot); the configuration is the node's own
/etc/drbd.conf. drbdadm works as the real one does: it reads the configuration and runs
drbdsetup's commands (here in-process), reporting a failed one as
"Command 'drbdsetup ...' terminated with exit code N".
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import conf, events, ops
from . import state as st
from .conf import ConfError, Config
from .ops import DrbdFailure
from .status import Options, status_json, status_text
from .views import node_views

RUN_INFO = Path("/run/haconsole-lab.json")
EXIT_USAGE = 20  # drbdsetup: bad arguments
EXIT_CONFIG = 1  # drbdadm: unknown resource or command


@dataclass(frozen=True)
class Node:
    """Where a stand-in command runs: the node's name and LAB_DIR's DRBD state."""

    name: str
    paths: st.Paths


def this_node() -> Node:
    """The node the command runs on, from its /run."""
    try:
        info = json.loads(RUN_INFO.read_text())
        return Node(str(info["node"]), st.Paths(Path(info["lab_dir"])))
    except (OSError, ValueError, KeyError):
        print("DRBD stand-in: not inside a haconsole lab node", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def split(argv: list[str]) -> tuple[list[str], set[str]]:
    """Words and options of a command line."""
    words = [a for a in argv if not a.startswith("-")]
    flags = {a.split("=", 1)[0] for a in argv if a.startswith("-")}
    return words, flags


# --- drbdsetup ----------------------------------------------------------------------


def setup_status(node: Node, words: list[str], flags: set[str]) -> int:
    """drbdsetup status [RES|all] [--verbose] [--statistics] [--json]."""
    only = words[0] if words else "all"
    options = Options(
        verbose=sum(1 for f in flags if f in ("-v", "--verbose")),
        statistics=bool(flags & {"-s", "--statistics"}),
        tty=sys.stdout.isatty(),
    )
    with st.locked(node.paths) as state:
        views = node_views(state, node.name, only)
    if only != "all" and not views:
        if flags & {"-j", "--json"}:
            sys.stdout.write("[\n]\n\n")
        print(f"{only}: No such resource", file=sys.stderr)
        return 10
    sys.stdout.write(
        status_json(views) if flags & {"-j", "--json"} else status_text(views, options)
    )
    return 0


def setup_events2(node: Node, words: list[str], flags: set[str]) -> int:
    """drbdsetup events2 [RES|all] [--now] [--statistics] [--timestamps]."""
    only = words[0] if words else "all"
    f = events.Flags(
        statistics=bool(flags & {"-s", "--statistics"}), timestamps="--timestamps" in flags
    )
    source = events.Source(node.paths, node.name, None if only == "all" else only)
    try:
        return events.events2(source, f, "--now" in flags, sys.stdout.write)
    except (BrokenPipeError, KeyboardInterrupt):
        return 0


def setup_role(node: Node, name: str) -> int:
    """drbdsetup role RES."""
    with st.locked(node.paths) as state:
        views = node_views(state, node.name, name)
    if not views:
        print(f"{name}: Unknown resource", file=sys.stderr)
        return 10
    print(views[0].role)
    return 0


def setup_state_change(node: Node, verb: str, words: list[str], flags: set[str]) -> int:
    """drbdsetup primary|secondary|down|connect|disconnect."""
    name = words[0]
    if verb == "primary":
        ops.primary(node.paths, name, node.name, force="--force" in flags)
    elif verb == "secondary":
        ops.secondary(node.paths, name, node.name)
    elif verb == "down":
        ops.down(node.paths, name, node.name)
    else:
        peer = (
            ops.peer_by_id(node.paths, name, node.name, int(words[1])) if len(words) > 1 else None
        )
        if verb == "connect":
            ops.connect(node.paths, name, node.name, peer, "--discard-my-data" in flags)
        else:
            ops.disconnect(node.paths, name, node.name, peer)
    return 0


SETUP_CHANGES = ("primary", "secondary", "down", "connect", "disconnect")


def drbdsetup(argv: list[str], node: Node | None = None) -> int:
    """`drbdsetup COMMAND ...` inside a lab node."""
    words, flags = split(argv)
    if not words:
        print("USAGE: drbdsetup command {arguments} [options]", file=sys.stderr)
        return EXIT_USAGE
    node = node or this_node()
    verb, rest = words[0], words[1:]
    try:
        if verb in ("status", "events2"):
            show = setup_status if verb == "status" else setup_events2
            return show(node, rest, flags)
        if verb == "role" and rest:
            return setup_role(node, rest[0])
        if verb in SETUP_CHANGES and rest:
            return setup_state_change(node, verb, rest, flags)
    except DrbdFailure as exc:
        print(exc, file=sys.stderr)
        return exc.code
    print(
        f"drbdsetup (haconsole lab stand-in): unsupported command: {' '.join(argv)}",
        file=sys.stderr,
    )
    return EXIT_USAGE


# --- drbdadm ------------------------------------------------------------------------


def adm_config(argv: list[str]) -> tuple[Path, list[str]]:
    """-c/--config-file and the other arguments."""
    path, rest = conf.DEFAULT_CONF, []
    args = iter(argv)
    for arg in args:
        if arg in ("-c", "--config-file"):
            path = Path(next(args, str(path)))
        elif arg.startswith("--config-file="):
            path = Path(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    return path, rest


def resources_for(config: Config, me: str, names: list[str]) -> list[conf.Resource]:
    """The named resources (or all: none named, or "all") that this host is part of."""
    if not names or names == ["all"]:
        return [r for r in config.resources.values() if r.host(me) is not None]
    found = []
    for name in names:
        res = config.resources.get(name)
        if res is None or res.host(me) is None:
            raise DrbdFailure(f"'{name}' not defined in your config (for this host).", EXIT_CONFIG)
        found.append(res)
    return found


def run_setup(node: Node, argv: list[str]) -> int:
    """drbdadm running one drbdsetup command, reporting its failure as drbdadm does."""
    code = drbdsetup(argv, node)
    if code >= 10:
        print(
            f"Command 'drbdsetup {' '.join(argv)}' terminated with exit code {code}",
            file=sys.stderr,
        )
    return code


def adm_up(node: Node, res: conf.Resource) -> int:
    """drbdadm up: the resource comes up."""
    try:
        ops.up(node.paths, res, node.name)
    except DrbdFailure as exc:
        print(exc, file=sys.stderr)
        print(
            f"Command 'drbdsetup new-resource {res.name} {res.host(node.name).node_id}' "  # type: ignore[union-attr]
            f"terminated with exit code {exc.code}",
            file=sys.stderr,
        )
        return exc.code
    return 0


def adm_per_peer(node: Node, verb: str, res: conf.Resource, extra: list[str]) -> int:
    """drbdadm connect/disconnect: drbdsetup's command for each peer."""
    code = 0
    for peer in res.peers(node.name):
        code = max(code, run_setup(node, [verb, res.name, str(peer.node_id), *extra]))
    return code


def adm_command(node: Node, verb: str, res: conf.Resource, flags: set[str]) -> int:
    """One drbdadm command on one resource."""
    if verb == "up":
        return adm_up(node, res)
    if verb in ("connect", "disconnect"):
        extra = ["--discard-my-data"] if "--discard-my-data" in flags else []
        return adm_per_peer(node, verb, res, extra)
    if verb == "primary":
        return run_setup(node, ["primary", res.name, *(["--force"] if "--force" in flags else [])])
    if verb in ("secondary", "down", "role"):
        return run_setup(node, [verb, res.name])
    if verb == "status":
        return run_setup(node, ["status", res.name, *sorted(flags)])
    raise DrbdFailure(f"drbdadm: Unknown command '{verb}'", EXIT_CONFIG)


ADM_VERBS = ("up", "down", "primary", "secondary", "connect", "disconnect", "role", "status")


def drbdadm(argv: list[str]) -> int:
    """`drbdadm [-c FILE] COMMAND [RESOURCE...]` inside a lab node."""
    path, rest = adm_config(argv)
    words, flags = split(rest)
    if not words:
        print("USAGE: drbdadm COMMAND [OPTION...] {all|RESOURCE...}", file=sys.stderr)
        return EXIT_CONFIG
    node = this_node()
    verb, names = words[0], words[1:]
    try:
        config = conf.load(path)
        if verb == "dump-xml":
            return adm_dump_xml(config, node, names)
        if verb == "sh-resources":
            print(" ".join(r.name for r in resources_for(config, node.name, [])))
            return 0
        if verb not in ADM_VERBS:
            raise DrbdFailure(f"drbdadm: Unknown command '{verb}'", EXIT_CONFIG)
        code = 0
        for res in resources_for(config, node.name, names):
            code = adm_command(node, verb, res, flags) or code
        return code
    except (DrbdFailure, ConfError) as exc:
        print(exc, file=sys.stderr)
        return exc.code if isinstance(exc, DrbdFailure) else EXIT_CONFIG


def adm_dump_xml(config: Config, node: Node, names: list[str]) -> int:
    """drbdadm dump-xml [RES...]."""
    if not names or names == ["all"]:
        sys.stdout.write(conf.dump_xml(config))
        return 0
    for res in resources_for(config, node.name, names):
        sys.stdout.write(conf.dump_xml(config, res.name, node.name))
    return 0
