"""Fencing command builders and the fencing topology parser."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fencing import changes
from hacore.errors import ConfirmationRequired, InvalidInput
from hacore.pacemaker.constraints import parse_fencing_topology
from hacore.pacemaker.xmlsafe import ParseError
from operations.change import Change
from tests.corpus import INJECTION_CORPUS
from tests.refusals import bad_id, bad_name


def test_device_create_update_enable() -> None:
    create = changes.device_create(
        {
            "id": "ipmi-n1",
            "agent": "stonith:fence_ipmilan",
            "params": {"ip": "10.0.0.1", "pcmk_host_list": "node1"},
        }
    )
    assert create.stage == (
        ("stonith", "create", "ipmi-n1", "fence_ipmilan", "ip=10.0.0.1", "pcmk_host_list=node1"),
    )
    assert changes.device_update("ipmi-n1", {"params": {"ip": ""}}).stage == (
        ("stonith", "update", "ipmi-n1", "ip="),
    )
    assert changes.device_enable("ipmi-n1", {}, 0).stage == (("stonith", "enable", "ipmi-n1"),)


def test_the_last_device_needs_the_risk_confirmed() -> None:
    assert changes.device_delete("d1", {}, others=1).stage == (("stonith", "delete", "d1"),)
    with pytest.raises(ConfirmationRequired, match=r"^d1 is the last fence device: deleting it"):
        changes.device_delete("d1", {}, others=0)
    with pytest.raises(ConfirmationRequired, match=r"^d1 is the last fence device: disabling it"):
        changes.device_disable("d1", {"confirm": "yes"}, others=0)
    disabled = changes.device_disable("d1", {"confirm": changes.LAST_DEVICE}, others=0)
    assert disabled.stage == (("stonith", "disable", "d1"),)
    done = changes.device_delete("d1", {"confirm": changes.LAST_DEVICE}, others=0)
    assert done.stage == (("stonith", "delete", "d1"),)


def test_levels() -> None:
    body = {"level": 2, "node": "node1", "devices": ["ipmi-n1", "pdu-a"]}
    assert changes.level_add(body).stage == (
        ("stonith", "level", "add", "2", "node1", "ipmi-n1", "pdu-a"),
    )
    assert changes.level_delete(body).stage == (
        ("stonith", "level", "delete", "2", "target", "node1", "stonith", "ipmi-n1", "pdu-a"),
    )
    level = r"^level must be an integer from 1 to 9$"
    for bad, message in (
        ({**body, "level": 0}, level),
        ({**body, "level": "2"}, level),
        ({**body, "devices": []}, r"^devices must be a non-empty list of fence device ids$"),
        ({**body, "level": True}, level),
    ):
        with pytest.raises(InvalidInput, match=message):
            changes.level_add(bad)
    assert changes.level_add({**body, "level": 9}).stage[0][3] == "9"


@pytest.mark.parametrize(
    "agent", ["fence_ipmilan; id", "ocf:heartbeat:Dummy", "stonith:", "", None, "fence-x"]
)
def test_fence_agents_only(agent: object) -> None:
    with pytest.raises(InvalidInput, match=r"^agent must be a fence agent such as fence_ipmilan$"):
        changes.device_create({"id": "d", "agent": agent})
    assert changes.device_create({"id": "d", "agent": "fence_xvm"}).stage[0][3] == "fence_xvm"


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_names_are_refused(hostile: str) -> None:
    ipmi = "fence_ipmilan"
    # (the build, what its check says when it refuses, a value it accepts)
    builds: list[tuple[Callable[[str], Change], str, str]] = [
        (lambda v: changes.device_create({"id": v, "agent": ipmi}), bad_id("id"), "d"),
        (
            lambda v: changes.device_create({"id": "d", "agent": ipmi, "params": {v: "1"}}),
            bad_name("params name"),
            "ip",
        ),
        (
            lambda v: changes.device_delete(v, {"confirm": changes.LAST_DEVICE}, 0),
            bad_id("device"),
            "d",
        ),
        (
            lambda v: changes.level_add({"level": 1, "node": v, "devices": ["d"]}),
            bad_id("node"),
            "n",
        ),
        (
            lambda v: changes.level_add({"level": 1, "node": "n", "devices": [v]}),
            bad_id("device"),
            "d",
        ),
    ]
    for build, message, good in builds:
        with pytest.raises(InvalidInput, match=message):
            build(hostile)
        assert build(good).stage, "the positive control: the same call with a valid value"


def test_fencing_topology() -> None:
    xml = (
        "<fencing-topology>"
        '<fencing-level id="fl-node1-2" index="2" target="node1" devices="pdu-a,pdu-b"/>'
        '<fencing-level id="fl-node1-1" index="1" target="node1" devices="ipmi-n1"/>'
        "</fencing-topology>"
    )
    levels = parse_fencing_topology(xml)
    assert [(lv.target, lv.index, lv.devices) for lv in levels] == [
        ("node1", 1, ("ipmi-n1",)),
        ("node1", 2, ("pdu-a", "pdu-b")),
    ]
    assert parse_fencing_topology("<cib><configuration/></cib>") == ()
    assert parse_fencing_topology(f"<configuration><crm_config/>{xml}</configuration>") == levels
    with pytest.raises(ParseError, match=r"^<fencing-level index='x'> is not a number$"):
        parse_fencing_topology('<fencing-topology><fencing-level index="x"/></fencing-topology>')
