"""Command line of `lab/lab`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable

from . import drbdlab, guest, lifecycle, net, scenario, vm
from .assets import host_key_line, recorded
from .cluster import ClusterView, query, reset
from .config import Lab, load_lab
from .errors import LabError
from .node import (
    crash,
    holder_pid,
    node_state,
    nsenter,
    power_off,
    power_on,
    reboot,
    require_holder,
    root_holder_main,
)
from .nodeinit import node_init
from .procs import log

Handler = Callable[[Lab, argparse.Namespace], int]
EXEC_FAILED = 255  # like ssh: the command could not be run at all


def timed(what: str, started: float) -> None:
    log(f"{what} in {time.monotonic() - started:.1f} s")


def cmd_up(lab: Lab, _args: argparse.Namespace) -> int:
    started = time.monotonic()
    view = lifecycle.up(lab)
    timed(f"up: {view.summary()}", started)
    return 0


def cmd_down(lab: Lab, args: argparse.Namespace) -> int:
    started = time.monotonic()
    lifecycle.down(lab)
    if args.purge:
        lifecycle.purge(lab)
    timed("down" + (f" and {lab.dir} removed" if args.purge else ""), started)
    return 0


def cmd_nodes(lab: Lab, _args: argparse.Namespace) -> int:
    for node in lab.nodes:
        print(f"{node.name} {node.address}")
    return 0


def cmd_info(lab: Lab, _args: argparse.Namespace) -> int:
    """The instance's machine-global names, as JSON (for tests and tools)."""
    info = {
        "instance": lab.instance,
        "lab_dir": str(lab.dir),
        "subnet": str(lab.subnet),
        "bridge": lab.bridge,
        "root_holder": lab.names.root_holder_comm,
        "nodes": [
            {
                "name": node.name,
                "address": str(node.address),
                "netns": node.netns,
                "veth": node.veth,
                "holder": node.holder_comm,
            }
            for node in lab.all_nodes
        ],
        "spare": lab.spare.name if lab.spare else None,
    }
    print(json.dumps(info, indent=2))
    return 0


def cmd_ssh_key(lab: Lab, _args: argparse.Namespace) -> int:
    if not lab.ssh_key.exists():
        raise LabError(f"no lab key yet ({lab.ssh_key}); run `lab/lab up` first")
    print(lab.ssh_key)
    return 0


def cmd_known_hosts(lab: Lab, _args: argparse.Namespace) -> int:
    for node in lab.nodes:
        print(host_key_line(lab, node))
    return 0


def cmd_exec(lab: Lab, args: argparse.Namespace) -> int:
    node = lab.node(args.node)
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise LabError("usage: lab/lab exec N CMD [ARG...]", 2)
    try:
        argv = nsenter(require_holder(lab, node), command)
    except LabError as exc:
        raise LabError(str(exc), EXEC_FAILED) from exc
    sys.stdout.flush()
    os.execvp(argv[0], argv)  # noqa: S606 - the point of `exec`: become the command


def cmd_kill_node(lab: Lab, args: argparse.Namespace) -> int:
    node = lab.node(args.node)
    power_off(lab, node)
    log(f"{node.name} powered off")
    return 0


def cmd_crash_node(lab: Lab, args: argparse.Namespace) -> int:
    node = lab.node(args.node)
    victims = crash(node)
    log(f"{node.name}: killed corosync and pacemaker ({len(victims)} processes)")
    return 0


def cmd_start_node(lab: Lab, args: argparse.Namespace) -> int:
    node = lab.node(args.node)
    started = time.monotonic()
    lifecycle.start_node(lab, node)
    timed(f"{node.name} online", started)
    return 0


def cmd_spare(lab: Lab, args: argparse.Namespace) -> int:
    """lab/lab spare up|down."""
    started = time.monotonic()
    if args.action == "up":
        node = lifecycle.spare_up(lab)
        timed(f"spare {node.name} ({node.address}) up, pcsd authenticated", started)
    else:
        node = lifecycle.spare_down(lab)
        timed(f"spare {node.name} down", started)
    return 0


def cmd_vm(lab: Lab, args: argparse.Namespace) -> int:
    """lab/lab vm create|list|remove."""
    if args.action == "create":
        kernel = guest.ensure_linux_guest(lab) if args.linux else None
        memory = args.memory or (128 if args.linux else 64)
        path = vm.create(lab, args.name, memory, kernel)
        print(vm.node_xml_path(args.name))
        log(f"{args.name}: {path} (seen by the nodes as {vm.node_xml_path(args.name)})")
    elif args.action == "remove":
        vm.remove(lab, args.name)
    else:
        for name in vm.names(lab):
            print(f"{name} {vm.node_xml_path(name)}")
    return 0


def cmd_partition(lab: Lab, args: argparse.Namespace) -> int:
    """lab/lab partition N..."""
    side = [lab.node(ref) for ref in args.nodes]
    others = [n.name for n in lab.nodes if n not in side]
    net.partition(lab, side)
    log(f"partition: {' '.join(n.name for n in side)} | {' '.join(others)}")
    return 0


def cmd_heal(lab: Lab, _args: argparse.Namespace) -> int:
    """lab/lab heal."""
    log("healed" if net.heal(lab) else "no partition")
    return 0


def cmd_reset(lab: Lab, _args: argparse.Namespace) -> int:
    started = time.monotonic()
    lifecycle.up(lab)
    view = reset(lab)
    scenario.restore_nodes(lab)
    timed(f"reset: {view.summary()}", started)
    return 0


def cmd_scenario(lab: Lab, args: argparse.Namespace) -> int:
    """lab/lab scenario book [--fixed | --prepare] | reset."""
    started = time.monotonic()
    lifecycle.up(lab)
    view = reset(lab)
    scenario.restore_nodes(lab)
    if args.name == "book" and args.prepare:
        scenario.prepare_nodes(lab)
    elif args.name == "book":
        view = scenario.book(lab, args.fixed)
    timed(f"scenario {args.name}: {view.summary()}", started)
    return 0


def status_rows(lab: Lab, view: ClusterView | None) -> tuple[list[dict[str, object]], bool]:
    """One row per cluster node (and the spare when it runs); healthy = every cluster
    node runs its core daemons and is online, and there is quorum."""
    rows: list[dict[str, object]] = []
    healthy = view is not None and view.quorate
    spare = [lab.spare] if lab.spare and holder_pid(lab, lab.spare) is not None else []
    for node in (*lab.nodes, *spare):
        state = node_state(lab, node)
        online = view is not None and view.online(node.name)
        if node in lab.nodes:
            healthy = healthy and state.healthy and online
        rows.append(
            {
                "name": node.name,
                "role": "cluster" if node in lab.nodes else "spare",
                "address": str(node.address),
                "netns": state.netns,
                "network": state.network,
                "holder": state.holder,
                "files": state.files,
                **state.daemons,
                **state.optional,
                "cluster": "online" if online else "offline",
            }
        )
    return rows, healthy


def yes(value: object) -> str:
    return "yes" if value else "no"


def print_status(rows: list[dict[str, object]], view: ClusterView | None) -> None:
    fmt = "{:<7}{:<16}{:<7}{:<9}{:<6}{:<10}{:<12}{:<6}{:<10}{}"
    heads = ("NODE", "ADDRESS", "NETNS", "HOLDER", "SSHD", "COROSYNC", "PACEMAKERD", "PCSD")
    print(fmt.format(*heads, "LIBVIRTD", "CLUSTER"))
    for r in rows:
        holder = str(r["holder"]) if r["holder"] else "-"
        print(
            fmt.format(
                str(r["name"]),
                str(r["address"]),
                yes(r["netns"] and r["network"]),
                holder,
                yes(r["sshd"]),
                yes(r["corosync"]),
                yes(r["pacemakerd"]),
                yes(r["pcsd"]),
                yes(r["libvirtd"]),
                r["cluster"],
            )
        )
    for r in rows:
        if r["holder"] and not r["files"]:
            print(
                f"{r['name']}: booted from files not in this LAB_DIR or by an older lab/lab "
                "(`lab/lab up` reboots it)"
            )
    if view is None:
        print("cluster: no node answers crm_mon")
    else:
        print(f"cluster: quorate={yes(view.quorate)} dc={view.dc} (seen from {view.source})")


def cmd_status(lab: Lab, args: argparse.Namespace) -> int:
    view = query(lab)
    rows, healthy = status_rows(lab, view)
    if args.json:
        quorate = view is not None and view.quorate
        dc = view.dc if view else None
        print(json.dumps({"healthy": healthy, "quorate": quorate, "dc": dc, "nodes": rows}))
    else:
        print_status(rows, view)
    return 0 if healthy else 1


def cmd_power(lab: Lab, args: argparse.Namespace) -> int:
    """Internal, for the fence agent: power on/off/status of one node, no cluster waits."""
    node = lab.node(args.node)
    subnet = recorded(lab, "subnet")
    if subnet is not None and subnet != str(lab.subnet):
        raise LabError(f"{lab.dir} is a lab on {subnet}, not {lab.subnet}: check LAB_SUBNET", 2)
    if args.action == "off":
        power_off(lab, node)
    elif args.action == "on":
        power_on(lab, node, args.boot_delay, services="enabled")
    elif args.action == "reboot":
        reboot(lab, node, args.boot_delay)
    else:
        print("on" if holder_pid(lab, node) is not None else "off")
    return 0


def cmd_node_init(lab: Lab, args: argparse.Namespace) -> int:
    return node_init(lab, lab.node(args.node), args.boot_delay, args.services)


def cmd_root_holder(lab: Lab, _args: argparse.Namespace) -> int:
    return root_holder_main(lab)


def add_node_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler,
    text: str | None,
) -> argparse.ArgumentParser:
    """A subcommand taking a node; without `text` it is internal and not listed."""
    parser = sub.add_parser(name, help=text, description=text) if text else sub.add_parser(name)
    parser.add_argument("node", help="node number 1..3 (or name)")
    parser.set_defaults(handler=handler)
    return parser


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, handler: Handler, text: str
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lab/lab",
        description="A real 3-node Pacemaker/Corosync cluster in namespaces.",
        epilog="Environment: LAB_INSTANCE, LAB_DIR, LAB_SUBNET, LAB_TIMEOUT (see docs/lab.md).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_command(sub, "up", cmd_up, "start the lab, wait until all nodes are online and quorate")
    down = add_command(sub, "down", cmd_down, "stop every lab process, remove netns/veths/bridge")
    down.add_argument("--purge", action="store_true", help="also delete LAB_DIR (keys, CIBs, logs)")
    status = add_command(
        sub, "status", cmd_status, "node processes and cluster view (1 = unhealthy)"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    add_command(sub, "nodes", cmd_nodes, "print NAME ADDRESS per node")
    add_command(sub, "info", cmd_info, "print the instance's names and paths as JSON")
    add_command(sub, "ssh-key", cmd_ssh_key, "print the path of the key that reaches the nodes")
    add_command(sub, "known-hosts", cmd_known_hosts, "print known_hosts lines for the nodes")
    run_cmd = add_node_command(sub, "exec", cmd_exec, "run a command inside a node (no ssh)")
    run_cmd.add_argument("command", nargs=argparse.REMAINDER, help="command and arguments")
    add_node_command(sub, "kill-node", cmd_kill_node, "power a node off (SIGKILL everything)")
    add_node_command(sub, "crash-node", cmd_crash_node, "SIGKILL corosync and pacemaker only")
    add_node_command(sub, "start-node", cmd_start_node, "start a node and wait until online")
    add_command(sub, "reset", cmd_reset, "restore the seeded configuration and wait to settle")
    vms = add_command(sub, "vm", cmd_vm, "write, list or remove guest definitions (domain XML)")
    vms.add_argument("action", choices=("create", "list", "remove"))
    vms.add_argument("name", nargs="?", default="")
    vms.add_argument("--memory", type=int, help="MiB (default 64, 128 with --linux)")
    vms.add_argument("--linux", action="store_true", help="a small Linux guest (else diskless)")
    drbdlab.add_parser(sub)
    scen = add_command(sub, "scenario", cmd_scenario, "the book's stack (book) or the plain lab")
    scen.add_argument("name", choices=("book", "reset"))
    scen.add_argument("--fixed", action="store_true", help="add the VM's missing colocation")
    scen.add_argument(
        "--prepare",
        action="store_true",
        help="only the nodes' side (DRBD's datos, the guest), no Pacemaker configuration",
    )
    part = add_command(sub, "partition", cmd_partition, "cut nodes N... off from the others")
    part.add_argument("nodes", nargs="+", help="node numbers or names on one side")
    add_command(sub, "heal", cmd_heal, "end a partition")
    spare = add_command(sub, "spare", cmd_spare, "boot (up) or power off (down) the spare node")
    spare.add_argument("action", choices=("up", "down"))
    add_internal_commands(sub)
    return parser


def add_internal_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    power = add_node_command(sub, "_power", cmd_power, None)
    power.add_argument("action", choices=("on", "off", "reboot", "status"))
    power.add_argument("--boot-delay", type=float, default=0.0)
    init = add_node_command(sub, "_node-init", cmd_node_init, None)
    init.add_argument("--boot-delay", type=float, default=0.0)
    init.add_argument("--services", choices=("all", "enabled"), default="all")
    sub.add_parser("_root-holder").set_defaults(handler=cmd_root_holder)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if os.geteuid() != 0:
            raise LabError("lab/lab must run as root", 2)
        handler: Handler = args.handler
        return handler(load_lab(), args)
    except LabError as exc:
        print(f"lab: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
