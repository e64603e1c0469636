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
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from hacore.commands import pacemaker, shell, virt
from hacore.libvirt import DoubleRun, domain_name, double_runs, parse_virsh_list, virtual_domains
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.status import ClusterStatus
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import RemoteError, Runner, Target

log = logging.getLogger(__name__)
VM_AGENT = "ocf:heartbeat:VirtualDomain"
Nodes = list[tuple[str, Target]]


@dataclass(frozen=True)
class VirtTiming:
    """How the libvirt watch paces itself (seconds)."""

    debounce: float = 0.5
    confirm: float = 3.0
    slow: float = 60.0
    retry: float = 30.0


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


class VirtWatcher:
    """Follows libvirt on every node of one cluster while it has VMs."""

    def __init__(
        self,
        targets: Callable[[], Awaitable[Nodes]],
        new_runner: Callable[[], Runner],
        report: Callable[[list[DoubleRun]], Awaitable[None]],
        timing: VirtTiming | None = None,
    ) -> None:
        self.targets, self.new_runner, self.report = targets, new_runner, report
        self.timing = timing or VirtTiming()
        self.placed: dict[str, tuple[str, ...]] = {}
        self.changed = asyncio.Event()
        self.present = asyncio.Event()
        self.reported: list[DoubleRun] | None = None

    def note(self, status: ClusterStatus) -> None:
        """A new status from the cluster watch: follow libvirt while it lists VMs, and
        look again when their placement changed."""
        placed = placements(status)
        if placed != self.placed:
            self.placed = placed
            self.changed.set()
        if placed:
            self.present.set()
        else:
            self.present.clear()

    async def run(self) -> None:
        """Watch until cancelled (a failed watch is tried again after `retry`)."""
        while True:
            await self.present.wait()
            try:
                await self._watch()
            except (RemoteError, ParseError) as exc:
                log.warning("libvirt watch: %s", exc)
            if self.present.is_set():
                await asyncio.sleep(self.timing.retry)
            elif self.reported:
                await self._report([])

    async def _watch(self) -> None:
        async with self.new_runner() as remote:
            nodes = await self.targets()
            domains = await self._domains(remote, nodes)
            wanted = set(self.placed)
            uris = sorted({d.uri for d in domains.values()})
            followers = [
                asyncio.create_task(self._follow(remote, target, uri))
                for _, target in nodes
                for uri in uris
            ]
            try:
                while self.present.is_set() and set(self.placed) == wanted:
                    await self._check(remote, nodes, domains)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.changed.wait(), self.timing.slow)
                    await asyncio.sleep(self.timing.debounce)
                    self.changed.clear()
            finally:
                for task in followers:
                    task.cancel()
                for task in followers:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

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

    async def _follow(self, remote: Runner, target: Target, uri: str) -> None:
        """Wake the check on every domain event of one node (retried while it fails:
        a node without libvirtd)."""
        while True:
            with contextlib.suppress(RemoteError):
                async for line in remote.stream(target, virt.virsh_events(uri)):
                    if line.startswith("event "):
                        self.changed.set()
            await asyncio.sleep(self.timing.retry)

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
        found = double_runs(names, self.placed, await self._list(remote, nodes, domains))
        if found and found != self.reported:
            await asyncio.sleep(self.timing.confirm)  # still so after a live migration's overlap
            again = double_runs(names, self.placed, await self._list(remote, nodes, domains))
            found = [run for run in again if run in found]
        if found != self.reported:
            await self._report(found)

    async def _report(self, found: list[DoubleRun]) -> None:
        self.reported = found
        await self.report(found)
