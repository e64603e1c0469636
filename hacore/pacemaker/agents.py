"""Resource agent metadata (`crm_resource --show-metadata AGENT`): what a form needs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, attr_bool, parse_xml
from hacore.secrets import is_secret_name

# Parameters every agent has that only a debugging operator sets (pcs hides them too).
_ADVANCED = frozenset({"trace_ra", "trace_file"})


@dataclass(frozen=True)
class AgentParameter:
    """One <parameter> of an agent."""

    name: str
    shortdesc: str
    longdesc: str
    type: str
    default: str | None
    required: bool
    unique: bool
    advanced: bool
    deprecated: bool
    options: tuple[str, ...] = ()
    secret: bool = False


@dataclass(frozen=True)
class AgentAction:
    """One <action> with its defaults (what pcs adds as operations)."""

    name: str
    timeout: str = ""
    interval: str = ""
    role: str = ""
    depth: str = ""


@dataclass(frozen=True)
class AgentMetadata:
    """An agent's description, parameters and default operations."""

    agent: str
    shortdesc: str
    longdesc: str
    parameters: tuple[AgentParameter, ...]
    actions: tuple[AgentAction, ...]

    def parameter(self, name: str) -> AgentParameter | None:
        """The parameter called name, or None."""
        return next((p for p in self.parameters if p.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return asdict(self)


def parse_agent_metadata(agent: str, xml: str | bytes) -> AgentMetadata:
    """Parse <resource-agent> metadata; ParseError if it is not that."""
    root = parse_xml(xml, external_doctype=True)
    if root.tag != "resource-agent":
        raise ParseError(f"expected <resource-agent>, got <{root.tag}>")
    return AgentMetadata(
        agent=agent,
        shortdesc=_text(root, "shortdesc"),
        longdesc=_text(root, "longdesc"),
        parameters=tuple(_parameter(el) for el in root.iterfind("parameters/parameter")),
        actions=tuple(_action(el) for el in root.iterfind("actions/action")),
    )


def _text(el: etree._Element, tag: str) -> str:
    child = el.find(tag)
    return " ".join((child.text or "").split()) if child is not None else ""


def _parameter(el: etree._Element) -> AgentParameter:
    name = el.get("name", "")
    content = el.find("content")
    deprecated = el.find("deprecated") is not None or attr_bool(el, "deprecated")
    required = attr_bool(el, "required")
    return AgentParameter(
        name=name,
        shortdesc=_text(el, "shortdesc"),
        longdesc=_text(el, "longdesc"),
        type=content.get("type", "string") if content is not None else "string",
        default=content.get("default") if content is not None else None,
        required=required,
        unique=attr_bool(el, "unique") or el.get("unique-group") is not None,
        advanced=not required
        and (attr_bool(el, "advanced") or name in _ADVANCED or name.startswith("pcmk_")),
        deprecated=deprecated,
        options=tuple(o.get("value", "") for o in el.iterfind("content/option")),
        secret=attr_bool(el, "private") or is_secret_name(name),
    )


def _action(el: etree._Element) -> AgentAction:
    return AgentAction(
        name=el.get("name", ""),
        timeout=el.get("timeout", ""),
        interval=el.get("interval", ""),
        role=el.get("role", ""),
        depth=el.get("depth", ""),
    )


def parse_agent_list(text: str) -> list[str]:
    """Lines of `crm_resource --list-agents STANDARD[:PROVIDER]`, without blanks."""
    return [line.strip() for line in text.splitlines() if line.strip()]
