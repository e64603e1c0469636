"""Parsers used by operations: crm_simulate's plan, agent metadata, CIB versions and diffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hacore.pacemaker.agents import parse_agent_list, parse_agent_metadata
from hacore.pacemaker.cib import cib_version, configuration_diff
from hacore.pacemaker.simulate import parse_simulation
from hacore.pacemaker.xmlsafe import ParseError
from operations.models import Operation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_text()


def test_simulation_lists_the_transition_summary() -> None:
    actions = parse_simulation(fixture("crm_simulate", "standby_disable.xml"))
    assert [(a.action, a.resource, a.source, a.dest, a.node) for a in actions] == [
        ("move", "dummy1", "node2", "node3", ""),
        ("stop", "dummy2", "", "", "node3"),
    ]
    assert actions[1].reason == "node availability"
    assert actions[0].text() == "move dummy1 node2 -> node3"
    assert actions[1].as_dict()["text"] == "stop dummy2 node3 (node availability)"
    assert (actions[0].on, actions[1].on) == ("node3", "node3")
    promote = parse_simulation(
        '<pacemaker-result><actions><rsc_action action="promote" resource="st:2" '
        'role="Unpromoted" next_role="Promoted" source="node1"/></actions></pacemaker-result>'
    )[0]
    assert (promote.on, promote.text()) == ("node1", "promote st:2 node1")


def test_simulation_of_a_fence_and_of_nothing() -> None:
    xml = (
        '<pacemaker-result api-version="2.25" request="crm_simulate"><actions>'
        '<node_action node="node2" reason="peer is no longer part of the cluster" task="fence"/>'
        '</actions><status code="0" message="OK"/></pacemaker-result>'
    )
    (fence,) = parse_simulation(xml)
    assert (fence.action, fence.node) == ("fence", "node2")
    assert parse_simulation('<pacemaker-result><status code="0"/></pacemaker-result>') == ()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("<cib/>", r"^expected <pacemaker-result>, got <cib>$"),
        ("not xml", r"^malformed XML: Start tag expected"),
        (
            '<pacemaker-result><status code="5" message="bad"/></pacemaker-result>',
            r"^crm_simulate failed: bad$",
        ),
        (
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><pacemaker-result>&e;'
            "</pacemaker-result>",
            r"^XML with a DOCTYPE is refused",
        ),
    ],
)
def test_simulation_refuses_what_is_not_a_result(bad: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_simulation(bad)


def test_agent_metadata_for_a_form() -> None:
    meta = parse_agent_metadata(
        "ocf:pacemaker:Dummy", fixture("metadata", "ocf_pacemaker_Dummy.xml")
    )
    assert meta.shortdesc == "Example stateless resource agent"
    sleep = meta.parameter("op_sleep")
    assert sleep is not None
    assert sleep.default == "0"
    assert not sleep.required
    assert sleep.shortdesc == "Operation sleep duration in seconds."
    state = meta.parameter("state")
    assert state is not None
    assert state.unique
    monitor = next(a for a in meta.actions if a.name == "monitor")
    assert (monitor.interval, monitor.timeout) == ("10s", "20s")
    assert meta.as_dict()["parameters"][0]["name"] == "state"


def test_agent_metadata_with_an_external_doctype() -> None:
    xml = fixture("metadata", "ocf_heartbeat_Dummy.xml")
    assert xml.splitlines()[1] == '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">'
    meta = parse_agent_metadata("ocf:heartbeat:Dummy", xml)
    assert [p.name for p in meta.parameters] == ["state", "fake"]


@pytest.mark.parametrize(
    "hostile",
    [
        '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><resource-agent>&e;</resource-agent>',
        '<!DOCTYPE r SYSTEM "x.dtd" [<!ENTITY e "boom">]><resource-agent>&e;</resource-agent>',
        '<!DOCTYPE r SYSTEM "x.dtd"><!DOCTYPE r SYSTEM "y.dtd"><resource-agent/>',
    ],
)
def test_agent_metadata_refuses_declarations(hostile: str) -> None:
    with pytest.raises(ParseError, match=r"^XML with a DOCTYPE is refused"):
        parse_agent_metadata("ocf:x:x", hostile)


def test_agent_metadata_marks_required_and_advanced() -> None:
    xml = (
        '<resource-agent name="x"><parameters>'
        '<parameter name="ip" required="1"><content type="string"/></parameter>'
        '<parameter name="trace_ra"><content type="boolean" default="0"/></parameter>'
        '<parameter name="old"><deprecated/><content type="string"/></parameter>'
        "</parameters><actions/></resource-agent>"
    )
    meta = parse_agent_metadata("ocf:x:x", xml)
    ip, trace, old = meta.parameters
    assert ip.required
    assert not ip.advanced
    assert trace.advanced
    assert trace.type == "boolean"
    assert old.deprecated
    with pytest.raises(ParseError, match=r"^expected <resource-agent>, got <cib>$"):
        parse_agent_metadata("x", "<cib/>")


def test_agent_list() -> None:
    assert parse_agent_list("Dummy\n\n  Stateful \n") == ["Dummy", "Stateful"]


def test_cib_version_and_configuration_diff() -> None:
    before = fixture("cib", "all_online.xml")
    after = fixture("cib", "standby.xml")
    assert cib_version('<cib admin_epoch="1" epoch="26" num_updates="60"/>') == "1:26"
    diff = configuration_diff(before, after)
    assert diff.startswith(f"--- cib {cib_version(before)}\n+++ cib (changed)\n")
    assert "+" in diff
    assert "standby" in diff
    assert configuration_diff(before, before) == ""
    with pytest.raises(ParseError, match=r"^expected <cib>, got <crm_mon>$"):
        cib_version("<crm_mon/>")


def test_operation_keeps_the_first_failing_exit_status() -> None:
    op = Operation(argv=[], steps=[])
    op.record({"argv": ["pcs", "x"], "exit_status": 0, "stdout": "ok", "stderr": "", "duration": 0})
    op.record(
        {"argv": ["pcs", "y"], "exit_status": 1, "stdout": "", "stderr": "Error: no", "duration": 0}
    )
    op.record({"argv": ["rm", "-rf"], "exit_status": 0, "stdout": "", "stderr": "", "duration": 0})
    assert op.argv == [["pcs", "x"], ["pcs", "y"], ["rm", "-rf"]]
    assert op.exit_status == 1
    assert op.stdout == "$ pcs x\nok\n$ pcs y\n$ rm -rf\n"
    assert op.stderr == "$ pcs y\nError: no\n"
