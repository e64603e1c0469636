"""The time window of a cluster report: ISO in, crm_report's UTC times out, bounded."""

from __future__ import annotations

import re

import pytest

from clusters.reads import report_window


def test_window_in_utc() -> None:
    got = report_window({"from": "2026-11-25T10:00:00+02:00", "to": "2026-11-25T11:30:00Z"})
    assert got == ("2026-11-25 08:00:00", "2026-11-25 11:30:00")
    assert report_window({"from": "2026-11-25T10:00:00", "to": "2026-11-26T10:00:00"}) == (
        "2026-11-25 10:00:00",
        "2026-11-26 10:00:00",
    )


NOT_ISO = re.escape("from (and to, if given) must be ISO 8601 times")
NOT_BEFORE = r"^from must be before to, at most 7 days apart$"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, NOT_ISO),
        ({"from": "yesterday"}, NOT_ISO),
        ({"from": "2026-11-25T10:00:00Z", "to": "2026-11-25T09:00:00Z"}, NOT_BEFORE),
        ({"from": "2026-11-01T10:00:00Z", "to": "2026-11-25T09:00:00Z"}, NOT_BEFORE),
        ({"from": "2026-11-25T10:00:00Z; id", "to": "2026-11-25T11:00:00Z"}, NOT_ISO),
    ],
)
def test_bad_windows(query: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        report_window(query)


def test_a_window_of_exactly_7_days_is_accepted() -> None:
    got = report_window({"from": "2026-11-18T09:00:00Z", "to": "2026-11-25T09:00:00Z"})
    assert got == ("2026-11-18 09:00:00", "2026-11-25 09:00:00")
