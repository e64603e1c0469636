"""Times as crm_mon prints them, read into timezone-aware UTC datetimes."""

from __future__ import annotations

import datetime
import re

__all__ = ["parse_time"]

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_CTIME = re.compile(
    r"(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})"
)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)


def parse_time(value: str | None, what: str, warnings: list[str]) -> datetime.datetime | None:
    """A crm_mon time as a timezone-aware datetime, or None (absent/empty/unparseable).

    crm_mon 2.1.5 prints most times ctime-style ("Wed Nov 25 14:58:11 2026", day padded
    with a space: "Mon Apr  3 ..."), in the local time of the node that ran it, with no
    zone. The lab and most servers run UTC, so those are read as UTC. Times carrying a
    zone ("2026-11-25 15:10:51Z", "2025-01-08 08:59:30 +09:00", fence history's
    "... 12:02:42.088147Z") are honoured and converted to UTC; bare digits are epoch
    seconds. Month names are matched in English whatever the locale. Anything else gives
    None and a warning.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if text.isdigit():
            return datetime.datetime.fromtimestamp(int(text), tz=datetime.UTC)
        if match := _CTIME.fullmatch(text):
            return _from_ctime(match)
        if match := _ISO.fullmatch(text):
            return _from_iso(match)
    except (ValueError, OverflowError, OSError):
        pass
    warnings.append(f"{what}: unparseable time {value!r}")
    return None


def _from_ctime(match: re.Match[str]) -> datetime.datetime:
    month, day, hour, minute, second, year = match.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        raise ValueError(month)
    return datetime.datetime(
        int(year), number, int(day), int(hour), int(minute), int(second), tzinfo=datetime.UTC
    )


def _from_iso(match: re.Match[str]) -> datetime.datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = datetime.UTC
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "").ljust(4, "0")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = datetime.timezone(-offset if zone[0] == "-" else offset)
    local = datetime.datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
    )
    return local.astimezone(datetime.UTC)
