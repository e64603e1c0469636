"""The advisor's rules, and the one function that runs them all.

Add a rule by writing a function `Facts -> Iterable[Finding]` (one rule id, a docstring
saying what triggers it) and listing it in RULES; test it on a CIB that triggers it and
one that does not (tests/unit/test_advice_rules.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping

from hacore.advice import cluster, drbd, fencing, placement, virt
from hacore.advice.model import SEVERITY_ORDER, Facts, Finding, Since
from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.constraints import parse_constraints, parse_fencing_topology
from hacore.pacemaker.corosync import parse_cmap
from hacore.pacemaker.status import parse_crm_mon

Rule = Callable[[Facts], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    placement.runs_without_clone,
    placement.order_without_colocation,
    cluster.fencing_disabled,
    cluster.node_not_fenceable,
    cluster.level_unknown_device,
    fencing.map_findings,
    cluster.no_quorum_policy_ignore,
    cluster.two_node_without_wait_for_all,
    cluster.promoted_max_single_primary,
    cluster.failcount_at_threshold,
    cluster.cli_constraint_left,
    virt.vm_config_not_shared,
    virt.vm_without_live_migration,
    virt.vm_autostart,
    virt.libvirt_guests_enabled,
    virt.vm_config_missing,
    virt.vm_definition_differs,
    drbd.drbd_two_primaries_not_allowed,
    drbd.drbd_without_fencing_policy,
    drbd.drbd_resync_stalled,
    drbd.drbd_peers_disagree,
)


def advise(facts: Facts, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every rule's findings, critical first (rule order kept within a severity)."""
    found = [finding for rule in rules for finding in rule(facts)]
    return sorted(found, key=lambda f: SEVERITY_ORDER[f.severity])


def read_facts(
    cib_xml: str,
    crm_mon_xml: str,
    quorum: str = "",
    *,
    claims: Mapping[str, tuple[str, ...]] | None = None,
    since: Mapping[str, Since] | None = None,
    now: datetime.datetime | None = None,
) -> Facts:
    """Facts from what the nodes printed: `cibadmin --query` (the whole CIB),
    `crm_mon --output-as=xml`, `corosync-cmapctl quorum.`; ParseError/CmapError if one
    is not what it should be."""
    return Facts(
        cib=parse_cib(cib_xml),
        constraints=parse_constraints(cib_xml),
        topology=parse_fencing_topology(cib_xml),
        status=parse_crm_mon(crm_mon_xml),
        quorum=parse_cmap(quorum),
        claims=claims,
        since=since or {},
        now=now or datetime.datetime.now(datetime.UTC),
    )
