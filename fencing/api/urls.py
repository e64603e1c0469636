"""URLs of the fencing operations API (under /api/v1/clusters/<id>/)."""

from django.urls import path

from fencing.api import ops_views

urlpatterns = [
    path(
        "clusters/<int:cluster_pk>/fence-devices/",
        ops_views.DevicesView.as_view(),
        name="cluster-fence-devices",
    ),
    path(
        "clusters/<int:cluster_pk>/fence-devices/<str:dev>/",
        ops_views.DeviceView.as_view(),
        name="cluster-fence-device",
    ),
    path(
        "clusters/<int:cluster_pk>/fence-devices/<str:dev>/<str:verb>/",
        ops_views.DeviceActionView.as_view(),
        name="cluster-fence-device-action",
    ),
    path(
        "clusters/<int:cluster_pk>/fencing-levels/",
        ops_views.LevelsView.as_view(),
        name="fencing-levels",
    ),
    path(
        "clusters/<int:cluster_pk>/fencing/",
        ops_views.CoverageView.as_view(),
        name="fencing-coverage",
    ),
]
