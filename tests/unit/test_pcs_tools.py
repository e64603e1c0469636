"""pcs --version --full, and which changes a cluster's pcs can make."""

from __future__ import annotations

import pytest

from hacore.pacemaker.pcs import parse_version_full
from hacore.pacemaker.xmlsafe import ParseError
from nodes.changes import NODE_ACTIONS, node_standby
from operations import capabilities
from resources import constraint_changes
from resources.changes import RESOURCE_ACTIONS

FULL = "0.11.5\nbooth cluster.create node.standby pcmk.constraint.order.simple\n"


def test_version_and_capabilities_are_read() -> None:
    tools = parse_version_full(FULL)
    assert tools.version == "0.11.5"
    assert "node.standby" in tools.capabilities
    assert len(tools.capabilities) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"not pcs --version --full output"),
        ("Usage: pcs\n", r"not pcs"),
        ("0.11.5\nNot Caps!\n", r"not a pcs capability id: 'Not'"),
    ],
)
def test_anything_else_is_refused(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_version_full(text)


def test_a_change_needs_its_capabilities_and_unknown_ones_block_nothing() -> None:
    have = parse_version_full(FULL).capabilities
    assert capabilities.missing(node_standby("node2"), have) == []
    assert capabilities.missing(node_standby("node2"), frozenset()) == ["node.standby"]
    assert capabilities.missing(node_standby("node2"), None) == [], "unknown: never refused"
    simple = constraint_changes.order({"first": "a", "then": "b"})
    sets = constraint_changes.order({"sets": [{"resources": ["a", "b"]}, {"resources": ["c"]}]})
    assert capabilities.missing(simple, have) == []
    assert capabilities.missing(sets, have) == ["pcmk.constraint.order.set"]


def test_every_change_kind_the_api_offers_has_its_capabilities_named() -> None:
    confirms = {"confirm-fenced": "node2 is off"}
    kinds = {
        build("node2", {"confirm": confirms.get(verb, "node2")}).kind
        for verb, build in NODE_ACTIONS.items()
    }
    resource_body = {"node": "node2", "params": {"a": "1"}}
    kinds |= {build("r1", resource_body).kind for build in RESOURCE_ACTIONS.values()}
    assert len(kinds) > 25
    assert sorted(kinds - capabilities.NEEDS.keys()) == []
