"""The check a live `pcs resource move` makes and its staged form cannot: once the
resource has moved, clearing the move constraint must leave it where it went.

pcs (lib/commands/resource.py, move_autoclean) simulates the move, then simulates again
on the result with the constraint removed, and refuses when the resource would move back.
A plan makes the same two simulations on the node, on its private CIB copies, so that it
never promises a move the live command will refuse.
"""

from __future__ import annotations

from typing import Any

from hacore.commands import pacemaker
from hacore.pacemaker.simulate import PlannedAction, parse_simulation, scores_of
from hacore.reads import Runs
from operations.change import Hold
from operations.errors import PlanRefused


def concerns(action: PlannedAction, members: frozenset[str]) -> bool:
    """Whether the action is on one of the resources (or a clone instance, "r:1")."""
    return action.resource.split(":", 1)[0] in members


class MoveHasNoEffect(PlanRefused):
    """The move constraint would not bring the resource to the node."""

    code = "move_has_no_effect"

    def __init__(self, hold: Hold) -> None:
        super().__init__(
            f"{hold.resource} would not move to {hold.node}: it already runs there, or other "
            "constraints or scores keep it elsewhere (see the placement scores)"
        )


class MoveWouldNotHold(PlanRefused):
    """With its move constraint cleared, the resource would not stay where it moved."""

    code = "move_would_not_hold"

    def __init__(self, hold: Hold, back: tuple[PlannedAction, ...], scores: dict[str, str]) -> None:
        shown = ", ".join(f"{node} {score}" for node, score in sorted(scores.items()))
        super().__init__(
            f"With the temporary move constraint cleared, {hold.resource} would not stay on "
            f"{hold.node}: Pacemaker would {'; '.join(a.text() for a in back)} (allocation "
            f'scores: {shown or "none"}). Keep the constraint ("keep_constraint": true, '
            'optionally "lifetime"), or give the resource a stickiness above the other '
            "nodes' scores."
        )
        self.hold, self.back, self.scores = hold, back, scores

    def extra(self) -> dict[str, Any]:
        """What would happen, the scores, and the choices."""
        return {
            "resource": self.hold.resource,
            "node": self.hold.node,
            "would_then": [a.as_dict() for a in self.back],
            "scores": self.scores,
            "choices": [
                {"keep_constraint": True, "lifetime": "optional, e.g. PT1H"},
                {"resource-stickiness": "above the other nodes' allocation scores"},
            ],
        }


async def check(
    session: Runs,
    hold: Hold,
    actions: tuple[PlannedAction, ...],
    after: str,
    members: frozenset[str],
) -> None:
    """Refuse the plan unless the move happens and holds once its constraint is cleared.

    actions: the first simulation's; after: the CIB file it saved (post-transition);
    members: the resource and those inside it (a clone's actions name its primitive).
    """
    if not any(concerns(a, members) and a.on == hold.node for a in actions):
        raise MoveHasNoEffect(hold)
    for argv in hold.clear:
        await session.run(pacemaker.on_cib_file(after, argv))
    second = await session.run(pacemaker.simulate(after))
    back = tuple(a for a in parse_simulation(second.stdout) if concerns(a, members))
    if back:
        scores = await session.run(pacemaker.scores_of_file(after))
        raise MoveWouldNotHold(hold, back, scores_of(hold.resource, scores.stdout))
