"""Page URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from frontend import ops_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="frontend/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.overview, name="overview"),
    path("wall/", views.wall, name="wall"),
    path("wall/state/", views.wall_state, name="wall-state"),
    path("clusters/add/", views.AddClusterView.as_view(), name="cluster-add"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster-detail"),
    path("clusters/<int:pk>/refresh/", views.cluster_refresh, name="cluster-refresh"),
    path("clusters/<int:pk>/nodes/<str:name>/", views.node_detail, name="node-detail"),
    path(
        "clusters/<int:pk>/create-resource/",
        ops_views.resource_create,
        name="resource-create",
    ),
    path(
        "clusters/<int:pk>/create-fence-device/",
        ops_views.fence_device_create,
        name="fence-device-create",
    ),
    path("audit/", ops_views.audit, name="audit"),
    path("clusters/<int:pk>/resources/<str:rid>/", views.resource_detail, name="resource-detail"),
]
