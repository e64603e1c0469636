"""Reading operator-supplied host keys: known_hosts text and fingerprints."""

from __future__ import annotations

import re

from hacore.errors import InvalidInput
from hacore.runner import HostKey

_FINGERPRINT = re.compile(r"^SHA256:[A-Za-z0-9+/]{43}$")


class HostKeyInputError(InvalidInput):
    """Operator-supplied host key data that cannot be used."""

    code = "bad_host_key"


class BadFingerprint(HostKeyInputError):
    """Text that is not an SSH fingerprint."""

    code = "bad_fingerprint"


def check_fingerprint(text: str) -> str:
    """Validate an OpenSSH SHA256 fingerprint ('SHA256:' + 43 base64 characters)."""
    value = text.strip()
    if not _FINGERPRINT.match(value):
        raise BadFingerprint(
            f"{value[:60]!r} is not an SSH fingerprint like 'SHA256:' followed by 43 characters"
        )
    return value


def parse_known_hosts(text: str) -> dict[str, HostKey]:
    """Parse OpenSSH known_hosts lines ('HOST[,HOST...] ALGORITHM BASE64') into host -> key.

    Hashed host names and @cert-authority/@revoked markers are refused: the console pins
    one plain key per address. '[host]:port' patterns are kept as written.
    """
    keys: dict[str, HostKey] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0].startswith("@"):
            raise HostKeyInputError(f"known_hosts line {number}: markers are not supported")
        if len(parts) < 3:
            raise HostKeyInputError(f"known_hosts line {number}: expected HOST ALGORITHM KEY")
        if parts[0].startswith("|"):
            raise HostKeyInputError(f"known_hosts line {number}: hashed host names unsupported")
        try:
            key = HostKey.parse(f"{parts[1]} {parts[2]}")
        except ValueError as exc:
            raise HostKeyInputError(f"known_hosts line {number}: {exc}") from exc
        for host in parts[0].split(","):
            keys[host] = key
    return keys


def trusted_fingerprints(
    fingerprints: dict[str, str] | None, known_hosts: str | None
) -> dict[str, str]:
    """Merge the two ways an operator names trusted keys into address -> fingerprint.

    The same address named twice with different keys is an error, not a choice.
    """
    merged = {addr: check_fingerprint(fp) for addr, fp in (fingerprints or {}).items()}
    for host, key in parse_known_hosts(known_hosts or "").items():
        if merged.setdefault(host, key.fingerprint) != key.fingerprint:
            raise HostKeyInputError(f"{host} is given two different host keys")
    return merged
