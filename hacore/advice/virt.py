"""The advisor's rules about VMs on replicated storage (issue 9): what lets a VM's
definition go missing where it may run, and what makes Pacemaker stop and start a VM it
could live-migrate."""

from __future__ import annotations

from collections.abc import Iterator

from hacore.advice.model import ADMINISTER, Facts, Finding, Fix, Ref, Severity
from hacore.libvirt import virtual_domains
from hacore.migration import DRBD_AGENT, dependencies
from hacore.pacemaker.cib import CibResource


def _shared_directories(facts: Facts) -> dict[str, str]:
    """Filesystem clone id -> its mount point (a directory every clone node shares)."""
    found = {}
    for top in facts.cib.resources:
        if top.kind != "clone":
            continue
        for r in top.walk():
            directory = dict(r.params).get("directory")
            if (r.agent or "").endswith(":Filesystem") and directory:
                found[top.id] = directory.rstrip("/") or "/"
    return found


def vm_config_not_shared(facts: Facts) -> Iterator[Finding]:
    """A VirtualDomain whose `config` file is not under any cluster filesystem's mount
    point, while the cluster has one: a node without the file (or with an older copy)
    reports the VM stopped, and Pacemaker may start a second copy elsewhere."""
    shared = _shared_directories(facts)
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
