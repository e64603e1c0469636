"""A cluster's status as JSON: what is stored, served by the API and pushed to browsers.

One shape everywhere (docs/api.md "Status snapshot"): `to_snapshot()` turns the parsed
crm_mon status into plain JSON; `tile()` and `warnings()` summarise it for the
overview, the wall and the warnings panel; `health()` gives the tile its colour.
"""

from __future__ import annotations

import datetime
from typing import Any

from hacore.pacemaker.model import ClusterStatus
from hacore.pacemaker.tojson import converter

Json = dict[str, Any]
STANDBY_LONG = datetime.timedelta(hours=24)


def to_snapshot(status: ClusterStatus) -> Json:
    """The parsed status as JSON-able dicts (datetimes as ISO 8601, enums as strings)."""
    out: Json = converter(ClusterStatus)(status)
    for node in out["nodes"]:
        node["attributes"] = dict(node.get("attributes") or [])
    return out


def flat_resources(snapshot: Json) -> list[Json]:
    """Every resource of the snapshot, collectives and members, depth first."""
    out: list[Json] = []

    def walk(resource: Json) -> None:
        out.append(resource)
        for child in resource.get("children", []):
            walk(child)

    for resource in snapshot.get("resources", []):
        walk(resource)
    return out


def tile(snapshot: Json) -> Json:
    """The overview numbers: quorum, nodes online/total, resources started/total, failures."""
    nodes = snapshot.get("nodes", [])
    primitives = [r for r in flat_resources(snapshot) if r.get("kind") == "primitive"]
    summary = snapshot.get("summary", {})
    return {
        "quorate": summary.get("quorate"),
        "dc": summary.get("dc"),
        "nodes_online": sum(1 for n in nodes if n.get("online")),
        "nodes_total": len(nodes),
        "resources_started": sum(1 for r in primitives if r.get("active")),
        "resources_total": len(primitives),
        "failures": len(snapshot.get("failures", [])),
        "fencing": summary.get("stonith_enabled"),
        "maintenance": bool(summary.get("maintenance_mode")),
    }


def warnings(
    snapshot: Json, standby_since: dict[str, datetime.datetime] | None = None
) -> list[Json]:
    """What an operator must look at, worst first: like pcsd's warnings, and more."""
    found: list[Json] = []

    def add(level: str, code: str, message: str) -> None:
        found.append({"level": level, "code": code, "message": message})

    summary = snapshot.get("summary", {})
    if summary.get("quorate") is False:
        add("critical", "no_quorum", "The cluster partition has no quorum.")
    for node in snapshot.get("nodes", []):
        if node.get("unclean"):
            add("critical", "node_unclean", f"Node {node['name']} is unclean (needs fencing).")
        elif not node.get("online"):
            add("critical", "node_offline", f"Node {node['name']} is offline.")
    if summary.get("stonith_enabled") is False:
        add("critical", "fencing_disabled", "Fencing (stonith-enabled) is disabled.")
    elif not any(
        str(r.get("agent") or "").startswith("stonith:") for r in flat_resources(snapshot)
    ):
        add("critical", "no_fence_device", "No fence device is configured.")
    for failure in snapshot.get("failures", []):
        add(
            "warning",
            "failed_action",
            f"{failure['op_key']} failed on {failure['node']}: {failure['exitstatus']}"
            + (f" ({failure['exitreason']})" if failure.get("exitreason") else ""),
        )
    _resource_warnings(snapshot, add)
    if summary.get("maintenance_mode"):
        add("warning", "maintenance_mode", "The cluster is in maintenance mode.")
    _node_warnings(snapshot, standby_since or {}, add)
    return sorted(found, key=lambda w: w["level"] != "critical")


def _resource_warnings(snapshot: Json, add: Any) -> None:
    for resource in flat_resources(snapshot):
        if resource.get("blocked"):
            add("critical", "resource_blocked", f"Resource {resource['id']} is blocked.")
        if resource.get("kind") == "primitive" and not resource.get("managed", True):
            add("warning", "resource_unmanaged", f"Resource {resource['id']} is unmanaged.")
        if resource.get("failed"):
            add("warning", "resource_failed", f"Resource {resource['id']} has failed.")


def _node_warnings(snapshot: Json, standby_since: dict[str, datetime.datetime], add: Any) -> None:
    now = datetime.datetime.now(datetime.UTC)
    for node in snapshot.get("nodes", []):
        if node.get("maintenance"):
            add("warning", "node_maintenance", f"Node {node['name']} is in maintenance.")
        since = standby_since.get(node["name"])
        if node.get("standby") and since is not None and now - since > STANDBY_LONG:
            hours = int((now - since).total_seconds() // 3600)
            add("warning", "standby_long", f"Node {node['name']} has been in standby {hours} h.")


def health(found: list[Json], reachable: bool) -> str:
    """red when unreachable or anything critical, amber for warnings, else green."""
    if not reachable or any(w["level"] == "critical" for w in found):
        return "red"
    if found:
        return "amber"
    return "green"
