"""The advisor's rules about VMs on replicated storage (issue 9): what lets a VM's
definition go missing where it may run, and what makes Pacemaker stop and start a VM it
could live-migrate."""

from __future__ import annotations

from collections.abc import Iterator

from hacore.advice.model import ADMINISTER, Facts, Finding, Fix, Ref, Severity
from hacore.libvirt import virtual_domains
from hacore.libvirt_definition import Parts, differing
from hacore.libvirt_info import cluster_filesystems
from hacore.migration import DRBD_AGENT, dependencies
from hacore.pacemaker.cib import CibResource


def vm_config_not_shared(facts: Facts) -> Iterator[Finding]:
    """A VirtualDomain whose `config` file is not under any cluster filesystem's mount
    point, while the cluster has one: a node without the file (or with an older copy)
    reports the VM stopped, and Pacemaker may start a second copy elsewhere."""
    shared = cluster_filesystems(facts.cib)
    if not shared:
        return
    for vm in virtual_domains(facts.cib):
        if not vm.config or any(vm.config.startswith(d + "/") for d in shared.values()):
            continue
        where = ", ".join(f"{d} ({cid})" for cid, d in sorted(shared.items()))
        detail = (
            f"{vm.resource}'s definition {vm.config} is not on the cluster filesystem "
            f"({where}): on a node where the file is missing or differs, the agent reports "
            "the VM stopped and Pacemaker may start a second copy. Keep it on the shared "
            "filesystem."
        )
        refs = (Ref("resource", vm.resource), *(Ref("resource", c) for c in sorted(shared)))
        yield Finding("vm_config_not_shared", Severity.WARNING, detail, refs)


def _dual_primary_drbd(clone: CibResource) -> bool:
    promoted_max = clone.meta_value("promoted-max") or clone.meta_value("master-max") or "1"
    drbd = any(r.agent == DRBD_AGENT for r in clone.walk())
    return drbd and promoted_max.strip().isdigit() and int(promoted_max) >= 2


def vm_without_live_migration(facts: Facts) -> Iterator[Finding]:
    """A VirtualDomain on dual-primary DRBD (what it depends on includes a promotable
    DRBD clone with promoted-max >= 2) without allow-migrate: the storage allows a live
    migration, but Pacemaker stops the VM and starts it again at every move."""
    for vm in virtual_domains(facts.cib):
        if vm.allow_migrate:
            continue
        needed = dependencies(vm.resource, facts.constraints)
        dual = [
            rid
            for rid in needed
            if (clone := facts.cib.resource(rid)) is not None and _dual_primary_drbd(clone)
        ]
        if not dual:
            continue
        detail = (
            f"{vm.resource} runs on dual-primary DRBD ({', '.join(dual)}) but has no "
            "allow-migrate: every move stops the VM and starts it again instead of a live "
            "migration."
        )
        body = {"meta": {"allow-migrate": "true"}}
        fix = Fix(
            "POST", f"resources/{vm.resource}/update/", body,
            f"set allow-migrate=true on {vm.resource}", ADMINISTER,
        )  # fmt: skip
        refs = (Ref("resource", vm.resource), *(Ref("resource", d) for d in dual))
        yield Finding("vm_without_live_migration", Severity.INFO, detail, refs, fix)


def _vm_nodes(facts: Facts) -> dict[str, str]:
    """Domain name -> its VirtualDomain resource, for the VMs whose domain is known."""
    return {domain: rid for rid, domain in facts.vm_domains.items()}


def vm_autostart(facts: Facts) -> Iterator[Finding]:
    """A cluster-managed domain marked autostart in libvirt on a node: when that node
    (or its libvirtd) starts, libvirt starts the VM behind Pacemaker's back, possibly
    while it runs elsewhere: two copies on one disk."""
    managed = _vm_nodes(facts)
    for node, seen in sorted((facts.libvirt or {}).items()):
        for domain in sorted(seen.autostart & set(managed)):
            rid = managed[domain]
            detail = (
                f"libvirt on {node} starts {domain} ({rid}) by itself at boot (autostart): "
                "it may then run beside the copy Pacemaker runs elsewhere. Turn it off on "
                f"{node}: virsh autostart --disable {domain}."
            )
            yield Finding(
                "vm_autostart", Severity.CRITICAL, detail, (Ref("resource", rid), Ref("node", node))
            )


def libvirt_guests_enabled(facts: Facts) -> Iterator[Finding]:
    """The libvirt-guests service enabled on a node of a cluster with VMs: at boot it
    starts the guests that ran at shutdown, behind Pacemaker's back (and at shutdown it
    suspends or shuts them down, racing Pacemaker's own stop)."""
    if not facts.vm_domains:
        return
    for node, seen in sorted((facts.libvirt or {}).items()):
        if not seen.guests_enabled:
            continue
        detail = (
            f"libvirt-guests is enabled on {node}: it starts and stops VMs at boot and "
            "shutdown on its own, behind Pacemaker's back. Disable it: systemctl disable "
            "libvirt-guests."
        )
        yield Finding("libvirt_guests_enabled", Severity.CRITICAL, detail, (Ref("node", node),))


def vm_config_missing(facts: Facts) -> Iterator[Finding]:
    """A VirtualDomain's config file missing on a node whose libvirt runs (where the VM
    can be placed): there the agent's monitor reports the VM stopped, so Pacemaker may
    start a second copy, and a migration there fails."""
    for vm in virtual_domains(facts.cib):
        lacking = sorted(
            node
            for node, seen in (facts.libvirt or {}).items()
            if vm.config in seen.missing_configs
        )
        if not vm.config or not lacking:
            continue
        detail = (
            f"{vm.resource}'s definition {vm.config} is missing on {', '.join(lacking)}, "
            "where libvirt runs: there the agent reports the VM stopped (Pacemaker may then "
            "start a second copy) and a migration to it fails. Put the file there (on the "
            "shared filesystem, it is there wherever the filesystem is mounted)."
        )
        refs = (Ref("resource", vm.resource), *(Ref("node", n) for n in lacking))
        yield Finding("vm_config_missing", Severity.CRITICAL, detail, refs)


def vm_definition_differs(facts: Facts) -> Iterator[Finding]:
    """A VirtualDomain's `config` file that means something different on two nodes (its
    copies compared part by part, layout aside): the VM starts with one definition here
    and another there, a disk included (then it may write to another disk after a
    move). Critical when a disk differs, else a warning."""
    for vm in virtual_domains(facts.cib):
        copies: dict[Parts, list[str]] = {}
        for node, seen in sorted((facts.libvirt or {}).items()):
            if vm.config and vm.config in seen.definitions:
                copies.setdefault(tuple(seen.definitions[vm.config]), []).append(node)
        if len(copies) < 2:
            continue
        groups = sorted(copies.values())
        parts: list[str] = []
        for other in list(copies)[1:]:
            parts += [p for p in differing(next(iter(copies)), other) if p not in parts]
        disk = any(p.startswith("devices/disk") for p in parts)
        sides = "; ".join(", ".join(g) for g in groups)
        detail = (
            f"{vm.resource}'s definition {vm.config} differs between nodes ({sides}): "
            f"{', '.join(parts)}. The VM starts with whichever copy the node has"
            + (", its disks included" if disk else "")
            + ". Make the copies the same (or keep the file on the shared filesystem)."
        )
        refs = (Ref("resource", vm.resource), *(Ref("node", n) for g in groups for n in g))
        severity = Severity.CRITICAL if disk else Severity.WARNING
        yield Finding("vm_definition_differs", severity, detail, refs)
