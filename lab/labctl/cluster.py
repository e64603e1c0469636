"""The cluster as Pacemaker sees it: crm_mon XML read on a node, waits, reset."""

from __future__ import annotations

import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from .assets import seeded_cib
from .config import Lab, Node
from .errors import LabError
from .node import holder_pid, node_state, nsenter
from .procs import log, run

POLL = 0.25
KEEP_BOOTSTRAP = ("dc-version", "have-watchdog")


@dataclass(frozen=True)
class NodeView:
    name: str
    online: bool
    unclean: bool
    pending: bool
    standby: bool


@dataclass(frozen=True)
class ResourceView:
    id: str
    agent: str
    role: str
    active: bool
    failed: bool
    nodes: tuple[str, ...]


@dataclass
class ClusterView:
    """One `crm_mon --one-shot --output-as=xml`, read on `source`."""

    source: str
    dc: str | None = None
    quorate: bool = False
    nodes: dict[str, NodeView] = field(default_factory=dict)
    resources: list[ResourceView] = field(default_factory=list)

    def online(self, name: str) -> bool:
        view = self.nodes.get(name)
        return view is not None and view.online and not view.unclean and not view.pending

    def healthy(self, names: list[str]) -> bool:
        return self.quorate and self.dc is not None and all(self.online(n) for n in names)

    def summary(self) -> str:
        states = ", ".join(
            f"{n}={'online' if self.online(n) else 'offline'}" for n in sorted(self.nodes)
        )
        return f"quorate={self.quorate} dc={self.dc} {states} (seen from {self.source})"


def is_true(value: str | None) -> bool:
    return value == "true"


def parse_resource(elem: ET.Element) -> ResourceView:
    return ResourceView(
        id=elem.get("id", ""),
        agent=elem.get("resource_agent", ""),
        role=elem.get("role", ""),
        active=is_true(elem.get("active")),
        failed=is_true(elem.get("failed")),
        nodes=tuple(n.get("name", "") for n in elem.findall("node")),
    )


def parse_crm_mon(text: str, source: str) -> ClusterView | None:
    try:
        root = ET.fromstring(text)  # noqa: S314 - crm_mon's output, on our own node
    except ET.ParseError:
        return None
    dc = root.find("summary/current_dc")
    if dc is None:
        return None
    view = ClusterView(source)
    if is_true(dc.get("present")):
        view.dc = dc.get("name")
        view.quorate = is_true(dc.get("with_quorum"))
    for elem in root.findall("nodes/node"):
        name = elem.get("name", "")
        view.nodes[name] = NodeView(
            name,
            is_true(elem.get("online")),
            is_true(elem.get("unclean")),
            is_true(elem.get("pending")),
            is_true(elem.get("standby")),
        )
    view.resources = [parse_resource(e) for e in root.iter("resource")]
    return view


def run_on(
    lab: Lab,
    node: Node,
    cmd: list[str],
    *,
    timeout: float = 30.0,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command inside a node's namespaces (no ssh); never raises on exit status."""
    pid = holder_pid(lab, node)
    if pid is None:
        raise LabError(f"{node.name} is not running")
    return run(nsenter(pid, cmd), check=False, timeout=timeout, input_text=input_text)


def query_node(lab: Lab, node: Node) -> ClusterView | None:
    try:
        result = run_on(
            lab, node, ["crm_mon", "--one-shot", "--inactive", "--output-as=xml"], timeout=15
        )
    except LabError:
        return None
    return parse_crm_mon(result.stdout, node.name)


def query(lab: Lab) -> ClusterView | None:
    """The cluster view from the first node whose Pacemaker answers."""
    for node in lab.nodes:
        state = node_state(lab, node)
        if state.holder is not None and state.daemons.get("pacemakerd"):
            view = query_node(lab, node)
            if view is not None and view.dc is not None:
                return view
    return None


def query_everywhere(lab: Lab) -> list[ClusterView | None]:
    """One view per node that has a holder; None where that node's Pacemaker does not answer.

    A view from one node can be stale (a node killed a moment ago still looks online until
    the token times out); every running node agreeing is what "converged" means.
    """
    views: list[ClusterView | None] = []
    for node in lab.nodes:
        if holder_pid(lab, node) is not None:
            view = query_node(lab, node)
            views.append(view if view is not None and view.dc is not None else None)
    return views


def wait_cluster(
    lab: Lab,
    done: Callable[[ClusterView], bool],
    what: str,
    timeout: float | None = None,
) -> ClusterView:
    """Poll crm_mon on every running node until `done` holds for all their views."""
    limit = lab.timeout if timeout is None else timeout
    deadline = time.monotonic() + limit
    while True:
        views = query_everywhere(lab)
        answered = [v for v in views if v is not None]
        if answered and len(answered) == len(views) and all(done(v) for v in answered):
            return answered[0]
        if time.monotonic() > deadline:
            seen = "; ".join(v.summary() for v in answered) or "no node answered crm_mon"
            raise LabError(f"timed out after {limit:.0f} s waiting for {what}; last: {seen}")
        time.sleep(POLL)


def wait_healthy(lab: Lab, timeout: float | None = None) -> ClusterView:
    names = [n.name for n in lab.nodes]
    return wait_cluster(lab, lambda v: v.healthy(names), "all nodes online and quorum", timeout)


def first_running(lab: Lab) -> Node:
    for node in lab.nodes:
        if holder_pid(lab, node) is not None:
            return node
    raise LabError("no lab node is running")


def reset_configuration(lab: Lab, node: Node) -> None:
    """Replace the configuration section with the seeded one (keeping dc-version)."""
    config = seeded_cib(lab).find("configuration")
    xpath = ".//cluster_property_set[@id='cib-bootstrap-options']"
    bootstrap = None if config is None else config.find(xpath)
    if config is None or bootstrap is None:
        raise LabError("lab/templates/cib.xml has no configuration/cib-bootstrap-options")
    current = run_on(lab, node, ["cibadmin", "--query", "--scope", "crm_config"]).stdout
    bootstrap.extend(current_bootstrap(current))
    result = run_on(
        lab,
        node,
        ["cibadmin", "--replace", "--scope", "configuration", "--xml-pipe"],
        input_text=ET.tostring(config, encoding="unicode"),
    )
    if result.returncode != 0:
        raise LabError(f"cibadmin --replace failed: {result.stderr.strip()}")


def current_bootstrap(crm_config_xml: str) -> list[ET.Element]:
    try:
        root = ET.fromstring(crm_config_xml)  # noqa: S314 - cibadmin's output
    except ET.ParseError:
        return []
    return [
        e
        for e in root.iterfind(".//cluster_property_set[@id='cib-bootstrap-options']/nvpair")
        if e.get("name") in KEEP_BOOTSTRAP
    ]


def clear_runtime_state(lab: Lab, node: Node) -> None:
    """Transient standby/maintenance, failures, fence history."""
    for other in lab.nodes:
        for name in ("standby", "maintenance"):
            run_on(
                lab,
                node,
                [
                    "crm_attribute",
                    "--node",
                    other.name,
                    "--name",
                    name,
                    "--delete",
                    "--lifetime",
                    "reboot",
                ],
            )
    run_on(lab, node, ["crm_resource", "--cleanup"], timeout=60)
    run_on(lab, node, ["stonith_admin", "--cleanup", "--history", "*"])


def settled(view: ClusterView, names: list[str]) -> bool:
    return (
        view.healthy(names)
        and bool(view.resources)
        and all(r.active and not r.failed and r.role == "Started" for r in view.resources)
    )


def wait_settled(lab: Lab, node: Node) -> subprocess.CompletedProcess[str]:
    """`crm_resource --wait`: until the cluster has no pending actions."""
    cmd = ["crm_resource", "--wait", f"--timeout={int(lab.timeout)}s"]
    return run_on(lab, node, cmd, timeout=lab.timeout + 10)


def config_ids(xml_text: str) -> set[str]:
    """Every id in a configuration, minus what Pacemaker itself adds or updates."""
    try:
        root = ET.fromstring(xml_text)  # noqa: S314 - cibadmin's output or our template
    except ET.ParseError:
        return set()
    ids = {e.get("id", "") for e in root.iter() if e.get("id")}
    return {i for i in ids if not i.endswith(("-dc-version", "-have-watchdog", "-lrm-refresh"))}


def resource_ids(xml_text: str) -> set[str]:
    """Ids of the resources (primitives, groups, clones, bundles) in a CIB or section."""
    try:
        root = ET.fromstring(xml_text)  # noqa: S314 - cibadmin's output or our template
    except ET.ParseError:
        return set()
    tags = ("primitive", "group", "clone", "master", "bundle")
    return {e.get("id", "") for e in root.iter() if e.tag in tags}


def seeded_now(lab: Lab, node: Node) -> bool:
    config = seeded_cib(lab).find("configuration")
    seeded = config_ids(ET.tostring(config, encoding="unicode")) if config is not None else set()
    current = run_on(lab, node, ["cibadmin", "--query", "--scope", "configuration"]).stdout
    return config_ids(current) == seeded


def restore_configuration(lab: Lab, node: Node) -> None:
    """Replace, and check: a CIB sync during a join can undo a replace (then try again)."""
    for _attempt in range(3):
        reset_configuration(lab, node)
        if seeded_now(lab, node):
            return
        wait_settled(lab, node)
    raise LabError("the seeded configuration did not stick after 3 replacements")


def stop_extra_resources(lab: Lab, node: Node) -> None:
    """Resources beyond the seeded ones (a scenario's, a test's) stop first, in the order
    their constraints give (a VM before the libvirtd it needs): replaced all at once they
    would become orphans, stopped in no particular order."""
    seeded = resource_ids(ET.tostring(seeded_cib(lab), encoding="unicode"))
    current = run_on(lab, node, ["cibadmin", "--query", "--scope", "resources"]).stdout
    if resource_ids(current) <= seeded:
        return
    log("stopping the resources that are not the seeded ones")
    guests = [
        e.get("id", "")
        for e in ET.fromstring(current).iter("primitive")  # noqa: S314 - cibadmin's output
        if e.get("type") == "VirtualDomain"
    ]
    for guest in guests:  # first: an order may be asymmetrical (the book's), not reversed
        meta = ["crm_resource", "--resource", guest, "--meta", "--set-parameter", "target-role"]
        run_on(lab, node, [*meta, "--parameter-value", "Stopped"])
    if guests:
        wait_settled(lab, node)
    set_property = ["crm_attribute", "--type", "crm_config", "--name", "stop-all-resources"]
    run_on(lab, node, [*set_property, "--update", "true"])
    wait_settled(lab, node)


def forget_extra_nodes(lab: Lab, node: Node) -> None:
    """Nodes the CIB still knows but the lab has not (a spare added, then removed): out
    of Pacemaker's caches and CIB, or the seeded configuration would not stick."""
    current = run_on(lab, node, ["cibadmin", "--query", "--scope", "nodes"]).stdout
    try:
        root = ET.fromstring(current)  # noqa: S314 - cibadmin's output
    except ET.ParseError:
        return
    ours = {n.name for n in lab.nodes}
    conf = lab.node_dir(node) / "etc-corosync" / "corosync.conf"
    members = conf.read_text() if conf.exists() else ""
    for elem in root.iter("node"):
        name = elem.get("uname", "")
        if not name or name in ours:
            continue
        if f"name: {name}\n" in members:  # still in the cluster: removed the pcs way
            log(f"removing {name} from the cluster (pcs cluster node remove)")
            run_on(lab, node, ["pcs", "cluster", "node", "remove", name, "--force"], timeout=180)
        log(f"forgetting {name}, not a node of this lab")
        run_on(lab, node, ["crm_node", "--force", "--remove", name])


def reset(lab: Lab) -> ClusterView:
    node = first_running(lab)
    forget_extra_nodes(lab, node)
    stop_extra_resources(lab, node)
    log(f"restoring the seeded configuration through {node.name}")
    restore_configuration(lab, node)
    clear_runtime_state(lab, node)
    wait = wait_settled(lab, node)
    if wait.returncode != 0:
        raise LabError(f"crm_resource --wait: {wait.stderr.strip() or wait.returncode}")
    names = [n.name for n in lab.nodes]
    return wait_cluster(lab, lambda v: settled(v, names), "all resources started")
