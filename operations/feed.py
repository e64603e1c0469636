"""The push feed's addresses and the one way to publish on it (Channels groups).

- `cluster_group(id)`: one cluster's page (full status messages, operation updates);
- `OVERVIEW_GROUP`: every cluster's tile (overview and walls).
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

Json = dict[str, Any]
OVERVIEW_GROUP = "clusters"


def cluster_group(cluster_id: int) -> str:
    """The Channels group of one cluster's page."""
    return f"cluster_{cluster_id}"


async def asend(messages: list[tuple[str, Json]]) -> None:
    """Send each (group, message) on the channel layer (nothing without a layer)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group, message in messages:
        await layer.group_send(group, message)


def send(messages: list[tuple[str, Json]]) -> None:
    """asend() for synchronous callers (views, tasks)."""
    async_to_sync(asend)(messages)
