"""The configuration part of a CIB (`cibadmin --query`), for what crm_mon does not show.

crm_mon reports state; some configuration matters too: cluster properties not in
<cluster_options> (cluster-name, stop-orphan-resources...), resource meta attributes
(target-role, is-managed, promotable...), instance attributes, node attributes that are
permanent. One function per element; the status section is not read (crm_mon's job).

nvpairs are collected from every set of an element in document order, rules ignored;
lookups return the first value, which is Pacemaker's answer when no rule applies.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from lxml import etree

from hacore.pacemaker.xmlsafe import ParseError, attr_bool, parse_xml

__all__ = ["Cib", "CibNode", "CibResource", "cib_version", "configuration_diff", "parse_cib"]

Pairs = tuple[tuple[str, str], ...]
_FALSE = {"false", "0", "no", "off", "n"}


def _first(pairs: Pairs, name: str) -> str | None:
    return next((value for key, value in pairs if key == name), None)


@dataclass(frozen=True)
class CibNode:
    """<nodes><node>: a configured node and its permanent attributes."""

    node_id: str
    uname: str
    node_type: str
    attributes: Pairs = ()
    utilization: Pairs = ()


@dataclass(frozen=True)
class CibResource:
    """A configured resource: primitive, group, clone (incl. legacy master) or bundle."""

    id: str
    kind: str
    agent: str | None = None
    meta: Pairs = ()
    params: Pairs = ()
    children: tuple[CibResource, ...] = ()

    def meta_value(self, name: str) -> str | None:
        """A meta attribute (e.g. "target-role"), or None."""
        return _first(self.meta, name)

    @property
    def target_role(self) -> str | None:
        """The configured target-role, if any."""
        return self.meta_value("target-role")

    @property
    def managed(self) -> bool:
        """False if is-managed is configured false."""
        return (self.meta_value("is-managed") or "true").strip().lower() not in _FALSE

    def walk(self) -> tuple[CibResource, ...]:
        """This resource and all below it, depth first."""
        out: list[CibResource] = [self]
        for child in self.children:
            out.extend(child.walk())
        return tuple(out)


@dataclass(frozen=True)
class Cib:
    """A CIB's versions and configuration."""

    epoch: int
    admin_epoch: int
    num_updates: int
    validate_with: str | None
    have_quorum: bool | None
    dc_uuid: str | None
    crm_config: Pairs = ()
    rsc_defaults: Pairs = ()
    op_defaults: Pairs = ()
    nodes: tuple[CibNode, ...] = ()
    resources: tuple[CibResource, ...] = ()

    def option(self, name: str) -> str | None:
        """A cluster property (crm_config), e.g. "stonith-enabled", or None if not set."""
        return _first(self.crm_config, name)

    def members(self, rid: str) -> frozenset[str]:
        """rid and every resource configured inside it (a clone's primitive, a group's
        members...): the ids crm_simulate's actions may name for it."""

        def under(resource: CibResource) -> set[str]:
            return {resource.id}.union(*(under(c) for c in resource.children))

        def find(resources: tuple[CibResource, ...]) -> CibResource | None:
            for r in resources:
                if r.id == rid:
                    return r
                if (hit := find(r.children)) is not None:
                    return hit
            return None

        found = find(self.resources)
        return frozenset(under(found)) if found is not None else frozenset({rid})

    @property
    def stonith_enabled(self) -> bool:
        """stonith-enabled, with Pacemaker's default (true) when not set."""
        return (self.option("stonith-enabled") or "true").strip().lower() not in _FALSE

    def resource(self, rsc_id: str) -> CibResource | None:
        """The configured resource called rsc_id, at any depth."""
        every = (r for top in self.resources for r in top.walk())
        return next((r for r in every if r.id == rsc_id), None)


def parse_cib(xml: str | bytes) -> Cib:
    """Parse `cibadmin --query` output (a <cib>); ParseError if it is not one."""
    root = parse_xml(xml)
    if root.tag != "cib":
        raise ParseError(f"expected <cib>, got <{root.tag}>")
    config = root.find("configuration")
    if config is None:
        raise ParseError("a <cib> without <configuration>")
    return Cib(
        epoch=_version(root, "epoch"),
        admin_epoch=_version(root, "admin_epoch"),
        num_updates=_version(root, "num_updates"),
        validate_with=root.get("validate-with"),
        have_quorum=None if root.get("have-quorum") is None else attr_bool(root, "have-quorum"),
        dc_uuid=root.get("dc-uuid"),
        crm_config=_nvsets(config.find("crm_config"), "cluster_property_set"),
        rsc_defaults=_nvsets(config.find("rsc_defaults"), "meta_attributes"),
        op_defaults=_nvsets(config.find("op_defaults"), "meta_attributes"),
        nodes=tuple(_node(el) for el in config.iterfind("nodes/node")),
        resources=_resources(config.find("resources")),
    )


def _version(root: etree._Element, name: str) -> int:
    value = root.get(name, "0")
    if not value.isdigit():
        raise ParseError(f"<cib {name}={value!r}> is not a number")
    return int(value)


def _nvsets(el: etree._Element | None, set_tag: str) -> Pairs:
    """(name, value) of every <nvpair> of every <set_tag> child of el, in order."""
    if el is None:
        return ()
    return tuple(
        (pair.get("name", ""), pair.get("value", ""))
        for nvset in el.iterfind(set_tag)
        for pair in nvset.iterfind("nvpair")
        if pair.get("name")
    )


def _node(el: etree._Element) -> CibNode:
    """<node id uname type>: with instance_attributes and utilization."""
    return CibNode(
        node_id=el.get("id", ""),
        uname=el.get("uname", ""),
        node_type=el.get("type") or "member",
        attributes=_nvsets(el, "instance_attributes"),
        utilization=_nvsets(el, "utilization"),
    )


def _resources(el: etree._Element | None) -> tuple[CibResource, ...]:
    """The resource elements below el (<resources>, a group, a clone, a bundle)."""
    if el is None:
        return ()
    return tuple(_resource(child) for child in el if child.tag in _KINDS)


_KINDS = {
    "primitive": "primitive",
    "group": "group",
    "clone": "clone",
    "master": "clone",
    "bundle": "bundle",
}


def _resource(el: etree._Element) -> CibResource:
    """<primitive class provider type>, <group>, <clone>, <master> or <bundle>."""
    rsc_id = el.get("id")
    if not rsc_id:
        raise ParseError(f"a <{el.tag}> without an id")
    meta = _nvsets(el, "meta_attributes")
    if el.tag == "master" and _first(meta, "promotable") is None:
        meta = (*meta, ("promotable", "true"))  # what <master> means
    return CibResource(
        id=rsc_id,
        kind=_KINDS[str(el.tag)],
        agent=_agent(el) if el.tag == "primitive" else None,
        meta=meta,
        params=_nvsets(el, "instance_attributes"),
        children=_resources(el),
    )


def _agent(el: etree._Element) -> str | None:
    """ "class:provider:type" (or "class:type"), as crm_mon prints resource_agent."""
    parts = [el.get("class"), el.get("provider"), el.get("type")]
    return ":".join(p for p in parts if p) or None


def cib_version(xml: str | bytes) -> str:
    """ "admin_epoch:epoch" of a <cib>, with or without children: what a configuration
    change moves (num_updates is left out: status updates bump it all the time)."""
    root = parse_xml(xml)
    if root.tag != "cib":
        raise ParseError(f"expected <cib>, got <{root.tag}>")
    return f"{_version(root, 'admin_epoch')}:{_version(root, 'epoch')}"


def configuration_diff(before: str | bytes, after: str | bytes) -> str:
    """A unified diff of two CIBs' <configuration> sections (status left out)."""
    return "".join(
        difflib.unified_diff(
            _configuration_lines(before),
            _configuration_lines(after),
            fromfile=f"cib {cib_version(before)}",
            tofile="cib (changed)",
        )
    )


def _configuration_lines(xml: str | bytes) -> list[str]:
    config = parse_xml(xml).find("configuration")
    if config is None:
        raise ParseError("a <cib> without <configuration>")
    etree.indent(config, space="  ")
    return etree.tostring(config, encoding="unicode").splitlines(keepends=True)


@dataclass(frozen=True)
class AttributeSets:
    """A resource's own instance attributes (params) and meta attributes (not its members')."""

    params: dict[str, str]
    meta: dict[str, str]


def parse_attribute_sets(xml: str | bytes) -> AttributeSets:
    """The instance and meta attributes of the element `cibadmin --query --xpath` gave."""
    root = parse_xml(xml)
    return AttributeSets(_nvpairs(root, "instance_attributes"), _nvpairs(root, "meta_attributes"))


def _nvpairs(root: etree._Element, tag: str) -> dict[str, str]:
    return {
        str(nv.get("name")): str(nv.get("value", ""))
        for nv in root.iterfind(f"{tag}/nvpair")
        if nv.get("name")
    }
