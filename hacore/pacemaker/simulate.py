"""`crm_simulate --xml-file FILE --simulate --output-as=xml`: what Pacemaker would do.

The <actions> element is the transition summary (move, start, stop, promote, fence...,
one per resource or node); that is what the console shows as a plan's effect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, parse_xml


@dataclass(frozen=True)
class PlannedAction:
    """One line of the transition summary."""

    action: str
    resource: str = ""
    node: str = ""
    source: str = ""
    dest: str = ""
    role: str = ""
    reason: str = ""

    def text(self) -> str:
        """A one-line description, e.g. "move dummy1 node2 -> node3"."""
        if self.source and self.dest and self.source != self.dest:
            where = f"{self.source} -> {self.dest}"
        else:
            where = self.node or self.source or self.dest
        parts = [self.action, self.resource, where, f"({self.reason})" if self.reason else ""]
        return " ".join(p for p in parts if p)

    @property
    def on(self) -> str:
        """The node it happens on (the destination of a move)."""
        return self.dest or self.node or self.source

    def as_dict(self) -> dict[str, str]:
        """The JSON form (with its text and the node it happens on)."""
        return {**asdict(self), "on": self.on, "text": self.text()}


def parse_simulation(xml: str | bytes) -> tuple[PlannedAction, ...]:
    """The summary actions of a crm_simulate XML result; ParseError if it is not one."""
    root = parse_xml(xml)
    if root.tag != "pacemaker-result":
        raise ParseError(f"expected <pacemaker-result>, got <{root.tag}>")
    status = root.find("status")
    if status is not None and status.get("code", "0") != "0":
        raise ParseError(f"crm_simulate failed: {status.get('message', '')}")
    actions = root.find("actions")
    if actions is None:
        return ()
    return tuple(_action(el) for el in actions if isinstance(el.tag, str))


def _action(el: etree._Element) -> PlannedAction:
    get = el.get
    if el.tag == "node_action":
        return PlannedAction(
            action=get("task", "fence"), node=get("node", ""), reason=get("reason", "")
        )
    return PlannedAction(
        action=get("action", get("op", "")),
        resource=get("resource", ""),
        node=get("node", ""),
        source=get("source", ""),
        dest=get("dest", ""),
        role=get("role", get("next_role", "")),
        reason=get("reason", ""),
    )


@dataclass(frozen=True)
class Scores:
    """`crm_simulate --show-scores`: the score lines, and the whole output."""

    scores: tuple[str, ...]
    output: str


def scores_of(resource: str, text: str) -> dict[str, str]:
    """node -> allocation score of one resource, from crm_simulate --show-scores text
    ("pcmk__primitive_assign: dummy1 allocation score on node1: 0")."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        head, sep, score = line.rpartition(": ")
        marker = f" {resource} allocation score on "
        if sep and marker in head:
            found.setdefault(head.split(marker, 1)[1].strip(), score.strip())
    return found


def parse_scores(text: str) -> Scores:
    """The allocation and promotion score lines of crm_simulate's text output."""
    lines = tuple(
        line
        for line in text.splitlines()
        if "allocation score" in line or "promotion score" in line
    )
    return Scores(lines, text)
