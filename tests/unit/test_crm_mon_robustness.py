"""Odd, hostile and pathological crm_mon input: warnings, refusals, scale.

Fixtures: tests/fixtures/crm_mon (see tests/crmmon.py)."""

from __future__ import annotations

import datetime

import pytest

from hacore.pacemaker.model import Role
from hacore.pacemaker.status import parse_crm_mon
from hacore.pacemaker.xmlsafe import ParseError
from tests.crmmon import UTC, crm_mon_doc, load, rsc
from tests.generators import large_crm_mon


def test_oddities_become_warnings() -> None:
    status = load("handmade_oddities")
    assert status.warnings == (
        "unknown <surprise> ignored",
        "last_change: unparseable time 'yesterday-ish'",
        "<resources_configured> number='many' is not a number",
        "node_attributes for unknown node 'gamma'",
        "resource weird: nodes_running_on='two' is not a number",
        "resource weird: unknown role 'Zombie'",
        "<resources>: unknown <primitive_like> ignored",
        "db monitor on alpha: call='x' is not a number",
        "db monitor on alpha: exec-time='soon' is not a duration",
        "failure my_web_app_migrate_to_0 on alpha: crm_mon lists no resource my_web_app",
        "failure nonsense on beta: cannot tell the resource from the op_key",
    )
    summary = status.summary
    assert summary.last_update == datetime.datetime(2023, 4, 3, 22, 22, 27, tzinfo=UTC)
    assert (summary.last_change, summary.resources_configured) == (None, 0)
    assert (summary.symmetric_cluster, summary.no_quorum_policy) == (False, "freeze")
    assert summary.stop_all_resources is True
    weird = rsc(status, "weird")
    assert (weird.role, weird.blocked, weird.managed, weird.nodes) == (
        Role.UNKNOWN,
        True,
        False,
        ("alpha",),
    )


def test_very_deep_nesting_is_refused() -> None:
    depth = 5000
    xml = crm_mon_doc("<group id='g'>" * depth + "</group>" * depth)
    with pytest.raises(ParseError, match="malformed XML: Excessive depth"):
        parse_crm_mon(xml)


def test_nesting_below_the_limit_is_handled() -> None:
    depth = 200
    groups = "".join(f"<group id='g{i}' number_resources='1'>" for i in range(depth))
    xml = crm_mon_doc(groups + "</group>" * depth)
    status = parse_crm_mon(xml)
    assert len(status.all_resources()) == depth
    assert status.all_resources()[-1].id == "g199"
    assert status.warnings == ("group g199: number_resources=1 but 0 members",)


def test_huge_text_node_is_refused() -> None:
    xml = crm_mon_doc(f"<resource id='big'>{'x' * 11_000_000}</resource>")
    with pytest.raises(ParseError, match=r"malformed XML: .*Text node too long"):
        parse_crm_mon(xml)


def test_long_text_below_the_limit_is_read() -> None:
    xml = crm_mon_doc(f"<resource id='big'>{'x' * 1_000_000}</resource>")
    assert rsc(parse_crm_mon(xml), "big").id == "big"


def test_resource_without_id_refused() -> None:
    with pytest.raises(ParseError, match="a <resource> without an id"):
        parse_crm_mon(crm_mon_doc("<resource/>"))
    assert rsc(parse_crm_mon(crm_mon_doc("<resource id='r'/>")), "r").id == "r"


def test_large_cluster() -> None:
    status = parse_crm_mon(large_crm_mon())
    assert len(status.nodes) == 80
    assert status.node("n79") is not None
    assert len(status.resources) == 150 + 40 + 20
    assert len(status.all_resources()) == 150 + 40 * 4 + 20 * 81
    clone = rsc(status, "c0-clone")
    assert clone.promotable
    assert len(clone.children) == 80
    assert [c.role for c in clone.children].count(Role.PROMOTED) == 1
    assert clone.nodes == tuple(f"n{i:02d}" for i in range(80))
    assert rsc(status, "c1-clone").role is Role.STARTED
    assert rsc(status, "g39").nodes == ("n39",)
    assert len(status.failures) == 15
    assert {f.resource for f in status.failures} == {f"p_{i}" for i in range(0, 150, 10)}
    assert len(status.history) == 15
    assert status.warnings == ()
