"""Django app config for clusters."""

from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

# The roles of docs/operator-guide.md: permission codenames of each group.
# viewers/operators/administrators: that role on every cluster (ClusterRole rows give
# roles on one cluster).
ROLES = {
    "viewers": ["view_cluster"],
    "operators": ["view_cluster", "operate_cluster"],
    "administrators": ["view_cluster", "operate_cluster", "administer_cluster", "change_cluster"],
}


def ensure_roles(apps: Any = global_apps, **_: Any) -> None:
    """The operators and administrators groups with their permissions (after migrate;
    `flush` sends the signal without the migration state, hence the default)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = group_model.objects.get_or_create(name=name)
        perms = permission_model.objects.filter(
            content_type__app_label="clusters", codename__in=codenames
        )
        group.permissions.add(*perms)


class ClustersConfig(AppConfig):
    """The clusters app."""

    name = "clusters"

    def ready(self) -> None:
        """Create the role groups whenever migrations run; give the operations engine
        its directory of clusters; close WebSockets whose rights end (signals)."""
        # Both import models, which exist only once the app registry is ready.
        from clusters import signals  # noqa: F401, PLC0415 (connects the socket closers)
        from clusters.directory import ClusterDirectory  # noqa: PLC0415
        from operations.directory import provide  # noqa: PLC0415

        post_migrate.connect(ensure_roles, sender=self)
        provide(ClusterDirectory())
