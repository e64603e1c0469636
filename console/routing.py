"""WebSocket routes (ws/...); every consumer checks the user on connect."""

from django.urls import URLPattern, URLResolver

websocket_urlpatterns: list[URLPattern | URLResolver] = []
