"""The split-brain recovery's commands (resources/drbd_actions.py): built from the state
read just before, so that no step is sent that DRBD would refuse in that state."""

from __future__ import annotations

from typing import Any

import pytest

from hacore.commands.virt import drbd_name, drbdadm
from hacore.errors import InvalidInput
from resources.drbd_actions import _sides, _steps


def peer(name: str, state: str) -> dict[str, Any]:
    return {"peer": name, "connection_state": state, "split_brain": state == "StandAlone"}


def node(role: str, *peers: dict[str, Any]) -> dict[str, Any]:
    return {"role": role, "volumes": [{"split_brain": any(p["split_brain"] for p in peers),
                                       "peers": list(peers)}]}  # fmt: skip


def entry(**nodes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "datos", "nodes": nodes, "split_brain": True}


SPLIT = entry(
    node1=node("Primary", peer("node2", "StandAlone"), peer("node3", "Connecting")),
    node2=node("Primary", peer("node1", "StandAlone"), peer("node3", "Connecting")),
)


def test_both_primary_and_standalone_the_book_case() -> None:
    assert _sides(SPLIT) == ["node1", "node2"]
    assert _steps(SPLIT, "datos", "node2", ["node1"], "drbd_datos-clone") == [
        ("", ("pcs", "resource", "unmanage", "drbd_datos-clone")),
        ("node2", ("drbdadm", "secondary", "datos")),
        ("node2", ("drbdadm", "connect", "--discard-my-data", "datos")),
        ("node1", ("drbdadm", "connect", "datos")),
        ("", ("pcs", "resource", "refresh", "drbd_datos-clone")),
        ("", ("pcs", "resource", "manage", "drbd_datos-clone")),
    ]


def test_a_secondary_victim_still_connecting_is_disconnected_first() -> None:
    case = entry(
        node1=node("Primary", peer("node2", "StandAlone")),
        node2=node("Secondary", peer("node1", "Connecting")),
    )
    assert _steps(case, "datos", "node2", ["node1"], None) == [
        ("node2", ("drbdadm", "disconnect", "datos")),
        ("node2", ("drbdadm", "connect", "--discard-my-data", "datos")),
        ("node1", ("drbdadm", "connect", "datos")),
    ]


def test_a_survivor_already_connecting_is_left_alone() -> None:
    case = entry(
        node1=node("Primary", peer("node2", "Connecting")),
        node2=node("Secondary", peer("node1", "StandAlone")),
    )
    steps = _steps(case, "datos", "node2", ["node1"], None)
    assert [n for n, _ in steps] == ["node2"]


def test_drbdadm_takes_only_its_state_changes_and_names() -> None:
    with pytest.raises(InvalidInput, match="not a drbdadm state change"):
        drbdadm("down", "datos")
    with pytest.raises(InvalidInput, match="with connect only"):
        drbdadm("secondary", "datos", discard_my_data=True)
    for bad in ("-x", "da tos", "", "a;b", "x" * 70):
        with pytest.raises(InvalidInput, match="not a DRBD resource name"):
            drbd_name(bad)
    assert drbd_name("r0.v-1") == "r0.v-1"
