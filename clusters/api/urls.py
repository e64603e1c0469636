"""URLs of the clusters API (under /api/v1/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from clusters.api import views
from clusters.operations import urls as operation_urls
from clusters.operations.api import OperationViewSet
from fencing.api import urls as fencing_urls
from fencing.api.views import FenceDeviceViewSet
from resources.api.views import ResourceViewSet

router = DefaultRouter()
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("events", views.EventViewSet, basename="event")
router.register("resources", ResourceViewSet, basename="resource")
router.register("fence-devices", FenceDeviceViewSet, basename="fence-device")
router.register("operations", OperationViewSet, basename="operation")

node_router = SimpleRouter()
node_router.register("nodes", views.NodeViewSet, basename="cluster-node")

urlpatterns = [
    path("", include(router.urls)),
    path("clusters/<int:cluster_pk>/", include(node_router.urls)),
    *operation_urls.urlpatterns,
    *fencing_urls.urlpatterns,
    path("whoami/", views.WhoAmI.as_view(), name="whoami"),
]
