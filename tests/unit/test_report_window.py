"""The time window of a cluster report: ISO in, crm_report's UTC times out, bounded."""

from __future__ import annotations

import pytest

from clusters.reads import report_window


def test_window_in_utc() -> None:
    got = report_window({"from": "2026-11-25T10:00:00+02:00", "to": "2026-11-25T11:30:00Z"})
    assert got == ("2026-11-25 08:00:00", "2026-11-25 11:30:00")
    assert report_window({"from": "2026-11-25T10:00:00", "to": "2026-11-26T10:00:00"}) == (
        "2026-11-25 10:00:00",
        "2026-11-26 10:00:00",
    )


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "yesterday"},
        {"from": "2026-11-25T10:00:00Z", "to": "2026-11-25T09:00:00Z"},
        {"from": "2026-11-01T10:00:00Z", "to": "2026-11-25T09:00:00Z"},
        {"from": "2026-11-25T10:00:00Z; id", "to": "2026-11-25T11:00:00Z"},
    ],
)
def test_bad_windows(query: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|before"):
        report_window(query)
