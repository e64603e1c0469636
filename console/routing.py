"""WebSocket routes (ws/...); every consumer checks who is asking on connect."""

from django.urls import path

from clusters import consumers

websocket_urlpatterns = [
    path("ws/clusters/", consumers.OverviewConsumer.as_asgi()),
    path("ws/clusters/<int:cluster_id>/", consumers.ClusterConsumer.as_asgi()),
    path("ws/wall/", consumers.OverviewConsumer.as_asgi()),
]
