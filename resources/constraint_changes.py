"""What constraint actions do, as Changes: location (prefers/avoids, rules), order,
colocation (with resource sets), and deleting one. Every piece of input is checked here."""

from __future__ import annotations

import re
from typing import Any

from hacore.commands import pcs
from hacore.errors import InvalidInput
from hacore.pacemaker.ids import check_id, check_pairs, check_value
from operations.change import ADMINISTER, Change

_SCORE = re.compile(r"[+-]?(INFINITY|\d{1,9})")
_ORDER_KINDS = ("Mandatory", "Optional", "Serialize")
_ACTIONS = ("start", "stop", "promote", "demote")
_ROLES = ("Started", "Stopped", "Promoted", "Unpromoted")
Body = dict[str, Any]


def check_score(value: object) -> str:
    """A Pacemaker score: an integer or [+-]INFINITY."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _SCORE.fullmatch(text):
        raise InvalidInput("score must be an integer or INFINITY / -INFINITY")
    return text


def _choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise InvalidInput(f"{what} must be one of {', '.join(allowed)}")
    return str(value)


def location(body: Body) -> Change:
    """Prefer (score >= 0) or avoid (score < 0) a node; or a rule (see location_rule)."""
    if "rule" in body:
        return location_rule(body)
    rid, node = check_id(body.get("resource"), "resource"), check_id(body.get("node"), "node")
    score = check_score(body.get("score", "INFINITY"))
    verb = "avoids" if score.startswith("-") else "prefers"
    magnitude = score.lstrip("+-")
    argv = pcs.location(rid, verb, node, magnitude)
    return Change(
        "constraint.location", rid, f"{rid} {verb} {node} ({magnitude})", ADMINISTER, (argv,)
    )


def location_rule(body: Body) -> Change:
    """A location rule: "rule" is the expression as a list of words, e.g.
    ["#uname", "eq", "node1"] or ["date", "gt", "2030-01-01"]; pcs parses them, each one
    argv element."""
    rid = check_id(body.get("resource"), "resource")
    score = check_score(body.get("score", "INFINITY"))
    words = body.get("rule")
    if not isinstance(words, list) or not words or len(words) > 64:
        raise InvalidInput('rule must be a list of 1 to 64 words, e.g. ["#uname", "eq", "node1"]')
    expression = [check_value(w, "rule word") for w in words]
    if any(not w or w.startswith("-") for w in expression):
        raise InvalidInput("rule words must be non-empty and must not start with '-'")
    argv = pcs.location_rule(rid, score, expression)
    summary = f"{rid} location rule ({score}): {' '.join(expression)}"
    return Change("constraint.location", rid, summary[:500], ADMINISTER, (argv,))


def order(body: Body) -> Change:
    """first then then (or sets); kind Mandatory/Optional/Serialize, symmetrical."""
    options = []
    if "kind" in body:
        options.append(f"kind={_choice(body['kind'], _ORDER_KINDS, 'kind')}")
    if "symmetrical" in body:
        if not isinstance(body["symmetrical"], bool):
            raise InvalidInput("symmetrical must be true or false")
        options.append(f"symmetrical={'true' if body['symmetrical'] else 'false'}")
    if "sets" in body:
        return _with_sets("order", body, options)
    first, then = check_id(body.get("first"), "first"), check_id(body.get("then"), "then")
    first_action = _choice(body.get("first_action", "start"), _ACTIONS, "first_action")
    then_action = _choice(body.get("then_action", "start"), _ACTIONS, "then_action")
    argv = pcs.order(first_action, first, then_action, then, options)
    return Change("constraint.order", first, f"order {first} then {then}", ADMINISTER, (argv,))


def colocation(body: Body) -> Change:
    """Keep resource with (score > 0) or away from (score < 0) another; roles optional."""
    score = check_score(body.get("score", "INFINITY"))
    if "sets" in body:
        return _with_sets("colocation", body, [f"score={score}"])
    rid, other = check_id(body.get("resource"), "resource"), check_id(body.get("with"), "with")
    role = _choice(body["role"], _ROLES, "role") if body.get("role") else None
    other_role = _choice(body["with_role"], _ROLES, "with_role") if body.get("with_role") else None
    argv = pcs.colocation(role, rid, other_role, other, score)
    return Change(
        "constraint.colocation", rid, f"colocate {rid} with {other} ({score})", ADMINISTER, (argv,)
    )


def _with_sets(kind: str, body: Body, options: list[str]) -> Change:
    sets = body["sets"]
    if not isinstance(sets, list) or not sets:
        raise InvalidInput("sets must be a non-empty list of {resources: [...], options: {...}}")
    named: list[str] = []
    checked: list[tuple[list[str], dict[str, str]]] = []
    for item in sets:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("resources"), list)
            or not item["resources"]
        ):
            raise InvalidInput("each set needs a non-empty resources list")
        ids = [check_id(r, "resource") for r in item["resources"]]
        named += ids
        checked.append((ids, check_pairs(item.get("options"), "set option")))
    argv = pcs.constraint_sets(kind, checked, options)
    return Change(
        f"constraint.{kind}", named[0], f"{kind} set {' '.join(named)}", ADMINISTER, (argv,)
    )


def delete(cid: str) -> Change:
    """Remove a constraint by id."""
    c = check_id(cid, "constraint")
    argv = pcs.constraint_delete(c)
    return Change("constraint.delete", c, f"delete constraint {c}", ADMINISTER, (argv,))


CONSTRAINT_TYPES = {"location": location, "order": order, "colocation": colocation}


def create(body: Body) -> Change:
    """The constraint body["type"] describes."""
    builder = CONSTRAINT_TYPES.get(body.get("type", ""))
    if builder is None:
        raise InvalidInput(f"type must be one of {', '.join(CONSTRAINT_TYPES)}")
    return builder(body)
