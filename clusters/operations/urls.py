"""URLs of the operations API (under /api/v1/)."""

from django.urls import path

from clusters.operations import agents_api, api, cluster_api, constraints_api

urlpatterns = [
    path(
        "clusters/<int:cluster_pk>/agents/",
        agents_api.AgentListView.as_view(),
        name="agents",
    ),
    path(
        "clusters/<int:cluster_pk>/agents/<str:agent>/",
        agents_api.AgentMetadataView.as_view(),
        name="agent-metadata",
    ),
    path(
        "clusters/<int:cluster_pk>/nodes/<str:name>/<str:verb>/",
        api.NodeActionView.as_view(),
        name="node-action",
    ),
    path(
        "clusters/<int:cluster_pk>/resources/",
        api.ResourceCreateView.as_view(),
        name="cluster-resource-create",
    ),
    path(
        "clusters/<int:cluster_pk>/resources/<str:rid>/",
        api.ResourceView.as_view(),
        name="cluster-resource",
    ),
    path(
        "clusters/<int:cluster_pk>/resources/<str:rid>/<str:verb>/",
        api.ResourceActionView.as_view(),
        name="resource-action",
    ),
    path(
        "clusters/<int:cluster_pk>/constraints/",
        constraints_api.ConstraintsView.as_view(),
        name="constraints",
    ),
    path(
        "clusters/<int:cluster_pk>/constraints/<str:cid>/",
        constraints_api.ConstraintView.as_view(),
        name="constraint",
    ),
    path("clusters/<int:cluster_pk>/scores/", constraints_api.ScoresView.as_view(), name="scores"),
    path(
        "clusters/<int:cluster_pk>/properties/",
        cluster_api.PropertiesListView.as_view(),
        name="cluster-properties",
    ),
    path(
        "clusters/<int:cluster_pk>/resource-defaults/",
        cluster_api.DefaultsView.as_view(kind="resource"),
        name="resource-defaults",
    ),
    path(
        "clusters/<int:cluster_pk>/op-defaults/",
        cluster_api.DefaultsView.as_view(kind="op"),
        name="op-defaults",
    ),
    path("clusters/<int:cluster_pk>/groups/", cluster_api.GroupsView.as_view(), name="groups"),
    path("clusters/<int:cluster_pk>/add-node/", cluster_api.AddNodeView.as_view(), name="add-node"),
    path(
        "clusters/<int:cluster_pk>/start-all/",
        cluster_api.ClusterServicesView.as_view(verb="start"),
        name="start-all",
    ),
    path(
        "clusters/<int:cluster_pk>/stop-all/",
        cluster_api.ClusterServicesView.as_view(verb="stop"),
        name="stop-all",
    ),
    path(
        "clusters/<int:cluster_pk>/groups/<str:gid>/remove/",
        cluster_api.GroupRemoveView.as_view(),
        name="group-remove",
    ),
    path(
        "clusters/<int:cluster_pk>/corosync/",
        cluster_api.CorosyncView.as_view(),
        name="corosync",
    ),
    path(
        "clusters/<int:cluster_pk>/corosync/sync/",
        cluster_api.CorosyncSyncView.as_view(),
        name="corosync-sync",
    ),
    path(
        "clusters/<int:cluster_pk>/corosync/reload/",
        cluster_api.CorosyncReloadView.as_view(),
        name="corosync-reload",
    ),
    path("clusters/<int:cluster_pk>/backup/", cluster_api.BackupView.as_view(), name="backup"),
    path("clusters/<int:cluster_pk>/restore/", cluster_api.RestoreView.as_view(), name="restore"),
    path("clusters/<int:cluster_pk>/report/", cluster_api.ReportView.as_view(), name="report"),
    path(
        "clusters/<int:cluster_pk>/plans/<str:plan_id>/",
        api.PlanView.as_view(),
        name="plan",
    ),
    path(
        "clusters/<int:cluster_pk>/plans/<str:plan_id>/apply/",
        api.PlanApplyView.as_view(),
        name="plan-apply",
    ),
]
