"""Who may do what on which cluster: the one place that decides.

Roles per cluster, in order: viewer < operator < admin (superusers are admin
everywhere). A user's level on a cluster is the highest of the global groups
(`viewers`, `operators`, `administrators`: that role on every cluster) and the roles given
to the user or their groups on that cluster; a token's scope caps it (read-only: viewer
at most; a token limited to some clusters: none on the others). The clusters app works
the level out (clusters/access.py) behind the Directory; this module asks it.

`MATRIX` is the table of every route that touches one cluster and the least level it
needs: pages, API and WebSockets all check it (`required`), and the tests generate the
role matrix from it. A route missing from the table is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import IntEnum
from typing import Any

from hacore.errors import Forbidden, NotFound
from operations.change import ADMINISTER, OPERATE
from operations.directory import directory


class Level(IntEnum):
    """What a role allows on a cluster; each level includes the ones below it."""

    NONE = 0
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @property
    def role(self) -> str:
        """The role's name (none, viewer, operator, admin)."""
        return self.name.lower()


# Change.permission -> the level it needs.
PERMISSION_LEVEL = {OPERATE: Level.OPERATOR, ADMINISTER: Level.ADMIN}

VIEW, OPER, ADMIN = Level.VIEWER, Level.OPERATOR, Level.ADMIN
C = "/api/v1/clusters/{id}"
P = "/clusters/{id}"
NODE_VERBS = {
    **dict.fromkeys(["standby", "unstandby", "maintenance", "unmaintenance"], OPER),
    **dict.fromkeys(["stop", "start", "enable", "disable", "fence", "confirm-fenced"], ADMIN),
    "remove": ADMIN,
}
RESOURCE_VERBS = {
    **dict.fromkeys(
        ["move", "ban", "clear", "enable", "disable", "cleanup", "manage", "unmanage"], OPER
    ),
    **dict.fromkeys(["restart", "refresh", "promote", "demote"], OPER),
    **dict.fromkeys(["update", "clone", "promotable", "unclone", "debug-start"], ADMIN),
}
VM_VERBS = ("precheck", "migrate", "start", "stop", "restart")
FENCE_VERBS = dict.fromkeys(["update", "enable", "disable", "test"], ADMIN)

MATRIX: dict[str, Level] = {
    # The cluster and its nodes (router views).
    f"GET {C}/": VIEW,
    f"DELETE {C}/": ADMIN,
    f"GET {C}/status/": VIEW,
    f"POST {C}/refresh/": OPER,
    f"GET {C}/nodes/": VIEW,
    f"GET {C}/nodes/{{name}}/": VIEW,
    f"POST {C}/nodes/{{name}}/trust-host-key/": ADMIN,
    **{f"POST {C}/nodes/{{name}}/{verb}/": level for verb, level in NODE_VERBS.items()},
    f"POST {C}/add-node/": ADMIN,
    f"GET {C}/nodes/{{name}}/drain/": VIEW,
    f"POST {C}/nodes/{{name}}/drain/": OPER,
    **{f"POST {C}/nodes/{{name}}/drain/{verb}/": OPER for verb in ("stop", "resume", "return")},
    # Cluster-wide configuration (reads run commands on a node: viewer at least).
    f"GET {C}/properties/": VIEW,
    f"POST {C}/properties/": ADMIN,
    f"POST {C}/resource-defaults/": ADMIN,
    f"POST {C}/op-defaults/": ADMIN,
    f"POST {C}/start-all/": ADMIN,
    f"POST {C}/stop-all/": ADMIN,
    f"GET {C}/corosync/": VIEW,
    f"POST {C}/corosync/sync/": ADMIN,
    f"POST {C}/corosync/reload/": ADMIN,
    f"GET {C}/backup/": ADMIN,
    f"POST {C}/restore/": ADMIN,
    f"GET {C}/report/": OPER,
    # Resources, constraints, agents.
    f"GET {C}/agents/": VIEW,
    f"GET {C}/agents/{{agent}}/": VIEW,
    f"POST {C}/resources/": ADMIN,
    f"GET {C}/resources/{{rid}}/": VIEW,
    f"DELETE {C}/resources/{{rid}}/": ADMIN,
    **{f"POST {C}/resources/{{rid}}/{verb}/": level for verb, level in RESOURCE_VERBS.items()},
    f"GET {C}/constraints/": VIEW,
    f"POST {C}/constraints/": ADMIN,
    f"DELETE {C}/constraints/{{cid}}/": ADMIN,
    f"GET {C}/scores/": VIEW,
    f"GET {C}/vms/": VIEW,
    f"GET {C}/vms/{{name}}/": VIEW,
    **{f"POST {C}/vms/{{name}}/{verb}/": OPER for verb in VM_VERBS},
    f"GET {C}/drbd/": VIEW,
    f"GET {C}/drbd/{{res}}/": VIEW,
    f"POST {C}/drbd/{{res}}/resolve-split-brain/": OPER,
    f"POST {C}/setup/book-stack/": ADMIN,
    f"POST {C}/groups/": ADMIN,
    f"POST {C}/groups/{{gid}}/remove/": ADMIN,
    # Fencing.
    f"POST {C}/fence-devices/": ADMIN,
    f"DELETE {C}/fence-devices/{{dev}}/": ADMIN,
    **{f"POST {C}/fence-devices/{{dev}}/{verb}/": level for verb, level in FENCE_VERBS.items()},
    f"POST {C}/fencing-levels/": ADMIN,
    f"DELETE {C}/fencing-levels/": ADMIN,
    f"GET {C}/fencing/": VIEW,
    # The advisor (?refresh=1, which asks every fence device again, needs operator).
    f"GET {C}/advice/": VIEW,
    # Plans and history (applying also needs the level of the change planned).
    f"GET {C}/plans/{{plan_id}}/": VIEW,
    f"POST {C}/plans/{{plan_id}}/apply/": OPER,
    "GET /api/v1/operations/{id}/": VIEW,
    "POST /api/v1/operations/{id}/revert/": ADMIN,
    # Pages and WebSockets.
    f"GET {P}/": VIEW,
    f"POST {P}/refresh/": OPER,
    f"GET {P}/nodes/{{name}}/": VIEW,
    f"GET {P}/resources/{{rid}}/": VIEW,
    f"GET {P}/create-resource/": ADMIN,
    f"GET {P}/create-fence-device/": ADMIN,
    "WS /ws/clusters/{id}/": VIEW,
}

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
_AS = {"cluster_pk": "id", "pk": "id", "cluster_id": "id"}


def route_key(method: str, route: str, kwargs: Mapping[str, Any]) -> str:
    """The MATRIX key of a request: its method and its route, parameters as {name}
    (the cluster as {id}) except `verb`, which is spelled out."""

    def param(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name == "verb":
            return str(kwargs.get("verb", ""))
        return "{" + _AS.get(name, name) + "}"

    path = "/" + _PARAM.sub(param, route).replace("^", "").replace("$", "").lstrip("/")
    return f"{method.upper()} {path}"


def required(key: str, verb: str = "") -> Level:
    """The least level the route needs: NotFound for an action (verb) the table does not
    know, Forbidden for any other route missing from MATRIX."""
    level = MATRIX.get(key)
    if level is None and verb:
        raise NotFound(f"no action {verb[:60]!r}")
    if level is None:
        raise Forbidden(f"no access rule for {key}: refused")
    return level


def level(user: Any, cluster_id: int, token: Any = None) -> Level:
    """The user's level on the cluster, capped by the token's scope."""
    return Level(directory().level(user, cluster_id, token))


def check(user: Any, cluster_id: int, needed: Level, what: str, token: Any = None) -> None:
    """NotFound without any role on the cluster (as if it did not exist); Forbidden
    below the level needed."""
    found = level(user, cluster_id, token)
    if found < needed:
        if found == Level.NONE:
            raise NotFound(f"no cluster {cluster_id}")
        raise Forbidden(
            f"you may not {what}: needs {needed.role} of this cluster, you are {found.role}"
        )


def visible(user: Any, token: Any = None) -> frozenset[int] | None:
    """The clusters the user may see (None: every one)."""
    return directory().visible(user, token)
