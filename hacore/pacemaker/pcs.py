"""What pcs says about itself: `pcs --version --full` (its version, then its capability
ids on one line, as pcs/common/capabilities.py lists them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hacore.pacemaker.xmlsafe import ParseError

_VERSION = re.compile(r"\d+\.\d+(\.\d+)?[\w.+~-]*")
_CAPABILITY = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class PcsTools:
    """A node's pcs: its version and its capabilities."""

    version: str
    capabilities: frozenset[str]


def parse_version_full(text: str) -> PcsTools:
    """`pcs --version --full` -> PcsTools; ParseError if it is not that."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or not _VERSION.fullmatch(lines[0]):
        raise ParseError(f"not pcs --version --full output: {text[:80]!r}")
    words = " ".join(lines[1:]).split()
    odd = [w for w in words if not _CAPABILITY.fullmatch(w)]
    if odd:
        raise ParseError(f"not a pcs capability id: {odd[0][:60]!r}")
    return PcsTools(lines[0], frozenset(words))
