"""WebSocket consumers: no logic, only who may listen to what.

- `ws/clusters/<id>/`: one cluster's full status messages (viewers of that cluster).
- `ws/clusters/`: the tile of every cluster the user has a role on, for the overview.
- `ws/wall/?token=KEY`: tiles of the clusters a kiosk token names (or the user's).
Each connection first gets the current state, then every change; messages carry the
cluster's `seq`, so a client that sees a gap refetches `GET /api/v1/clusters/<id>/status/`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from clusters import access
from clusters.contact import contacts
from clusters.mirror import cluster_message, tile_message
from clusters.models import Cluster, KioskToken
from operations.access import MATRIX, Level
from operations.feed import (
    OVERVIEW_GROUP,
    cluster_group,
    session_group,
    token_group,
    user_group,
)

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
def _level(user: Any, cluster_id: int) -> Level:
    return access.level(user, cluster_id)


@db
def _visible(user: Any) -> set[int] | None:
    shown = access.visible(user)
    return None if shown is None else set(shown)


@db
def _kiosk(key: str) -> tuple[int, set[int]] | None:
    token = KioskToken.active_key(key)
    if token is None:
        return None
    return token.pk, set(token.cluster_ids() or ())


class AccessConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """A consumer that joins the groups its rights come from (the user, the browser
    session, the kiosk token) and closes when told their rights ended (access.close:
    clusters/signals.py): the client reconnects and is checked again."""

    groups_joined: list[str]

    async def join(self, *groups: str) -> None:
        """Join groups (left again on disconnect)."""
        self.groups_joined = [*getattr(self, "groups_joined", []), *groups]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def join_access(self, token_id: int | None = None) -> None:
        """The groups of the connection's rights: its token's, or its user's and session's."""
        if token_id is not None:
            await self.join(token_group(token_id))
            return
        await self.join(user_group(self.scope["user"].pk))
        session = self.scope.get("session")
        if session is not None and session.session_key:
            await self.join(session_group(session.session_key))

    async def disconnect(self, code: int) -> None:
        """Leave every group joined."""
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def refuse(self, code: int) -> None:
        """Refuse the connection with a close code the browser sees: accepted, then closed
        at once. A handshake refused before accepting reaches a browser as 1006 only, the
        same as a console that is down, and the page would keep retrying and keep showing
        what it may no longer see."""
        await self.accept()
        await self.close(code=code)

    async def access_close(self, event: Json) -> None:
        """The rights this socket was opened with ended or changed: close (4401)."""
        await self.close(code=4401)


class ClusterConsumer(AccessConsumer):
    """One cluster's status, for its page."""

    async def connect(self) -> None:
        """Viewers of the cluster only (operations.access.MATRIX), for one that exists."""
        user = self.scope.get("user")
        cluster_id = int(self.scope["url_route"]["kwargs"]["cluster_id"])
        if user is None or not user.is_authenticated:
            await self.refuse(4401)
            return
        if await _level(user, cluster_id) < MATRIX["WS /ws/clusters/{id}/"]:
            await self.refuse(4403)
            return
        current = await _messages({cluster_id}, full=True)
        if not current:
            await self.refuse(4404)
            return
        await self.join_access()
        await self.join(cluster_group(cluster_id))
        await self.accept()
        await self.send_json(current[0])

    async def cluster_status(self, event: Json) -> None:
        """A new status of this cluster."""
        await self.send_json(event)

    async def cluster_contact(self, event: Json) -> None:
        """The watcher still has live contact with this cluster (a heartbeat)."""
        await self.send_json(event)

    async def operation_update(self, event: Json) -> None:
        """An operation on this cluster moved on (a command ended, it finished)."""
        await self.send_json(event)

    async def drbd_update(self, event: Json) -> None:
        """DRBD's state on one node, read after its events (the DRBD card)."""
        await self.send_json(event)

    async def drain_update(self, event: Json) -> None:
        """A node's drain moved on (a step began or ended, it paused or finished)."""
        await self.send_json(event)


class OverviewConsumer(AccessConsumer):
    """Every cluster's tile; with ?token= a kiosk token limits it to its clusters."""

    allowed: set[int] | None = None

    async def connect(self) -> None:
        """A logged-in user sees the clusters they have a role on; a kiosk token only
        the ones it names."""
        user = self.scope.get("user")
        key = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [""])[0]
        if key:
            kiosk = await _kiosk(key)
            if kiosk is None:
                await self.refuse(4403)
                return
            await self.join_access(token_id=kiosk[0])
            self.allowed = kiosk[1]
        elif user is None or not user.is_authenticated:
            await self.refuse(4401)
            return
        else:
            self.allowed = await _visible(user)
            await self.join_access()
        await self.join(OVERVIEW_GROUP)
        await self.accept()
        for message in await _messages(self.allowed, full=False):
            await self.send_json(message)

    async def cluster_tile(self, event: Json) -> None:
        """A cluster's new tile, if this connection may see that cluster."""
        if self.allowed is None or event["cluster"]["id"] in self.allowed:
            await self.send_json(event)

    async def cluster_contact(self, event: Json) -> None:
        """A cluster's heartbeat, if this connection may see that cluster."""
        await self.cluster_tile(event)
