"""API tokens for tests: the key of a new personal token (read-write, every cluster)."""

from __future__ import annotations

from typing import Any

from clusters.tokens import ApiToken


def token_for(user: Any, **scope: Any) -> str:
    """A new personal token of user (scope: read_only, all_clusters...); its key."""
    token = ApiToken(user=user, name="test", **scope)
    token.save()
    return token.key
