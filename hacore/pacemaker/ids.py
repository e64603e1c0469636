"""Pacemaker's naming rules, checked before anything reaches a node.

IDs (resources, constraints, operations, node names as pcs takes them) are XML IDs:
a letter or underscore, then letters, digits, '.', '_' or '-'. Attribute names (agent
parameters, meta attributes, properties) follow the same rule with ':' allowed. Values
may be any text without NUL: each one is a single argv element, never parsed by a shell.
"""

from __future__ import annotations

import re

from hacore.errors import InvalidInput
from hacore.secrets import MASK, is_secret_name

MAX_ID = 255
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_OCF_AGENT = re.compile(r"ocf:([A-Za-z0-9_][A-Za-z0-9_.-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)")
_OTHER_AGENT = re.compile(r"(lsb|service|systemd):([A-Za-z0-9_][A-Za-z0-9_.@-]*)")
_FENCE_AGENT = re.compile(r"(stonith:)?(fence_[A-Za-z0-9_]+)")
PCS_KEYWORDS = frozenset({"meta", "op", "clone", "promotable", "bundle", "group"})


def check_id(value: object, what: str = "id") -> str:
    """A Pacemaker XML ID, or InvalidInput."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{what} must be a non-empty string")
    if len(value) > MAX_ID or not _ID.fullmatch(value):
        raise InvalidInput(
            f"{what} {value[:60]!r} is not a valid Pacemaker id: start with a letter or '_',"
            " then letters, digits, '.', '_' or '-'"
        )
    return value


def check_name(value: object, what: str = "name") -> str:
    """An attribute name (parameter, meta attribute, property), or InvalidInput."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{what} must be a non-empty string")
    if len(value) > MAX_ID or not _NAME.fullmatch(value) or value in PCS_KEYWORDS:
        raise InvalidInput(f"{what} {value[:60]!r} is not a valid attribute name")
    return value


def check_value(value: object, what: str = "value") -> str:
    """An attribute value: text of at most 4096 characters without NUL."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"{what} must be a string or a number")
    text = str(value)
    if "\x00" in text or len(text) > 4096:
        raise InvalidInput(f"{what} must be at most 4096 characters without NUL")
    return text


def check_agent(value: object) -> str:
    """A resource agent (ocf:provider:type, lsb:, service:, systemd:); stonith is refused."""
    if not isinstance(value, str) or not value:
        raise InvalidInput("agent must be a non-empty string")
    if value.startswith("stonith:"):
        raise InvalidInput("fence devices are created as fence devices, not as resources")
    if _OCF_AGENT.fullmatch(value) or _OTHER_AGENT.fullmatch(value):
        return value
    raise InvalidInput(f"agent {value[:80]!r} is not standard:provider:type (ocf) or standard:type")


def check_pairs(value: object, what: str) -> dict[str, str]:
    """A {name: value} mapping of attributes, names and values checked."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be an object of name: value")
    pairs = {check_name(k, f"{what} name"): check_value(v, f"{what} {k}") for k, v in value.items()}
    for name, given in pairs.items():
        if given == MASK and is_secret_name(name):
            raise InvalidInput(
                f"{what} {name}: {MASK} is how the console shows a secret; send the new "
                "value, or leave the name out to keep the current one"
            )
    return pairs


def check_secret_names(value: object) -> tuple[str, ...]:
    """The names a request marks as secret (the agent's private parameters)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput("secret_params must be a list of parameter names")
    return tuple(check_name(v, "secret_params name") for v in value)


def check_fence_agent(value: object) -> str:
    """fence_ipmilan or stonith:fence_ipmilan -> fence_ipmilan (pcs takes the bare name)."""
    match = _FENCE_AGENT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidInput("agent must be a fence agent such as fence_ipmilan")
    return match.group(2)
