"""The <constraints> and <fencing-topology> sections of a CIB (`cibadmin --query`).

One function per element: rsc_location, rsc_order, rsc_colocation, rsc_ticket; resource
sets (<resource_set> of <resource_ref>) are kept with their options.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, parse_xml

_KINDS = {
    "rsc_location": "location",
    "rsc_order": "order",
    "rsc_colocation": "colocation",
    "rsc_ticket": "ticket",
}


@dataclass(frozen=True)
class ResourceSet:
    """A <resource_set>: its resources in order and its options (sequential, role...)."""

    id: str
    resources: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Constraint:
    """One constraint; `resources` are the ones it names, in order (sets flattened)."""

    id: str
    type: str
    resources: tuple[str, ...]
    score: str = ""
    node: str = ""
    options: dict[str, str] = field(default_factory=dict)
    sets: tuple[ResourceSet, ...] = ()
    has_rules: bool = False

    @property
    def is_cli(self) -> bool:
        """Made by a move or ban (cli-prefer-*, cli-ban-*): what `clear` removes."""
        return self.id.startswith(("cli-prefer-", "cli-ban-"))

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {**asdict(self), "is_cli": self.is_cli}


def parse_constraints(xml: str | bytes) -> tuple[Constraint, ...]:
    """Constraints from a <constraints> element or a whole <cib>."""
    root = parse_xml(xml)
    section = root if root.tag == "constraints" else root.find("configuration/constraints")
    if section is None:
        raise ParseError(f"no <constraints> in <{root.tag}>")
    return tuple(_constraint(el) for el in section if isinstance(el.tag, str) and el.tag in _KINDS)


def _constraint(el: etree._Element) -> Constraint:
    sets = tuple(_set(s) for s in el.iterfind("resource_set"))
    named = [el.get(a) for a in ("rsc", "with-rsc", "first", "then")]
    resources = tuple(r for r in named if r) or tuple(r for s in sets for r in s.resources)
    skip = {"id", "rsc", "with-rsc", "first", "then", "score", "node"}
    options = {k: v for k, v in _attributes(el).items() if k not in skip}
    return Constraint(
        id=el.get("id", ""),
        type=_KINDS[str(el.tag)],
        resources=resources,
        score=el.get("score", ""),
        node=el.get("node", ""),
        options=options,
        sets=sets,
        has_rules=el.find("rule") is not None,
    )


def _set(el: etree._Element) -> ResourceSet:
    return ResourceSet(
        id=el.get("id", ""),
        resources=tuple(r.get("id", "") for r in el.iterfind("resource_ref")),
        options={k: v for k, v in _attributes(el).items() if k != "id"},
    )


def _attributes(el: etree._Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in el.attrib.items()}


def of_resource(constraints: tuple[Constraint, ...], rid: str) -> list[Constraint]:
    """The constraints that name rid."""
    return [c for c in constraints if rid in c.resources]


@dataclass(frozen=True)
class FencingLevel:
    """A <fencing-level>: at `index`, `target` is fenced by all of `devices`."""

    id: str
    index: int
    target: str
    devices: tuple[str, ...]


def parse_fencing_topology(xml: str | bytes) -> tuple[FencingLevel, ...]:
    """Levels from a <fencing-topology>, a <configuration> or a whole <cib> (none: empty)."""
    root = parse_xml(xml)
    paths = {"fencing-topology": ".", "configuration": "fencing-topology"}
    section = root.find(paths.get(str(root.tag), "configuration/fencing-topology"))
    if section is None:
        return ()
    levels = []
    for el in section.iterfind("fencing-level"):
        index = el.get("index", "")
        if not index.isdigit():
            raise ParseError(f"<fencing-level index={index!r}> is not a number")
        devices = tuple(d for d in el.get("devices", "").split(",") if d)
        levels.append(FencingLevel(el.get("id", ""), int(index), el.get("target", ""), devices))
    return tuple(sorted(levels, key=lambda lv: (lv.target, lv.index)))
