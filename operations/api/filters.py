"""Filters shared by the list endpoints: times are compared in UTC.

A time with any offset Python accepts (up to ±23:59) reached PostgreSQL as it came, and
PostgreSQL refuses offsets past ±15:59 ("time zone displacement out of range": a 500,
found by the schemathesis run); converted to UTC first, every valid time works.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django_filters import rest_framework as filters


class UtcDateTimeFilter(filters.IsoDateTimeFilter):  # type: ignore[misc]
    """An ISO 8601 time filter that queries with the time in UTC."""

    def filter(self, qs: Any, value: Any) -> Any:
        """Filter on value converted to UTC (an aware time; None: no filter)."""
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


class UtcFilterSet(filters.FilterSet):  # type: ignore[misc]
    """A FilterSet whose time fields use UtcDateTimeFilter."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": UtcDateTimeFilter},
    }
