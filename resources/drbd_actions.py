"""DRBD's split-brain, resolved as the DRBD user's guide has it, as one audited operation
over the two nodes: Pacemaker's DRBD clone unmanaged; on the victim `drbdadm secondary`
(if Primary), `disconnect` (unless already StandAlone), `connect --discard-my-data`; on
the survivor `connect` (if StandAlone); the clone re-probed (`pcs resource refresh`,
still unmanaged, so Pacemaker learns the roles as they now are) and managed again. The
resync that follows is DRBD's own, watched on the DRBD card and `GET .../drbd/<res>/`.

The steps are built from the state read on every node just before (`drbdsetup status
--json`), so a step is never sent that DRBD would refuse in that state (it refuses to
disconnect a StandAlone connection)."""

from __future__ import annotations

from typing import Any

from hacore.commands import pcs, virt
from hacore.errors import ConsoleError, InvalidInput, NotFound
from hacore.migration import DRBD_AGENT
from hacore.pacemaker.cib import Cib, parse_cib
from hacore.pacemaker.ids import check_id
from hacore.pacemaker.xmlsafe import ParseError
from operations import engine
from operations.change import OPERATE, Body, Change, confirmed
from operations.directory import ClusterRef
from operations.errors import OperationError
from operations.executor import NodeSession
from resources.virt import drbd

Json = dict[str, Any]
UNCHECKED = (
    "DRBD's state changes act outside the CIB: no simulation shows them. On real DRBD, "
    "`secondary` fails while the victim's device is in use (a mounted filesystem, a running "
    "VM): the operation then stops there, with DRBD's words, and the clone stays unmanaged "
    "until managed again."
)


class NoSplitBrain(ConsoleError):
    """The resource shows no split-brain now: nothing to resolve."""

    code = "no_split_brain"
    http_status = 409


def _connections(entry: Json, node: str) -> dict[str, str]:
    """peer -> connection state of the resource on node (its first volume's peers)."""
    volumes = entry["nodes"].get(node, {}).get("volumes", [])
    return {p["peer"]: p["connection_state"] for p in (volumes[0]["peers"] if volumes else [])}


def _sides(entry: Json) -> list[str]:
    """The nodes that report the split-brain (StandAlone towards a peer)."""
    return sorted(
        n for n, state in entry["nodes"].items() if any(v["split_brain"] for v in state["volumes"])
    )


def _clone(cib: Cib, res: str) -> str | None:
    """The top-level Pacemaker resource holding the linbit:drbd primitive of res."""
    for top in cib.resources:
        for r in top.walk():
            if r.agent == DRBD_AGENT and dict(r.params).get("drbd_resource") == res:
                return top.id
    return None


def _read_cib(cluster: ClusterRef, user: Any) -> Cib:
    async def work(session: NodeSession) -> Cib:
        xml = await session.query_cib()
        try:
            return parse_cib(xml)
        except ParseError as exc:
            raise OperationError(f"unreadable CIB: {exc}") from exc

    return engine.run_recorded(cluster, user, "read.cib", "read the CIB", work)


def resolve_split_brain(cluster: ClusterRef, user: Any, res: str, body: Body) -> Change:
    """The recovery of res's split-brain with body["victim"] discarding its changes since
    the split (body["confirm"] must name the victim); NoSplitBrain when there is none."""
    name = virt.drbd_name(res)
    victim = check_id(body.get("victim"), "victim")
    entry = next((e for e in drbd(cluster, user) if e["name"] == name), None)
    if entry is None:
        raise NotFound(f"no DRBD resource {name!r} on this cluster")
    sides = _sides(entry)
    if not entry["split_brain"] or len(sides) < 2:
        raise NoSplitBrain(f"{name} shows no split-brain between two nodes now: {sides or 'none'}")
    if victim not in sides:
        raise InvalidInput(f"the victim must be one side of the split-brain: {', '.join(sides)}")
    survivors = [n for n in sides if n != victim]
    confirmed(
        body,
        victim,
        f"Every change written to {name} on {victim} since the split will be discarded and "
        f"overwritten from {', '.join(survivors)}.",
    )
    clone = _clone(_read_cib(cluster, user), name)
    steps = _steps(entry, name, victim, survivors, clone)
    return Change(
        "drbd.resolve-split-brain",
        name,
        f"resolve the split-brain of {name}: discard {victim}'s changes",
        OPERATE,
        live=tuple(argv for _, argv in steps),
        where=tuple(node for node, _ in steps),
        unchecked=UNCHECKED,
    )


def _steps(
    entry: Json, name: str, victim: str, survivors: list[str], clone: str | None
) -> list[tuple[str, tuple[str, ...]]]:
    """(node, argv) in order; "" is any node (Pacemaker's commands)."""
    steps: list[tuple[str, tuple[str, ...]]] = []
    if clone:
        steps.append(("", pcs.live(pcs.resource_flag("unmanage", clone))))
    if entry["nodes"][victim]["role"] == "Primary":
        steps.append((victim, virt.drbdadm("secondary", name)))
    mine = _connections(entry, victim)
    if any(mine.get(s) not in (None, "StandAlone") for s in survivors):
        steps.append((victim, virt.drbdadm("disconnect", name)))
    steps.append((victim, virt.drbdadm("connect", name, discard_my_data=True)))
    for survivor in survivors:
        if _connections(entry, survivor).get(victim) in ("StandAlone", None):
            steps.append((survivor, virt.drbdadm("connect", name)))
    if clone:
        steps.append(("", pcs.resource_live("refresh", clone)))
        steps.append(("", pcs.live(pcs.resource_flag("manage", clone))))
    return steps
