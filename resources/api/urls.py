"""URLs of the resource changes API (under /api/v1/)."""

from django.urls import path

from resources.api import actions, virt_views

C = "clusters/<int:cluster_pk>"
urlpatterns = [
    path(f"{C}/agents/", actions.AgentListView.as_view(), name="agents"),
    path(f"{C}/agents/<str:agent>/", actions.AgentMetadataView.as_view(), name="agent-metadata"),
    path(f"{C}/resources/", actions.ResourceCreateView.as_view(), name="cluster-resource-create"),
    path(f"{C}/resources/<str:rid>/", actions.ResourceView.as_view(), name="cluster-resource"),
    path(
        f"{C}/resources/<str:rid>/<str:verb>/",
        actions.ResourceActionView.as_view(),
        name="resource-action",
    ),
    path(f"{C}/constraints/", actions.ConstraintsView.as_view(), name="constraints"),
    path(f"{C}/constraints/<str:cid>/", actions.ConstraintView.as_view(), name="constraint"),
    path(f"{C}/scores/", actions.ScoresView.as_view(), name="scores"),
    path(f"{C}/vms/", actions.VmsView.as_view(), name="vms"),
    path(f"{C}/vms/<str:name>/", actions.VmView.as_view(), name="vm"),
    path(f"{C}/vms/<str:name>/precheck/", virt_views.PrecheckView.as_view(), name="vm-precheck"),
    path(f"{C}/vms/<str:name>/migrate/", virt_views.MigrateView.as_view(), name="vm-migrate"),
    path(f"{C}/vms/<str:name>/<str:verb>/", virt_views.VmPowerView.as_view(), name="vm-power"),
    path(f"{C}/drbd/", actions.DrbdView.as_view(), name="drbd"),
    path(f"{C}/drbd/<str:res>/", actions.DrbdResourceView.as_view(), name="drbd-resource"),
    path(
        f"{C}/drbd/<str:res>/resolve-split-brain/",
        virt_views.SplitBrainView.as_view(),
        name="drbd-resolve-split-brain",
    ),
    path(f"{C}/setup/book-stack/", virt_views.BookStackView.as_view(), name="book-stack"),
    path(f"{C}/groups/", actions.GroupsView.as_view(), name="groups"),
    path(f"{C}/groups/<str:gid>/remove/", actions.GroupRemoveView.as_view(), name="group-remove"),
]
