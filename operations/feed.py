"""The push feed's addresses and the one way to publish on it (Channels groups).

- `cluster_group(id)`: one cluster's page (full status messages, operation updates);
- `OVERVIEW_GROUP`: every cluster's tile (overview and walls);
- `user_group`, `session_group`, `token_group`: every socket of a user, of a browser
  session, of a (kiosk) token, told `access.close` when its rights end (logout,
  deactivation, a role change, a revoked token: clusters/signals.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

Json = dict[str, Any]
OVERVIEW_GROUP = "clusters"


CLOSE: Json = {"type": "access.close"}
SEND_TIMEOUT = 10.0  # seconds a send from a thread of its own is waited for


def cluster_group(cluster_id: int) -> str:
    """The Channels group of one cluster's page."""
    return f"cluster_{cluster_id}"


def user_group(user_id: int) -> str:
    """Every WebSocket of one user."""
    return f"user_{user_id}"


def session_group(session_key: str) -> str:
    """Every WebSocket of one browser session (named by a hash: no session key in Redis)."""
    return "session_" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def token_group(token_id: int) -> str:
    """Every WebSocket opened with one token (a wall's kiosk token)."""
    return f"token_{token_id}"


async def asend(messages: list[tuple[str, Json]]) -> None:
    """Send each (group, message) on the channel layer (nothing without a layer)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, message in messages:
        await layer.group_send(group, message)


def send(messages: list[tuple[str, Json]]) -> None:
    """asend() for synchronous callers (views, tasks, signal receivers). A caller whose
    thread runs an event loop (sync code called from async code) sends from a thread of
    its own: async_to_sync cannot run there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(asend)(messages)
        return
    sender = threading.Thread(target=async_to_sync(asend), args=(messages,))
    sender.start()
    sender.join(SEND_TIMEOUT)
