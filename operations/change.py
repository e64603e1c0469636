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
- `where`: when set, the node each live command runs on, one per command ("": the node
  the operation runs on): a procedure over several nodes (DRBD's split-brain recovery);
- `patch`: a CIB patchset applied to the copy before `stage` (reverting an earlier change);
- `upload`: a file (base64) the live commands name as "{upload}";
- `hold`: what the plan must check beyond the staged commands because the live command
  checks it (a move that pcs undoes once it holds: see Hold);
- `unchecked`: what the live command does or checks that the plan cannot (said plainly
  with the plan; empty when the plan's staged change is exactly what is pushed);
- `reads_before`, `reads_after`: whether the node can read the CIB before and after the
  live commands (not where pcs needs the cluster stopped, not after stopping every node:
  pcs's own exit status is then the evidence);
- `secrets`: the `k=v` arguments whose values are secrets (a fence device's password):
  stored sealed (encrypted) in the change's JSON, masked in everything recorded or shown.

Actions that can lose data need their risk typed back (`confirmed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hacore.commands import Argv
from hacore.errors import ConfirmationRequired, InvalidInput
from hacore.secrets import DEFAULT, Redactor, secret_args
from operations import crypto

SUMMARY_MAX = 500  # Operation.summary, Plan.summary
TARGET_MAX = 255  # Operation.target, Plan.target
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
    where: tuple[str, ...] = ()
    unchecked: str = ""
    reads_before: bool = True
    reads_after: bool = True
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        """The summary and target as stored (operation columns of 500 and 255), the
        summary's secrets masked (a default or a property named like one)."""
        object.__setattr__(self, "summary", fit(DEFAULT.text(self.summary), SUMMARY_MAX))
        object.__setattr__(self, "target", fit(self.target, TARGET_MAX))

    def with_secrets(self, names: tuple[str, ...] = ()) -> Change:
        """This change with its secret arguments found: `k=v` of every command whose k is
        secret by name (hacore.secrets) or one of names (the agent's private ones)."""
        found = {a for argv in (*self.stage, *self.live) for a in secret_args(argv, names)}
        return Change(**{**self.__dict__, "secrets": tuple(sorted(found | set(self.secrets)))})

    def redactor(self) -> Redactor:
        """Masks this change's secrets, by name and by value, wherever they show up."""
        names = frozenset(a.partition("=")[0] for a in self.secrets)
        return Redactor(names).with_values(a.partition("=")[2] for a in self.secrets)

    def as_json(self) -> dict[str, Any]:
        """What is stored with a plan or an operation: secret arguments sealed."""
        return {
            "kind": self.kind,
            "target": self.target,
            "summary": self.summary,
            "permission": self.permission,
            "stage": [_seal(a, self.secrets) for a in self.stage],
            "live": [_seal(a, self.secrets) for a in self.live],
            "simulate": list(self.simulate),
            "on_node": self.on_node,
            "avoid": self.avoid,
            "patch": _seal_text(self.patch, self.redactor()),
            "upload": self.upload,
            "hold": self.hold.as_json() if self.hold else None,
            "where": list(self.where),
            "unchecked": self.unchecked,
            "reads_before": self.reads_before,
            "reads_after": self.reads_after,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """The inverse of as_json (sealed arguments opened)."""
        stage = tuple(_unseal(a) for a in data["stage"])
        live = tuple(_unseal(a) for a in data["live"])
        return cls(
            kind=data["kind"],
            target=data["target"],
            summary=data["summary"],
            permission=data["permission"],
            stage=tuple(argv for argv, _ in stage),
            live=tuple(argv for argv, _ in live),
            simulate=tuple(data.get("simulate", ())),
            on_node=data.get("on_node", ""),
            avoid=data.get("avoid", ""),
            patch=_unseal_text(data.get("patch", "")),
            upload=data.get("upload", ""),
            hold=Hold.from_json(data["hold"]) if data.get("hold") else None,
            where=tuple(data.get("where", ())),
            unchecked=data.get("unchecked", ""),
            reads_before=data.get("reads_before", True),
            reads_after=data.get("reads_after", True),
            secrets=tuple(sorted({s for _, found in (*stage, *live) for s in found})),
        )

    @staticmethod
    def redactor_of(data: dict[str, Any]) -> Redactor:
        """The redactor of a stored change (its JSON), without opening more than needed."""
        argvs = data.get("stage", []) + data.get("live", []) if data else []
        if not any(isinstance(a, dict) for v in argvs for a in v):
            return Redactor()
        return Change.from_json(data).redactor()


def _seal_text(text: str, redactor: Redactor) -> Any:
    """Text as stored: sealed when it holds a secret (a patchset that re-adds a password)."""
    return {"sealed": crypto.encrypt(text)} if redactor.text(text) != text else text


def _unseal_text(stored: Any) -> str:
    """The inverse of _seal_text."""
    return crypto.decrypt(stored["sealed"]) if isinstance(stored, dict) else str(stored)


def _seal(argv: Argv, secrets: tuple[str, ...]) -> list[Any]:
    """argv as stored: each secret argument as {"sealed": Fernet token}."""
    return [{"sealed": crypto.encrypt(a)} if a in secrets else a for a in argv]


def _unseal(stored: list[Any]) -> tuple[Argv, tuple[str, ...]]:
    """A stored argv opened, and the secret arguments it had."""
    argv = tuple(crypto.decrypt(a["sealed"]) if isinstance(a, dict) else a for a in stored)
    return argv, tuple(argv[i] for i, a in enumerate(stored) if isinstance(a, dict))


Builder = Callable[[str, Body], Change]


def fit(text: str, limit: int) -> str:
    """text, cut to limit characters with an ellipsis when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
