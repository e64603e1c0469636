"""Which of crm_simulate's actions concern the resource a move names: a clone's actions
name its primitive's instances ("op-stateful:1"), a group's its members."""

from __future__ import annotations

from hacore.pacemaker.cib import parse_cib
from hacore.pacemaker.simulate import PlannedAction
from operations.holds import concerns
from tests.scripted import fixture


def test_a_clone_and_a_group_cover_what_is_inside_them() -> None:
    cib = parse_cib(fixture("cib/cloned.xml"))
    assert cib.members("ping_like-clone") == {"ping_like-clone", "ping_like"}
    assert {"cgrp-clone", "cg_a", "cg_b"} <= cib.members("cgrp-clone")
    assert cib.members("dummy1") == {"dummy1"}
    assert cib.members("nothing-such") == {"nothing-such"}


def test_actions_on_an_instance_concern_the_clone_not_another_resource() -> None:
    members = frozenset({"op-stateful-clone", "op-stateful"})
    promote = PlannedAction("promote", "op-stateful:1", node="node2")
    assert concerns(promote, members)
    assert not concerns(PlannedAction("start", "op-stateful2", node="node2"), members)
    assert not concerns(PlannedAction("move", "dummy1", source="a", dest="b"), members)
