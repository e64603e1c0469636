"""The fence path check, run on the nodes: for every node, each device that claims it
(`stonith_admin --list NODE`) and each device of its fencing levels is asked, without
fencing, whether it reaches that node's plug.

For each (node, device): the device's fence agent runs directly on an online node other
than the target (the node where the device runs its monitor first, then the others in
crm_mon's order, never one a -INFINITY location keeps the device off), with `action=status`
(or the device's pcmk_status_action), `nodename=`, the plug (`port=` or `plug=`, from
pcmk_host_map) and the device's own parameters as key=value lines on its stdin, as the
fencer does. Nothing on the command line but the agent's path; the recorded output has
the device's secret values replaced by ***. Only status: nothing is ever fenced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from hacore.advice import fencing
from hacore.advice.model import Facts
from hacore.advice.tree import active_nodes
from hacore.commands import pacemaker
from hacore.pacemaker.agents import parse_agent_metadata
from hacore.pacemaker.cib import CibResource
from hacore.pacemaker.stonith import parse_device_list
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import CommandTimeout, RemoteError
from operations.directory import Place
from operations.executor import NodeSession, Step

STATUS_TIMEOUT = 60.0  # seconds for one status action (a BMC can be slow to answer)


@dataclass(frozen=True)
class Where:
    """Where the check may run: the cluster's nodes as the runner reaches them, and the
    directory of fence agents on them."""

    places: Mapping[str, Place]
    agent_dir: str


async def read_claims(session: NodeSession, nodes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each node, the devices the fencer says can fence it."""
    claims: dict[str, tuple[str, ...]] = {}
    for node in nodes:
        listed = await session.run(pacemaker.stonith_devices_for(node))
        claims[node] = tuple(parse_device_list(listed.stdout))
    return claims


def _pairs(facts: Facts, claims: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(node, device) for every device that claims a node or is in one of its levels."""
    pairs: list[tuple[str, str]] = []
    for node in facts.member_nodes():
        levels = [d for lv in facts.topology if lv.target == node for d in lv.devices]
        for device in dict.fromkeys([*claims.get(node, ()), *levels]):
            pairs.append((node, device))
    return pairs


async def check_paths(
    session: NodeSession, facts: Facts, claims: Mapping[str, tuple[str, ...]], where: Where
) -> list[fencing.PathCheck]:
    """Every fence path, checked concurrently (each on its own node)."""
    agents = await _agent_parameters(session, facts.fence_devices())
    checks = [_check(session, facts, where, agents, pair) for pair in _pairs(facts, claims)]
    return list(await asyncio.gather(*checks))


async def _agent_parameters(
    session: NodeSession, devices: Iterable[CibResource]
) -> dict[str, tuple[str, ...] | None]:
    """Each fence agent's parameter names, from its metadata (None: not readable)."""
    out: dict[str, tuple[str, ...] | None] = {}
    for agent in sorted({a for d in devices if (a := fencing.fence_agent(d))}):
        result = await session.run(
            pacemaker.agent_metadata(f"stonith:{agent}"), check=False, cib=True
        )
        try:
            meta = parse_agent_metadata(agent, result.stdout) if result.ok else None
        except ParseError:
            meta = None
        out[agent] = tuple(p.name for p in meta.parameters) if meta else None
    return out


def _skip(node: str, device: str, why: str, plug: str | None = None) -> fencing.PathCheck:
    return fencing.PathCheck(node, device, plug, skipped=why)


@dataclass(frozen=True)
class Ask:
    """One status question, ready to run: where from (best first), what to run, what
    to send on stdin, which values to hide from the record."""

    node: str
    device: str
    plug: str | None
    order: tuple[str, ...]
    argv: tuple[str, ...]
    stdin: str
    hidden: tuple[str, ...]


def prepare(
    facts: Facts,
    agent_dir: str,
    agents: Mapping[str, tuple[str, ...] | None],
    node: str,
    device_id: str,
) -> Ask | fencing.PathCheck:
    """The question for (node, device), or a PathCheck saying why it cannot be asked."""
    device = next((d for d in facts.fence_devices() if d.id == device_id), None)
    if device is None:
        return _skip(node, device_id, f"{device_id} is not a configured fence device.")
    agent, params = fencing.fence_agent(device), dict(device.params)
    if agent is None:
        return _skip(node, device_id, f"its agent {device.agent} is not a fence_* agent.")
    if fencing.CIBSECRET in params.values():
        why = "its secrets are kept with cibsecret on the nodes, which the console does not read."
        return _skip(node, device_id, why)
    agent_params = agents.get(agent)
    if agent_params is None:
        return _skip(node, device_id, f"the metadata of {agent} could not be read.")
    host_arg = fencing.host_argument(params, agent_params)
    order = fencing.ask_order(
        node,
        facts.online(),
        active_nodes(facts.status, device_id),
        fencing.banned(facts.constraints, device_id),
    )
    return Ask(
        node,
        device_id,
        fencing.plug_for(params, node, host_arg),
        tuple(order),
        pacemaker.fence_agent(agent_dir, agent),
        fencing.agent_input(params, node, host_arg),
        tuple(fencing.secrets(params)),
    )


async def _check(
    session: NodeSession,
    facts: Facts,
    where: Where,
    agents: Mapping[str, tuple[str, ...] | None],
    pair: tuple[str, str],
) -> fencing.PathCheck:
    """One device asked about one node's plug, from the first node that answers."""
    ask = prepare(facts, where.agent_dir, agents, *pair)
    if isinstance(ask, fencing.PathCheck):
        return ask
    failures = []
    for name in ask.order:
        place = where.places.get(name)
        if place is None:
            continue
        try:
            on = await _session_on(session, place, ask.hidden)
            result = await on.run(ask.argv, check=False, timeout=STATUS_TIMEOUT, stdin=ask.stdin)
        except CommandTimeout:  # it ran there and hung: the path is what failed
            said = f"no answer within {STATUS_TIMEOUT:g} s"
            return fencing.PathCheck(*pair, ask.plug, name, fencing.TIMED_OUT, said)
        except RemoteError as exc:  # the node could not be used: ask from the next
            failures.append(f"{name}: {fencing.redact(exc.reason, ask.hidden)}")
            continue
        said = fencing.redact(result.stderr.strip() or result.stdout.strip(), ask.hidden)
        return fencing.PathCheck(ask.node, ask.device, ask.plug, name, result.exit_status, said)
    why = f"no other online node that may run it answered ({'; '.join(failures) or 'none'})."
    return _skip(ask.node, ask.device, why, ask.plug)


async def _session_on(session: NodeSession, place: Place, hidden: tuple[str, ...]) -> NodeSession:
    """A session on place (connected), recording into session's operation with the
    secret values redacted."""
    if place.target != session.target:
        await session.runner.connect(place.target)
    record = _redacting(session.on_step, hidden)
    return NodeSession(session.runner, place.target, record, None, place.name)


def _redacting(
    on_step: Callable[[Step], Awaitable[None]], hidden: tuple[str, ...]
) -> Callable[[Step], Awaitable[None]]:
    async def record(step: Step) -> None:
        for key in ("stdout", "stderr"):
            step[key] = fencing.redact(str(step.get(key) or ""), hidden)
        await on_step(step)

    return record
