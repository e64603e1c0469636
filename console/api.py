"""The REST API under /api/v1/: one router for the list endpoints, then each app's own
paths (the node router's trust-host-key before the node actions that share its prefix)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from clusters.api import urls as cluster_urls
from clusters.api.tokens import TokenViewSet
from clusters.api.views import ClusterViewSet, EventViewSet
from fencing.api import urls as fencing_urls
from fencing.api.views import FenceDeviceViewSet
from nodes.api import urls as node_urls
from operations.api import urls as operation_urls
from operations.api.views import OperationViewSet
from resources.api import urls as resource_urls
from resources.api.views import ResourceViewSet

router = DefaultRouter()
router.register("clusters", ClusterViewSet, basename="cluster")
router.register("events", EventViewSet, basename="event")
router.register("resources", ResourceViewSet, basename="resource")
router.register("fence-devices", FenceDeviceViewSet, basename="fence-device")
router.register("operations", OperationViewSet, basename="operation")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("", include(router.urls)),
    *cluster_urls.urlpatterns,
    *node_urls.urlpatterns,
    *resource_urls.urlpatterns,
    *fencing_urls.urlpatterns,
    *operation_urls.urlpatterns,
]
