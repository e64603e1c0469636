"""`lab/lab scenario book [--fixed]`: the seed book's chapter 11 cluster, and the way back.

The book runs KVM guests on dual-primary DRBD under DLM, cLVM and GFS2, with libvirtd as a
cluster clone (lsb:libvirtd) and one VirtualDomain per guest. The scenario builds it with
the book's ids, orders and colocations, applied at once with pcs on a CIB copy and
pushed (`pcs cluster cib FILE`, `pcs -f FILE ...`, `pcs cluster cib-push FILE --config`):

- drbd_datos: ocf:linbit:drbd drbd_resource=datos, promotable, promoted-max=2, notify
  (the lab's DRBD stand-in, /etc/drbd.d/datos.res written on every node);
- dlm-clone, clvmd-clone, sharedFS-clone: the lab's stand-in agents (their kernels parts
  do not exist here), ordered and colocated as the book has them;
- res_libvirtd-clone: lsb:libvirtd, the node's libvirtd (disabled in systemd, as the book
  does, so that only the cluster starts it);
- ubuntu: ocf:heartbeat:VirtualDomain on a real QEMU guest, /home/datos/xmls/ubuntu.xml.

Clones run on two of the nodes (clone-max=2). The book orders the VM after the libvirtd
clone (symmetrical=false) but never colocates it with it: Pacemaker may place the VM
where libvirtd is not, its start fails there, and it ends on another node with a failed
action left behind. `--fixed` adds the missing colocation. `--prepare` readies the nodes
only (DRBD's datos configured, the guest defined on the shared path) and pushes nothing:
what the console's guided book setup starts from.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from . import net, vm
from .cluster import ClusterView, first_running, run_on, wait_cluster
from .config import Lab, Node
from .drbd import state as drbd_state
from .errors import LabError
from .node import holder_pid
from .procs import log

CIB_COPY = "/run/haconsole-lab-book.xml"
VM_NAME = "ubuntu"
DRBD_PORT = 7789
CLONE = ["clone", "interleave=true", "ordered=true", "clone-max=2", "clone-node-max=1"]
RESOURCES: list[list[str]] = [
    [
        "drbd_datos", "ocf:linbit:drbd", "drbd_resource=datos",
        "op", "monitor", "interval=29s", "role=Promoted",
        "op", "monitor", "interval=31s", "role=Unpromoted",
        "promotable", "promoted-max=2", "promoted-node-max=1",
        "clone-max=2", "clone-node-max=1", "notify=true",
    ],
    ["dlm", "ocf:haconsole-lab:controld", "op", "monitor", "interval=60s", *CLONE],
    ["clvmd", "ocf:haconsole-lab:clvm", "op", "monitor", "interval=60s", *CLONE],
    [
        "sharedFS", "ocf:haconsole-lab:Filesystem", "device=/dev/vg_datos/lv_datos",
        "directory=/home/datos", "fstype=gfs2", "op", "monitor", "interval=20s", *CLONE,
    ],
    ["res_libvirtd", "lsb:libvirtd", "op", "monitor", "interval=30s", *CLONE],
    [
        VM_NAME, "ocf:heartbeat:VirtualDomain", f"config={vm.node_xml_path(VM_NAME)}",
        "hypervisor=qemu:///system", "migration_transport=ssh", "force_stop=true",
        "meta", "allow-migrate=true",
        "op", "monitor", "interval=10s", "timeout=30s",
        "op", "start", "timeout=30s", "op", "stop", "timeout=60s",
        "op", "migrate_to", "timeout=120s", "op", "migrate_from", "timeout=60s",
    ],
]  # fmt: skip
ORDERS = [
    ["promote", "drbd_datos-clone", "then", "start", "dlm-clone"],
    ["start", "dlm-clone", "then", "start", "clvmd-clone"],
    ["start", "clvmd-clone", "then", "start", "sharedFS-clone"],
    ["start", "sharedFS-clone", "then", "start", "res_libvirtd-clone"],
    ["start", "res_libvirtd-clone", "then", "start", VM_NAME, "symmetrical=false"],
]
COLOCATIONS = [
    ["dlm-clone", "with", "Promoted", "drbd_datos-clone", "INFINITY"],
    ["clvmd-clone", "with", "dlm-clone", "INFINITY"],
    ["sharedFS-clone", "with", "clvmd-clone", "INFINITY"],
    ["res_libvirtd-clone", "with", "sharedFS-clone", "INFINITY"],
]
FIX = [VM_NAME, "with", "res_libvirtd-clone", "INFINITY"]
# what "every resource reaches its role" means: (id, role) -> instances
EXPECTED = {
    ("drbd_datos", "Promoted"): 2,
    ("dlm", "Started"): 2,
    ("clvmd", "Started"): 2,
    ("sharedFS", "Started"): 2,
    ("res_libvirtd", "Started"): 2,
    (VM_NAME, "Started"): 1,
}


def drbd_conf(lab: Lab) -> str:
    """The book's datos resource: protocol C, dual primary, every cluster node a peer."""
    hosts = "".join(
        f"\ton {n.name} {{\n\t\taddress {n.address}:{DRBD_PORT};\n\t\tnode-id {i};\n\t}}\n"
        for i, n in enumerate(lab.nodes)
    )
    return (
        "# Written by lab/lab scenario book: the book's datos resource (DRBD stand-in;\n"
        "# the lab has no DRBD kernel module and no /dev/lab/datos).\n"
        "resource datos {\n\tdevice /dev/drbd0;\n\tdisk /dev/lab/datos;\n\tmeta-disk internal;\n"
        "\tnet {\n\t\tprotocol C;\n\t\tallow-two-primaries yes;\n"
        "\t\tafter-sb-0pri discard-zero-changes;\n\t\tafter-sb-1pri discard-secondary;\n"
        "\t\tafter-sb-2pri disconnect;\n\t}\n"
        f"{hosts}\tconnection-mesh {{\n\t\thosts {' '.join(n.name for n in lab.nodes)};\n\t}}\n"
        "}\n"
    )


def on_node(lab: Lab, node: Node, cmd: list[str], input_text: str | None = None) -> str:
    """Run a command on a node; LabError with its output if it fails."""
    result = run_on(lab, node, cmd, timeout=120, input_text=input_text)
    if result.returncode != 0:
        raise LabError(f"{node.name}: {' '.join(cmd)}: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def prepare_nodes(lab: Lab) -> None:
    """DRBD's configuration on every node, libvirtd left to the cluster, the guest."""
    forget_drbd(lab)
    for node in lab.nodes:
        on_node(lab, node, ["tee", "/etc/drbd.d/datos.res"], drbd_conf(lab))
        on_node(lab, node, ["systemctl", "disable", "--now", "libvirtd"])
    vm.remove(lab, VM_NAME)
    vm.create(lab, VM_NAME, 64, None)


def pcs_commands(fixed: bool) -> list[list[str]]:
    """The pcs -f commands that build the book's configuration."""
    commands = [["resource", "create", *spec] for spec in RESOURCES]
    commands += [["constraint", "order", *order] for order in ORDERS]
    commands += [["constraint", "colocation", "add", *coloc] for coloc in COLOCATIONS]
    if fixed:
        commands.append(["constraint", "colocation", "add", *FIX])
    return commands


def push_configuration(lab: Lab, node: Node, fixed: bool) -> None:
    """All of it on a CIB copy, then one push (as the pcs documentation has it done).

    pcs's output is kept in the lab's directory, keyed by what it was made from (the
    live configuration section and the pcs commands): the next build on the same
    configuration pushes that copy instead of starting pcs 17 times again (~15 s)."""
    commands = pcs_commands(fixed)
    base = on_node(lab, node, ["cibadmin", "--query", "--scope", "configuration"])
    key = hashlib.sha256(json.dumps([base, commands]).encode()).hexdigest()[:20]
    kept = lab.dir / "scenario-cache" / f"book-{key}.xml"
    if kept.exists():
        on_node(lab, node, ["tee", CIB_COPY], kept.read_text())
    else:
        on_node(lab, node, ["pcs", "cluster", "cib", CIB_COPY])
        for command in commands:
            on_node(lab, node, ["pcs", "-f", CIB_COPY, *command])
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(on_node(lab, node, ["cat", CIB_COPY]))
    on_node(lab, node, ["pcs", "cluster", "cib-push", CIB_COPY, "--config"])
    on_node(lab, node, ["rm", "-f", CIB_COPY])


def roles(view: ClusterView) -> Counter[tuple[str, str]]:
    """(id, role) of every healthy instance (active, not failed, on online nodes)."""
    return Counter(
        (r.id, r.role)
        for r in view.resources
        if r.active and not r.failed and r.nodes and all(view.online(n) for n in r.nodes)
    )


def reached(view: ClusterView) -> bool:
    """Every resource of the book has its role (EXPECTED)."""
    have = roles(view)
    return all(have[key] >= count for key, count in EXPECTED.items())


def book(lab: Lab, fixed: bool) -> ClusterView:
    """Build the book's configuration and wait until every resource has its role."""
    node = first_running(lab)
    prepare_nodes(lab)
    push_configuration(lab, node, fixed)
    log("book scenario pushed" + (" (with the VM colocation)" if fixed else ""))
    return wait_cluster(lab, reached, "every resource of the book in its role")


def forget_drbd(lab: Lab) -> None:
    """The DRBD stand-in's state goes (as after `drbdadm down` everywhere)."""
    paths = drbd_state.Paths(lab.dir)
    with drbd_state.locked(paths) as state:
        state["resources"] = {}


def restore_nodes(lab: Lab) -> None:
    """What the scenarios and tests change on the nodes, back to the plain lab: no DRBD
    resource, no guest definition, libvirtd and the cluster services enabled and
    started, no partition."""
    net.heal(lab)
    forget_drbd(lab)
    for name in vm.names(lab):
        vm.remove(lab, name)
    for node in lab.nodes:
        if holder_pid(lab, node) is None:
            continue
        on_node(lab, node, ["find", "/etc/drbd.d", "-name", "*.res", "-delete"])
        on_node(lab, node, ["systemctl", "enable", "corosync", "pacemaker", "pcsd", "libvirtd"])
        on_node(lab, node, ["systemctl", "start", "libvirtd"])
