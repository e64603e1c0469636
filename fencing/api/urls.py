"""URLs of the fencing operations API (under /api/v1/clusters/<id>/)."""

from django.urls import path

from fencing.api import actions

urlpatterns = [
    path(
        "clusters/<int:cluster_pk>/fence-devices/",
        actions.DevicesView.as_view(),
        name="cluster-fence-devices",
    ),
    path(
        "clusters/<int:cluster_pk>/fence-devices/<str:dev>/",
        actions.DeviceView.as_view(),
        name="cluster-fence-device",
    ),
    path(
        "clusters/<int:cluster_pk>/fence-devices/<str:dev>/<str:verb>/",
        actions.DeviceActionView.as_view(),
        name="cluster-fence-device-action",
    ),
    path(
        "clusters/<int:cluster_pk>/fencing-levels/",
        actions.LevelsView.as_view(),
        name="fencing-levels",
    ),
    path(
        "clusters/<int:cluster_pk>/fencing/",
        actions.CoverageView.as_view(),
        name="fencing-coverage",
    ),
]
