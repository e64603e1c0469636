"""The roles a user has on clusters (operations/access.py's questions, answered from the
database): superusers are admin everywhere; the global groups' permissions give a role
on every cluster (`clusters.view_cluster` viewer, `clusters.operate_cluster` operator,
`clusters.administer_cluster` admin); ClusterRole rows give roles on one cluster to a
user or a group. A token's scope caps the result: a read-only token is a viewer at most,
a token limited to some clusters sees only those.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from clusters.models import Cluster, ClusterRole, Role
from operations.access import Level

ROLE_LEVEL = {Role.VIEWER: Level.VIEWER, Role.OPERATOR: Level.OPERATOR, Role.ADMIN: Level.ADMIN}
GLOBAL = (
    ("clusters.administer_cluster", Level.ADMIN),
    ("clusters.operate_cluster", Level.OPERATOR),
    ("clusters.view_cluster", Level.VIEWER),
)
_CACHE = "_haconsole_levels"


def global_level(user: Any) -> Level:
    """The user's role on every cluster (superuser: admin; inactive: none)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Level.NONE
    if user.is_superuser:
        return Level.ADMIN
    return next((lv for perm, lv in GLOBAL if user.has_perm(perm)), Level.NONE)


def cluster_levels(user: Any) -> dict[int, Level]:
    """The roles given to the user (or their groups) cluster by cluster (cached on user)."""
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return dict(cached)
    levels: dict[int, Level] = {}
    if user is not None and user.is_authenticated and user.is_active:
        rows = ClusterRole.objects.filter(Q(user=user) | Q(group__user=user)).values_list(
            "cluster_id", "role"
        )
        for cluster_id, role in rows:
            levels[cluster_id] = max(levels.get(cluster_id, Level.NONE), ROLE_LEVEL[Role(role)])
    setattr(user, _CACHE, levels)
    return dict(levels)


def token_cap(token: Any, cluster_id: int) -> Level:
    """The most a token allows on the cluster (no token: no cap)."""
    allows = getattr(token, "allows_cluster", None)
    if allows is None:
        return Level.ADMIN
    if not allows(cluster_id):
        return Level.NONE
    return Level.VIEWER if getattr(token, "read_only", False) else Level.ADMIN


def level(user: Any, cluster_id: int, token: Any = None) -> Level:
    """The user's level on the cluster, capped by the token."""
    found = max(global_level(user), cluster_levels(user).get(cluster_id, Level.NONE))
    return min(found, token_cap(token, cluster_id))


def visible(user: Any, token: Any = None) -> frozenset[int] | None:
    """The clusters the user may see through the token (None: every one)."""
    ids = None if global_level(user) >= Level.VIEWER else frozenset(cluster_levels(user))
    limit = getattr(token, "cluster_ids", None)
    scoped = limit() if callable(limit) else None
    if scoped is None:
        return ids
    return frozenset(scoped) if ids is None else ids & frozenset(scoped)


def roles_of(user: Any, token: Any = None) -> dict[str, Any]:
    """What whoami shows: the global role and the role on each cluster the user sees."""
    shown = visible(user, token)
    clusters = Cluster.objects.all() if shown is None else Cluster.objects.filter(pk__in=shown)
    return {
        "global": global_level(user).role,
        "clusters": [
            {"id": c.pk, "name": c.name, "role": level(user, c.pk, token).role}
            for c in clusters.only("pk", "name")
        ],
    }
