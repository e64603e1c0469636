"""URLs of the node actions API (under /api/v1/)."""

from django.urls import path

from nodes.api import views

urlpatterns = [
    path(
        "clusters/<int:cluster_pk>/nodes/<str:name>/<str:verb>/",
        views.NodeActionView.as_view(),
        name="node-action",
    ),
    path("clusters/<int:cluster_pk>/add-node/", views.AddNodeView.as_view(), name="add-node"),
]
