"""Values crm_mon prints: times, durations, integers, roles.

Fixtures: tests/fixtures/crm_mon (see tests/crmmon.py)."""

from __future__ import annotations

import datetime

import pytest

from hacore.pacemaker.model import Role
from hacore.pacemaker.status import parse_time
from hacore.pacemaker.status_resources import INFINITY, parse_int, parse_ms, parse_role
from tests.crmmon import UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed Nov 25 14:58:11 2026", datetime.datetime(2026, 11, 25, 14, 58, 11, tzinfo=UTC)),
        ("Mon Apr  3 22:22:27 2023", datetime.datetime(2023, 4, 3, 22, 22, 27, tzinfo=UTC)),
        ("2026-11-25 15:10:51Z", datetime.datetime(2026, 11, 25, 15, 10, 51, tzinfo=UTC)),
        ("2025-01-08 08:59:30 +09:00", datetime.datetime(2025, 1, 7, 23, 59, 30, tzinfo=UTC)),
        ("2025-01-08 08:59:30 -0130", datetime.datetime(2025, 1, 8, 10, 29, 30, tzinfo=UTC)),
        (
            "2026-10-05 12:02:42.088147Z",
            datetime.datetime(2026, 10, 5, 12, 2, 42, 88147, tzinfo=UTC),
        ),
        ("1764082691", datetime.datetime(2025, 11, 25, 14, 58, 11, tzinfo=UTC)),
    ],
)
def test_times_are_utc_aware(text: str, expected: datetime.datetime) -> None:
    warnings: list[str] = []
    parsed = parse_time(text, "t", warnings)
    assert parsed == expected
    assert parsed is not None
    assert parsed.utcoffset() == datetime.timedelta(0)
    assert warnings == []


@pytest.mark.parametrize(
    "text", ["yesterday", "Wed Foo 25 14:58:11 2026", "Wed Feb 30 1:00:00 2026"]
)
def test_unparseable_time_is_none_and_a_warning(text: str) -> None:
    warnings: list[str] = []
    assert parse_time(text, "last_change", warnings) is None
    assert warnings == [f"last_change: unparseable time {text!r}"]


def test_absent_or_empty_time_is_none_silently() -> None:
    warnings: list[str] = []
    assert parse_time(None, "t", warnings) is None
    assert parse_time("  ", "t", warnings) is None
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10000ms", 10000),
        ("0ms", 0),
        ("250", 250),
        ("10s", 10000),
        ("1m30s", 90000),
        ("2h", 7_200_000),
        ("1min 5s", 65000),
    ],
)
def test_durations(text: str, expected: int) -> None:
    warnings: list[str] = []
    assert parse_ms(text, "d", warnings) == expected
    assert warnings == []


@pytest.mark.parametrize("text", ["", "soon", "10 parsecs", "-5ms"])
def test_bad_durations_warn(text: str) -> None:
    warnings: list[str] = []
    assert parse_ms(text, "exec-time", warnings) is None
    assert warnings == [f"exec-time={text!r} is not a duration"]


def test_integers_and_infinity() -> None:
    warnings: list[str] = []
    assert parse_int("-1", "call", warnings) == -1
    assert parse_int("INFINITY", "fail-count", warnings) == INFINITY
    assert parse_int("+INFINITY", "fail-count", warnings) == INFINITY
    assert parse_int("-INFINITY", "score", warnings) == -INFINITY
    assert parse_int(None, "call", warnings) is None
    assert warnings == []
    assert parse_int("1.5", "rc", warnings) is None
    assert warnings == ["rc='1.5' is not a number"]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Started", Role.STARTED),
        ("started", Role.STARTED),
        ("Master", Role.PROMOTED),
        ("Slave", Role.UNPROMOTED),
        ("Promoted", Role.PROMOTED),
        ("Unpromoted", Role.UNPROMOTED),
        ("Stopped", Role.STOPPED),
        ("Starting", Role.STARTING),
        ("Stopping", Role.STOPPING),
        ("Migrating", Role.MIGRATING),
        ("Unknown", Role.UNKNOWN),
    ],
)
def test_roles(text: str, role: Role) -> None:
    warnings: list[str] = []
    assert parse_role(text, "r", warnings) is role
    assert warnings == []
