"""Constraint builders and the <constraints> parser."""

from __future__ import annotations

import shlex

import pytest

from hacore.errors import InvalidInput
from hacore.pacemaker.constraints import of_resource, parse_constraints
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import command_line
from resources import constraint_changes as cc
from tests.corpus import INJECTION_CORPUS

CONSTRAINTS = """<constraints>
  <rsc_location id="location-web-node1-100" rsc="web" node="node1" score="100"/>
  <rsc_location id="cli-ban-db-on-node2" rsc="db" role="Started" node="node2" score="-INFINITY"/>
  <rsc_location id="loc-rule" rsc="web"><rule id="r1" score="50"><expression id="e"
    attribute="#uname" operation="eq" value="node3"/></rule></rsc_location>
  <rsc_order id="order-db-web-mandatory" first="db" first-action="start" then="web"
    then-action="start" kind="Mandatory"/>
  <rsc_colocation id="colocation-web-db-INFINITY" rsc="web" with-rsc="db" score="INFINITY"/>
  <rsc_order id="order_set_a" kind="Optional">
    <resource_set id="order_set_a-set" sequential="false"><resource_ref id="a"/>
      <resource_ref id="b"/></resource_set>
    <resource_set id="order_set_a-set-1"><resource_ref id="c"/></resource_set>
  </rsc_order>
</constraints>"""


def test_parse_every_kind() -> None:
    found = parse_constraints(CONSTRAINTS)
    assert [(c.id, c.type, c.resources) for c in found] == [
        ("location-web-node1-100", "location", ("web",)),
        ("cli-ban-db-on-node2", "location", ("db",)),
        ("loc-rule", "location", ("web",)),
        ("order-db-web-mandatory", "order", ("db", "web")),
        ("colocation-web-db-INFINITY", "colocation", ("web", "db")),
        ("order_set_a", "order", ("a", "b", "c")),
    ]
    ban = found[1]
    assert (ban.node, ban.score, ban.options, ban.is_cli) == (
        "node2",
        "-INFINITY",
        {"role": "Started"},
        True,
    )
    assert found[2].has_rules
    assert found[3].options == {
        "first-action": "start",
        "then-action": "start",
        "kind": "Mandatory",
    }
    assert found[5].sets[0].options == {"sequential": "false"}
    assert found[5].sets[1].resources == ("c",)
    assert [c.id for c in of_resource(found, "db")] == [
        "cli-ban-db-on-node2",
        "order-db-web-mandatory",
        "colocation-web-db-INFINITY",
    ]
    assert found[0].as_dict()["is_cli"] is False


def test_parse_from_a_whole_cib_and_refusals() -> None:
    cib = f"<cib><configuration>{CONSTRAINTS}</configuration><status/></cib>"
    assert len(parse_constraints(cib)) == 6
    with pytest.raises(ParseError):
        parse_constraints("<cib><configuration/></cib>")
    with pytest.raises(ParseError):
        parse_constraints('<!DOCTYPE c [<!ENTITY x "y">]><constraints>&x;</constraints>')


def test_location_prefers_and_avoids() -> None:
    assert cc.location({"resource": "web", "node": "node1", "score": 100}).stage == (
        ("constraint", "location", "web", "prefers", "node1=100"),
    )
    assert cc.location({"resource": "web", "node": "node1"}).stage == (
        ("constraint", "location", "web", "prefers", "node1=INFINITY"),
    )
    assert cc.location({"resource": "web", "node": "node2", "score": "-INFINITY"}).stage == (
        ("constraint", "location", "web", "avoids", "node2=INFINITY"),
    )


def test_location_rules() -> None:
    change = cc.create(
        {"type": "location", "resource": "web", "score": 50, "rule": ["#uname", "eq", "node2"]}
    )
    assert change.stage == (
        ("constraint", "location", "web", "rule", "score=50", "#uname", "eq", "node2"),
    )
    dated = cc.location(
        {"resource": "web", "score": "-INFINITY", "rule": ["date", "gt", "2030-01-01"]}
    )
    assert dated.stage[0][4:] == ("score=-INFINITY", "date", "gt", "2030-01-01")
    for bad in ([], "#uname eq node2", ["--force"], ["a\x00b"], ["x"] * 65, [""]):
        with pytest.raises(InvalidInput):
            cc.location({"resource": "web", "rule": bad})


def test_order_and_colocation() -> None:
    assert cc.order(
        {"first": "db", "then": "web", "kind": "Optional", "symmetrical": False}
    ).stage == (
        (
            "constraint",
            "order",
            "start",
            "db",
            "then",
            "start",
            "web",
            "kind=Optional",
            "symmetrical=false",
        ),
    )
    promote = cc.order({"first": "drbd", "then": "fs", "first_action": "promote"})
    assert promote.stage[0][2:4] == ("promote", "drbd")
    assert cc.colocation({"resource": "fs", "with": "drbd", "with_role": "Promoted"}).stage == (
        ("constraint", "colocation", "add", "fs", "with", "Promoted", "drbd", "INFINITY"),
    )
    assert cc.colocation({"resource": "a", "with": "b", "score": -100}).stage[0][-1] == "-100"


def test_sets() -> None:
    body = {
        "sets": [
            {"resources": ["a", "b"], "options": {"sequential": "false"}},
            {"resources": ["c"]},
        ],
        "kind": "Mandatory",
    }
    assert cc.order(body).stage == (
        (
            "constraint",
            "order",
            "set",
            "a",
            "b",
            "sequential=false",
            "set",
            "c",
            "setoptions",
            "kind=Mandatory",
        ),
    )
    coloc = cc.colocation({"sets": [{"resources": ["a", "b"]}]})
    assert coloc.stage == (
        ("constraint", "colocation", "set", "a", "b", "setoptions", "score=INFINITY"),
    )


@pytest.mark.parametrize(
    "body",
    [
        {"type": "location", "resource": "web", "node": "node1", "score": "lots"},
        {"type": "location", "resource": "web", "node": "node1", "score": True},
        {"type": "order", "first": "a", "then": "b", "kind": "Sometimes"},
        {"type": "order", "first": "a", "then": "b", "first_action": "reboot"},
        {"type": "colocation", "resource": "a", "with": "b", "role": "Master; id"},
        {"type": "order", "sets": []},
        {"type": "order", "sets": [{"resources": []}]},
        {"type": "order", "sets": ["a"]},
        {"type": "ticket"},
        {},
    ],
)
def test_bad_constraints_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        cc.create(body)


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_input(hostile: str) -> None:
    for body in (
        {"type": "location", "resource": hostile, "node": "n1"},
        {"type": "location", "resource": "r", "node": hostile},
        {"type": "order", "first": hostile, "then": "b"},
        {"type": "colocation", "resource": "a", "with": hostile},
        {"type": "order", "sets": [{"resources": [hostile]}]},
    ):
        with pytest.raises(InvalidInput):
            cc.create(body)
    with pytest.raises(InvalidInput):
        cc.delete(hostile)
    change = cc.order({"sets": [{"resources": ["a"], "options": {"role": hostile[:4096]}}]})
    argv = ["pcs", "-f", "/tmp/x/new.xml", *change.stage[0]]
    assert shlex.split(command_line(argv)) == argv
