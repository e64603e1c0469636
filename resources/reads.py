"""Reads about resources, run on a node and recorded: a resource's attributes as the CIB
has them now, the constraints, the placement scores, the agents and their metadata.
Each returns a DTO of hacore.pacemaker; nothing here answers HTTP."""

from __future__ import annotations

import re
from typing import Any

from hacore.commands import pacemaker
from hacore.errors import InvalidInput
from hacore.pacemaker.agents import AgentMetadata, parse_agent_list, parse_agent_metadata
from hacore.pacemaker.cib import AttributeSets, parse_attribute_sets
from hacore.pacemaker.constraints import Constraint, of_resource, parse_constraints
from hacore.pacemaker.ids import check_agent, check_fence_agent, check_id
from hacore.pacemaker.simulate import Scores, parse_scores
from hacore.secrets import DEFAULT
from operations.directory import ClusterRef
from operations.engine import run_reads

_STANDARD = re.compile(r"ocf:[A-Za-z0-9_][A-Za-z0-9_.-]*|lsb|service|systemd|stonith")


def attributes(cluster: ClusterRef, user: Any, rid: str) -> AttributeSets:
    """A resource's parameters and meta attributes, read from the CIB now; secret values
    (passwords...) masked: they can be replaced, never read back."""
    r = check_id(rid, "resource")
    argv = pacemaker.cib_element(pacemaker.resource_xpath(r))
    (xml,) = run_reads(cluster, user, "read.resource", f"read {r}", [argv])
    found = parse_attribute_sets(xml)
    return AttributeSets(DEFAULT.params(found.params), DEFAULT.params(found.meta))


def constraints(cluster: ClusterRef, user: Any, rid: str | None = None) -> list[Constraint]:
    """The constraints as the CIB has them now (rid: only those naming that resource)."""
    commands = [pacemaker.CIB_CONSTRAINTS]
    (xml,) = run_reads(cluster, user, "read.constraints", "read constraints", commands)
    found = parse_constraints(xml)
    return of_resource(found, rid) if rid else list(found)


def scores(cluster: ClusterRef, user: Any) -> Scores:
    """Every resource's placement score on every node, as Pacemaker computes it now."""
    commands = [pacemaker.SCORES]
    (text,) = run_reads(cluster, user, "read.scores", "show placement scores", commands)
    return parse_scores(text)


def standards(cluster: ClusterRef, user: Any) -> list[str]:
    """The agent standards and OCF providers the nodes have (ocf:heartbeat, lsb, ...)."""
    commands = [pacemaker.LIST_STANDARDS, pacemaker.LIST_OCF_PROVIDERS]
    listed, providers = run_reads(cluster, user, "read.agents", "list agent standards", commands)
    names = [s for s in parse_agent_list(listed) if s in ("lsb", "service", "systemd")]
    return [f"ocf:{p}" for p in parse_agent_list(providers)] + names


def agents(cluster: ClusterRef, user: Any, standard: str) -> list[str]:
    """The agents of one standard, as full agent names (ocf:heartbeat:Dummy)."""
    if not _STANDARD.fullmatch(standard):
        raise InvalidInput(f"unknown standard {standard[:60]!r}")
    commands = [pacemaker.list_agents(standard)]
    (listed,) = run_reads(cluster, user, "read.agents", f"list {standard} agents", commands)
    return [f"{standard}:{name}" for name in parse_agent_list(listed)]


def metadata(cluster: ClusterRef, user: Any, agent: str) -> AgentMetadata:
    """An agent's parameters and default operations (stonith:fence_x for a fence agent)."""
    described = (
        f"stonith:{check_fence_agent(agent)}"
        if agent.startswith("stonith:")
        else check_agent(agent)
    )
    commands = [pacemaker.agent_metadata(described)]
    (xml,) = run_reads(cluster, user, "read.metadata", f"metadata of {agent}", commands)
    return parse_agent_metadata(agent, xml)
