"""The libvirt side of a cluster's watch: the double-run alarm, pushed.

While the cluster's status lists VirtualDomain resources, this follows libvirt's domain
events on every node (`virsh event --all --loop`, one channel per node: nothing at
idle) and, on an event, on a change of Pacemaker's placement of a VM (note()), and every
SLOW seconds as a safety net, lists the domains on every node (`virsh list --all`) and
compares them with Pacemaker's placement. A domain running on two nodes, or where
Pacemaker does not place it, that is still so CONFIRM seconds later (a live migration
overlaps for an instant) is reported: the mirror turns it into a critical warning on the
cluster page and the wall, and an event. A node whose libvirt cannot be read says
nothing either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from clusters.node_watch import Nodes, NodeWatch, WatchTiming, running
from hacore.commands import pacemaker, shell, virt
from hacore.libvirt import DoubleRun, domain_name, double_runs, parse_virsh_list, virtual_domains
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.status import ClusterStatus
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import RemoteError, Runner, Target

VM_AGENT = "ocf:heartbeat:VirtualDomain"
Json = dict[str, Any]


@dataclass(frozen=True)
class Domain:
    """A VM's domain: its name and the hypervisor URI it runs under."""

    name: str
    uri: str


def placements(status: ClusterStatus) -> dict[str, tuple[str, ...]]:
    """Where crm_mon shows each VirtualDomain resource active (resource -> nodes)."""
    return {
        r.id: tuple(r.nodes) if r.active else ()
        for r in status.all_resources()
        if r.agent == VM_AGENT
    }


def _is_event(line: str) -> bool:
    return line.startswith("event ")


def _states(domains: dict[str, Domain], listed: dict[str, dict[str, str]]) -> dict[str, Json]:
    """What libvirt said of each VM: its domain, hypervisor and state on each node read."""
    return {
        rid: {
            "domain": d.name,
            "hypervisor": d.uri,
            "state": {node: states.get(d.name) for node, states in sorted(listed.items())},
        }
        for rid, d in domains.items()
    }


class VirtWatcher(NodeWatch):
    """Follows libvirt on every node of one cluster while it has VMs."""

    what = "libvirt watch"

    def __init__(
        self,
        targets: Callable[[], Awaitable[Nodes]],
        new_runner: Callable[[], Runner],
        report: Callable[[list[DoubleRun]], Awaitable[None]],
        timing: WatchTiming | None = None,
        seen: Callable[[dict[str, Json]], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(targets, new_runner, timing)
        self.report, self.seen = report, seen
        self.placed: dict[str, tuple[str, ...]] = {}
        self.reported: list[DoubleRun] | None = None

    def note(self, status: ClusterStatus) -> None:
        """A new status from the cluster watch: follow libvirt while it lists VMs, and
        look again when their placement changed."""
        placed = placements(status)
        if placed != self.placed:
            self.placed = placed
            self.changed.set()
        self.presence(bool(placed))

    async def gone(self) -> None:
        """No VM left: no double run either."""
        if self.reported:
            await self._report([])

    async def watch(self) -> None:
        """Follow every node's domain events; look on each, and as the VMs move."""
        async with self.new_runner() as remote:
            nodes = await self.targets()
            domains = await self._domains(remote, nodes)
            wanted = set(self.placed)
            uris = sorted({d.uri for d in domains.values()})
            streams = [
                asyncio.create_task(self.follow(remote, target, virt.virsh_events(uri), _is_event))
                for _, target in nodes
                for uri in uris
            ]
            async with running(streams):
                while self.present.is_set() and set(self.placed) == wanted:
                    await self._check(remote, nodes, domains)
                    await self.next_change()

    async def _domains(self, remote: Runner, nodes: Nodes) -> dict[str, Domain]:
        """Each VM's domain, from the CIB and its config file (read on the first node
        that has it: the file is on the shared storage)."""
        failures = []
        for name, target in nodes:
            try:
                await remote.connect(target)
                xml = await remote.run(target, pacemaker.CIB_QUERY)
            except RemoteError as exc:
                failures.append(f"{name}: {exc}")
                continue
            if not xml.ok:
                failures.append(f"{name}: {xml.stderr.strip()}")
                continue
            found: dict[str, Domain] = {}
            for vm in virtual_domains(parse_cib(xml.stdout)):
                domain = await self._domain_name(remote, nodes, vm.config)
                if domain:
                    found[vm.resource] = Domain(domain, vm.hypervisor)
            return found
        raise RemoteError("cluster", "; ".join(failures) or "no node")

    async def _domain_name(self, remote: Runner, nodes: Nodes, config: str) -> str:
        for _, target in nodes:
            with contextlib.suppress(RemoteError, ParseError):
                read = await remote.run(target, shell.cat(config))
                if read.ok:
                    return domain_name(read.stdout)
        return ""

    async def _list(
        self, remote: Runner, nodes: Nodes, domains: dict[str, Domain]
    ) -> dict[str, dict[str, str]]:
        """libvirt's domains on every node that answers (node -> domain -> state)."""
        uris = sorted({d.uri for d in domains.values()})

        async def one(target: Target) -> dict[str, str] | None:
            states: dict[str, str] = {}
            for uri in uris:
                try:
                    read = await remote.run(target, virt.virsh_list(uri))
                    if not read.ok:
                        return None
                    states.update(parse_virsh_list(read.stdout))
                except (RemoteError, ParseError):
                    return None
            return states

        listed = await asyncio.gather(*(one(target) for _, target in nodes))
        return {
            name: states
            for (name, _), states in zip(nodes, listed, strict=True)
            if states is not None
        }

    async def _check(self, remote: Runner, nodes: Nodes, domains: dict[str, Domain]) -> None:
        names = {rid: d.name for rid, d in domains.items()}
        listed = await self._list(remote, nodes, domains)
        if self.seen is not None:
            await self.seen(_states(domains, listed))
        found = double_runs(names, self.placed, listed)
        if found and found != self.reported:
            await asyncio.sleep(self.timing.confirm)  # still so after a live migration's overlap
            again = double_runs(names, self.placed, await self._list(remote, nodes, domains))
            found = [run for run in again if run in found]
        if found != self.reported:
            await self._report(found)

    async def _report(self, found: list[DoubleRun]) -> None:
        self.reported = found
        await self.report(found)
