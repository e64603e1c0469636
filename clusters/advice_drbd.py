"""What the advisor reads of DRBD on every online node, for the rule that catches peers
disagreeing about a resource (hacore/advice/drbd.py): `drbdsetup status` on each node,
and once more a moment later when the first round shows a disagreement (a state read
while it changes is no disagreement). A node whose DRBD cannot be read is left out."""

from __future__ import annotations

import asyncio
from typing import Any

from hacore.advice.drbd import disagreements
from hacore.advice.model import Facts
from hacore.commands import virt
from hacore.drbd import DrbdState, parse_status_json
from hacore.migration import DRBD_AGENT
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
    first = await _round(session, facts.online())
    if not disagreements(first):
        return {"drbd": (first,)}
    await asyncio.sleep(AGAIN_AFTER)
    return {"drbd": (first, await _round(session, facts.online()))}


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
