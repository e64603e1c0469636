"""Validation of what operators type: addresses, user names."""

from __future__ import annotations

import ipaddress
import re

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")
_USERNAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}$")


def check_address(value: str) -> str:
    """An IPv4/IPv6 address or a DNS host name; anything else is refused."""
    text = value
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if not _HOSTNAME.match(text):
        raise ValueError(f"{text[:80]!r} is neither an IP address nor a host name")
    return text


def check_username(value: str) -> str:
    """A POSIX login name (what sshd accepts for a Linux account)."""
    if not _USERNAME.match(value):
        raise ValueError(f"{value[:40]!r} is not a valid login name")
    return value
