"""The API's pagination: limit/offset, both capped so that no request can ask the database
for a number it cannot hold (PostgreSQL's LIMIT and OFFSET are bigints)."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1  # beyond any table here: an empty page, not a database error


class Pages(LimitOffsetPagination):
    """LimitOffsetPagination with `limit` at most MAX_LIMIT and `offset` at most
    MAX_OFFSET."""

    max_limit = MAX_LIMIT

    def get_offset(self, request: Request) -> int:
        """The offset asked for, capped."""
        return min(super().get_offset(request), MAX_OFFSET)
