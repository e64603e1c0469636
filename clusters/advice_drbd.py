"""What the advisor reads of DRBD for its rules (hacore/advice/drbd.py): `drbdadm
dump-xml` of each DRBD resource a Pacemaker primitive drives, on the advisor's node;
`drbdsetup status` on every online node, and once more a moment later when the first
round shows peers disagreeing (a state read while it changes is no disagreement). A
node whose DRBD cannot be read, or a resource whose configuration cannot, is left out."""

from __future__ import annotations

import asyncio
from typing import Any

from hacore.advice.drbd import disagreements
from hacore.advice.model import Facts
from hacore.commands import virt
from hacore.drbd import DrbdState, parse_status_json
from hacore.drbdconf import DrbdConfig, parse_dump_xml
from hacore.migration import DRBD_AGENT, drbd_primitives
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import RemoteError
from operations.errors import OperationError
from operations.executor import NodeSession

AGAIN_AFTER = 2.0  # seconds between the two rounds


async def read_drbd(session: NodeSession, facts: Facts) -> dict[str, Any]:
    """The DRBD facts (`drbd`: one or two rounds), or none when the CIB has no DRBD."""
    every = (r for top in facts.cib.resources for r in top.walk())
    if not any(r.agent == DRBD_AGENT for r in every):
        return {}
    configs = await _configs(session, facts)
    first = await _round(session, facts.online())
    if not disagreements(first):
        return {"drbd": (first,), "drbd_config": configs}
    await asyncio.sleep(AGAIN_AFTER)
    return {"drbd": (first, await _round(session, facts.online())), "drbd_config": configs}


async def _configs(session: NodeSession, facts: Facts) -> tuple[DrbdConfig, ...]:
    """DRBD's configuration of each resource Pacemaker drives, as this node reads it."""
    found: list[DrbdConfig] = []
    for name in sorted(drbd_primitives(facts.cib)):
        try:
            done = await session.run(virt.drbd_dump_xml(name), check=False)
            if done.ok:
                found.extend(parse_dump_xml(done.stdout))
        except (RemoteError, OperationError, ParseError):
            continue
    return tuple(found)


async def _round(session: NodeSession, nodes: tuple[str, ...]) -> dict[str, tuple[DrbdState, ...]]:
    read = {}
    for node in nodes:
        try:
            done = await session.peer(node).run(virt.DRBD_STATUS, check=False)
            if done.ok:
                read[node] = tuple(parse_status_json(done.stdout))
        except (RemoteError, OperationError, ParseError):
            continue
    return read
