"""WebSocket consumers: no logic, only who may listen to what.

- `ws/clusters/<id>/`: one cluster's full status messages (logged-in users).
- `ws/clusters/`: every cluster's tile (logged-in users), for the overview.
- `ws/wall/?token=KEY`: tiles of the clusters a kiosk token names (or all, for a user).
Each connection first gets the current state, then every change; messages carry the
cluster's `seq`, so a client that sees a gap refetches `GET /api/v1/clusters/<id>/status/`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from clusters.contact import contacts
from clusters.mirror import cluster_message, tile_message
from clusters.models import Cluster, KioskToken
from operations.feed import OVERVIEW_GROUP, cluster_group

Json = dict[str, Any]
P = ParamSpec("P")
R = TypeVar("R")


def db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Channels' database_sync_to_async (closes stale connections), with its types."""
    return cast(Callable[P, Awaitable[R]], database_sync_to_async(func))


@db
def _messages(cluster_ids: set[int] | None, full: bool) -> list[Json]:
    clusters = Cluster.objects.prefetch_related("nodes")
    if cluster_ids is not None:
        clusters = clusters.filter(pk__in=cluster_ids)
    shown = list(clusters)
    last = contacts([c.pk for c in shown])
    messages = [cluster_message(c, last[c.pk]) for c in shown]
    return messages if full else [tile_message(m) for m in messages]


@db
def _kiosk_clusters(key: str) -> set[int] | None:
    token = KioskToken.active(key)
    if token is None:
        return None
    return set(token.clusters.values_list("pk", flat=True))


class ClusterConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """One cluster's status, for its page."""

    async def connect(self) -> None:
        """Logged-in users only, and only for a cluster that exists."""
        user = self.scope.get("user")
        cluster_id = int(self.scope["url_route"]["kwargs"]["cluster_id"])
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        current = await _messages({cluster_id}, full=True)
        if not current:
            await self.close(code=4404)
            return
        await self.channel_layer.group_add(cluster_group(cluster_id), self.channel_name)
        await self.accept()
        await self.send_json(current[0])

    async def disconnect(self, code: int) -> None:
        """Leave the group."""
        kwargs = self.scope.get("url_route", {}).get("kwargs", {})
        if "cluster_id" in kwargs:
            group = cluster_group(int(kwargs["cluster_id"]))
            await self.channel_layer.group_discard(group, self.channel_name)

    async def cluster_status(self, event: Json) -> None:
        """A new status of this cluster."""
        await self.send_json(event)

    async def cluster_contact(self, event: Json) -> None:
        """The watcher still has live contact with this cluster (a heartbeat)."""
        await self.send_json(event)

    async def operation_update(self, event: Json) -> None:
        """An operation on this cluster moved on (a command ended, it finished)."""
        await self.send_json(event)


class OverviewConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Every cluster's tile; with ?token= a kiosk token limits it to its clusters."""

    allowed: set[int] | None = None

    async def connect(self) -> None:
        """A logged-in user sees every cluster; a kiosk token only the ones it names."""
        user = self.scope.get("user")
        key = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [""])[0]
        if key:
            self.allowed = await _kiosk_clusters(key)
            if self.allowed is None:
                await self.close(code=4403)
                return
        elif user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.channel_layer.group_add(OVERVIEW_GROUP, self.channel_name)
        await self.accept()
        for message in await _messages(self.allowed, full=False):
            await self.send_json(message)

    async def disconnect(self, code: int) -> None:
        """Leave the group."""
        await self.channel_layer.group_discard(OVERVIEW_GROUP, self.channel_name)

    async def cluster_tile(self, event: Json) -> None:
        """A cluster's new tile, if this connection may see that cluster."""
        if self.allowed is None or event["cluster"]["id"] in self.allowed:
            await self.send_json(event)

    async def cluster_contact(self, event: Json) -> None:
        """A cluster's heartbeat, if this connection may see that cluster."""
        await self.cluster_tile(event)
