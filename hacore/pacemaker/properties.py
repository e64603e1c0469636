"""Cluster properties as an operator needs them: every property the daemons describe
(type, default, options, description) with its value when the CIB sets one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from hacore.pacemaker.agents import AgentParameter, parse_agent_metadata
from hacore.pacemaker.cib import parse_cib

UNKNOWN = AgentParameter("", "", "", "", None, False, False, False, False)


@dataclass(frozen=True)
class Properties:
    """Property rows (description + "value" + "daemon"), resource and operation defaults."""

    properties: tuple[dict[str, Any], ...]
    resource_defaults: dict[str, str]
    operation_defaults: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """The API form."""
        return {
            "properties": list(self.properties),
            "resource_defaults": self.resource_defaults,
            "operation_defaults": self.operation_defaults,
        }


def describe_properties(configuration: str, metadata: Mapping[str, str]) -> Properties:
    """configuration: `cibadmin --query --scope configuration`; metadata: daemon name ->
    its `metadata` output, the first daemon to describe a property wins."""
    cib = parse_cib(f"<cib>{configuration}</cib>")
    described: dict[str, dict[str, Any]] = {}
    for daemon, xml in metadata.items():
        for p in parse_agent_metadata(daemon, xml).parameters:
            described.setdefault(p.name, {**asdict(p), "daemon": daemon})
    values = dict(cib.crm_config)
    for name in values.keys() - described.keys():  # set, but unknown to these daemons
        described[name] = {**asdict(UNKNOWN), "name": name}
    rows = tuple(
        {**d, "value": values.get(d["name"])}
        for d in sorted(described.values(), key=lambda d: d["name"])
    )
    return Properties(rows, dict(cib.rsc_defaults), dict(cib.op_defaults))
