"""Constraint builders and the <constraints> parser."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

import pytest

from hacore.errors import InvalidInput
from hacore.pacemaker.constraints import of_resource, parse_constraints
from hacore.pacemaker.xmlsafe import ParseError
from hacore.runner import command_line
from resources import constraint_changes as cc
from tests.corpus import INJECTION_CORPUS
from tests.refusals import bad_id

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
    with pytest.raises(ParseError, match=r"^no <constraints> in <cib>$"):
        parse_constraints("<cib><configuration/></cib>")
    with pytest.raises(ParseError, match=r"^XML with a DOCTYPE is refused"):
        parse_constraints('<!DOCTYPE c [<!ENTITY x "y">]><constraints>&x;</constraints>')
    assert parse_constraints("<cib><configuration><constraints/></configuration></cib>") == ()
    assert len(parse_constraints(f"<!-- no DOCTYPE -->{CONSTRAINTS}")) == 6


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
    words = re.escape('rule must be a list of 1 to 64 words, e.g. ["#uname", "eq", "node1"]')
    refusals: list[tuple[object, str]] = [
        ([], words),
        ("#uname eq node2", words),
        (["x"] * 65, words),
        (["--force"], r"^rule words must be non-empty and must not start with '-'$"),
        ([""], r"^rule words must be non-empty and must not start with '-'$"),
        (["a\x00b"], r"^rule word must be at most 4096 characters without NUL$"),
    ]
    for bad, message in refusals:
        with pytest.raises(InvalidInput, match=message):
            cc.location({"resource": "web", "rule": bad})
    assert cc.location({"resource": "web", "rule": ["x"] * 64}).stage[0][-64:] == ("x",) * 64


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


SCORE = re.escape("score must be an integer or INFINITY / -INFINITY")
SETS = re.escape("sets must be a non-empty list of {resources: [...], options: {...}}")
EACH_SET = r"^each set needs a non-empty resources list$"
TYPE = r"^type must be one of location, order, colocation$"


@pytest.mark.parametrize(
    ("body", "message", "fixed"),
    [
        (
            {"type": "location", "resource": "web", "node": "node1", "score": "lots"},
            SCORE,
            {"score": "-100"},
        ),
        (
            {"type": "location", "resource": "web", "node": "node1", "score": True},
            SCORE,
            {"score": 1},
        ),
        (
            {"type": "order", "first": "a", "then": "b", "kind": "Sometimes"},
            r"^kind must be one of Mandatory, Optional, Serialize$",
            {"kind": "Serialize"},
        ),
        (
            {"type": "order", "first": "a", "then": "b", "first_action": "reboot"},
            r"^first_action must be one of start, stop, promote, demote$",
            {"first_action": "demote"},
        ),
        (
            {"type": "colocation", "resource": "a", "with": "b", "role": "Master; id"},
            r"^role must be one of Started, Stopped, Promoted, Unpromoted$",
            {"role": "Promoted"},
        ),
        ({"type": "order", "sets": []}, SETS, {"sets": [{"resources": ["a"]}]}),
        (
            {"type": "order", "sets": [{"resources": []}]},
            EACH_SET,
            {"sets": [{"resources": ["a"]}]},
        ),
        ({"type": "order", "sets": ["a"]}, EACH_SET, {"sets": [{"resources": ["a"]}]}),
        ({"type": "ticket"}, TYPE, {"type": "order", "first": "a", "then": "b"}),
        ({}, TYPE, {"type": "colocation", "resource": "a", "with": "b"}),
    ],
)
def test_bad_constraints_are_refused(
    body: dict[str, object], message: str, fixed: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput, match=message):
        cc.create(body)
    assert cc.create({**body, **fixed}).stage, "the positive control: the field fixed"


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_input(hostile: str) -> None:
    # (the body with a value in one field, the field's name in the refusal, a valid value)
    bodies: list[tuple[Callable[[str], dict[str, object]], str, str]] = [
        (lambda v: {"type": "location", "resource": v, "node": "n1"}, "resource", "r"),
        (lambda v: {"type": "location", "resource": "r", "node": v}, "node", "n1"),
        (lambda v: {"type": "order", "first": v, "then": "b"}, "first", "a"),
        (lambda v: {"type": "colocation", "resource": "a", "with": v}, "with", "b"),
        (lambda v: {"type": "order", "sets": [{"resources": [v]}]}, "resource", "a"),
    ]
    for body, what, good in bodies:
        with pytest.raises(InvalidInput, match=bad_id(what)):
            cc.create(body(hostile))
        assert cc.create(body(good)).stage, "the positive control: the same body, a valid value"
    with pytest.raises(InvalidInput, match=bad_id("constraint")):
        cc.delete(hostile)
    assert cc.delete("location-web").stage
    change = cc.order({"sets": [{"resources": ["a"], "options": {"role": hostile[:4096]}}]})
    argv = ["pcs", "-f", "/tmp/x/new.xml", *change.stage[0]]
    assert shlex.split(command_line(argv)) == argv
