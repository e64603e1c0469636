"""The Change value: what one action does on a cluster, as argv tuples, and nothing else.

A Change is built by a domain app's builder (nodes/changes.py, resources/changes.py,
fencing/changes.py, clusters/changes.py) from checked input and hacore.commands, and run
by the executor:

- `stage`: pcs tails (after `pcs -f FILE`) applied to a copy of the CIB, for the preview
  and, when `live` is empty, for the push;
- `live`: whole commands run on the cluster instead of the push (what pcs does better
  live, such as a move that clears its own constraint, or cannot do on a file, such as a
  cleanup);
- `simulate`: crm_simulate options for what a live change does (`--node-down N`);
- `on_node`: the live commands run on that node itself; `avoid`: never on that node
  (a command that takes it out of the cluster, run from another one);
- `patch`: a CIB patchset applied to the copy before `stage` (reverting an earlier change);
- `upload`: a file (base64) the live commands name as "{upload}";
- `hold`: what the plan must check beyond the staged commands because the live command
  checks it (a move that pcs undoes once it holds: see Hold);
- `unchecked`: what the live command does or checks that the plan cannot (said plainly
  with the plan; empty when the plan's staged change is exactly what is pushed);
- `reads_before`, `reads_after`: whether the node can read the CIB before and after the
  live commands (not where pcs needs the cluster stopped, not after stopping every node:
  pcs's own exit status is then the evidence).

Actions that can lose data need their risk typed back (`confirmed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hacore.commands import Argv
from hacore.errors import ConfirmationRequired, InvalidInput

OPERATE = "clusters.operate_cluster"
ADMINISTER = "clusters.administer_cluster"
UPLOAD = "{upload}"
Body = dict[str, Any]


@dataclass(frozen=True)
class Hold:
    """What a live command checks before it acts and its staged form cannot: after the
    change's transition, undoing its temporary part (`clear`: commands run on the
    simulated CIB, such as clearing a move constraint) must leave `resource` on `node`."""

    resource: str
    node: str
    clear: tuple[Argv, ...]

    def as_json(self) -> dict[str, Any]:
        """What is stored with the change."""
        return {
            "resource": self.resource,
            "node": self.node,
            "clear": [list(a) for a in self.clear],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hold:
        """The inverse of as_json."""
        return cls(data["resource"], data["node"], tuple(tuple(a) for a in data["clear"]))


@dataclass(frozen=True)
class Change:
    """One validated change to a cluster."""

    kind: str
    target: str
    summary: str
    permission: str
    stage: tuple[Argv, ...] = ()
    live: tuple[Argv, ...] = field(default=())
    simulate: Argv = ()
    on_node: str = ""
    avoid: str = ""
    patch: str = ""
    upload: str = field(default="", repr=False)
    hold: Hold | None = None
    unchecked: str = ""
    reads_before: bool = True
    reads_after: bool = True

    def as_json(self) -> dict[str, Any]:
        """What is stored with a plan or an operation."""
        return {
            "kind": self.kind,
            "target": self.target,
            "summary": self.summary,
            "permission": self.permission,
            "stage": [list(a) for a in self.stage],
            "live": [list(a) for a in self.live],
            "simulate": list(self.simulate),
            "on_node": self.on_node,
            "avoid": self.avoid,
            "patch": self.patch,
            "upload": self.upload,
            "hold": self.hold.as_json() if self.hold else None,
            "unchecked": self.unchecked,
            "reads_before": self.reads_before,
            "reads_after": self.reads_after,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """The inverse of as_json."""
        return cls(
            kind=data["kind"],
            target=data["target"],
            summary=data["summary"],
            permission=data["permission"],
            stage=tuple(tuple(a) for a in data["stage"]),
            live=tuple(tuple(a) for a in data["live"]),
            simulate=tuple(data.get("simulate", ())),
            on_node=data.get("on_node", ""),
            avoid=data.get("avoid", ""),
            patch=data.get("patch", ""),
            upload=data.get("upload", ""),
            hold=Hold.from_json(data["hold"]) if data.get("hold") else None,
            unchecked=data.get("unchecked", ""),
            reads_before=data.get("reads_before", True),
            reads_after=data.get("reads_after", True),
        )


Builder = Callable[[str, Body], Change]


def confirmed(body: Body, expected: str, risk: str) -> None:
    """Refuse unless body["confirm"] is exactly expected (typed back by the operator)."""
    if body.get("confirm") != expected:
        raise ConfirmationRequired(f'{risk} To go on, send "confirm": "{expected}".')


def history_revert(operation_id: int, patch: str) -> Change:
    """Undo an earlier operation's configuration change: its reverse patchset (kept when
    it was pushed), staged and pushed like any change, so later changes stay."""
    if not patch:
        raise InvalidInput(f"operation #{operation_id} made no configuration change to revert")
    return Change(
        "history.revert",
        f"#{operation_id}",
        f"revert operation #{operation_id}",
        ADMINISTER,
        patch=patch,
    )
