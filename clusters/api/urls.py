"""URLs of the clusters API (under /api/v1/): nodes of a cluster (read, trust a host
key), and the cluster-wide configuration."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from clusters.api import advice, config, drain, views

node_router = SimpleRouter()
node_router.register("nodes", views.NodeViewSet, basename="cluster-node")

C = "clusters/<int:cluster_pk>"
urlpatterns = [
    path(f"{C}/", include(node_router.urls)),
    path(f"{C}/nodes/<str:name>/drain/", drain.DrainView.as_view(), name="node-drain"),
    *(
        path(
            f"{C}/nodes/<str:name>/drain/{verb}/",
            drain.DrainControlView.as_view(verb=verb),
            name=f"node-drain-{verb}",
        )
        for verb in ("stop", "resume", "return")
    ),
    path(f"{C}/properties/", config.PropertiesListView.as_view(), name="cluster-properties"),
    path(
        f"{C}/resource-defaults/",
        config.DefaultsView.as_view(kind="resource"),
        name="resource-defaults",
    ),
    path(f"{C}/op-defaults/", config.DefaultsView.as_view(kind="op"), name="op-defaults"),
    path(f"{C}/start-all/", config.ClusterServicesView.as_view(verb="start"), name="start-all"),
    path(f"{C}/stop-all/", config.ClusterServicesView.as_view(verb="stop"), name="stop-all"),
    path(f"{C}/corosync/", config.CorosyncView.as_view(), name="corosync"),
    path(f"{C}/corosync/sync/", config.CorosyncSyncView.as_view(), name="corosync-sync"),
    path(f"{C}/corosync/reload/", config.CorosyncReloadView.as_view(), name="corosync-reload"),
    path(f"{C}/backup/", config.BackupView.as_view(), name="backup"),
    path(f"{C}/restore/", config.RestoreView.as_view(), name="restore"),
    path(f"{C}/report/", config.ReportView.as_view(), name="report"),
    path(f"{C}/advice/", advice.AdviceView.as_view(), name="advice"),
    path("whoami/", views.WhoAmI.as_view(), name="whoami"),
]
