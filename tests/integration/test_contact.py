"""The contact record of each cluster in Redis (clusters/contact.py)."""

from __future__ import annotations

import time

import redis.asyncio as aioredis
from django.conf import settings

from clusters.contact import _client, contacts, note


async def test_contacts_are_read_in_one_round_over_one_kept_connection() -> None:
    client = aioredis.Redis.from_url(settings.REDIS_URL)
    try:
        noted = await note(client, 4101, "node2")
    finally:
        await client.aclose()
    seen = contacts([4101, 4102])
    assert seen[4101].node == "node2"
    assert abs((seen[4101].at or 0.0) - (noted.at or 0.0)) < 1e-3
    assert seen[4102].at is None
    assert not seen[4101].stale(time.time())
    assert _client() is _client()
    pool = _client().connection_pool
    contacts([4101])
    assert len(pool._available_connections) == 1  # kept for the next lookup, not one each
