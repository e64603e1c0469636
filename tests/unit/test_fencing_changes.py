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
    with pytest.raises(ConfirmationRequired, match="last fence device"):
        changes.device_delete("d1", {}, others=0)
    with pytest.raises(ConfirmationRequired):
        changes.device_disable("d1", {"confirm": "yes"}, others=0)
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
    for bad in (
        {**body, "level": 0},
        {**body, "level": "2"},
        {**body, "devices": []},
        {**body, "level": True},
    ):
        with pytest.raises(InvalidInput):
            changes.level_add(bad)


@pytest.mark.parametrize(
    "agent", ["fence_ipmilan; id", "ocf:heartbeat:Dummy", "stonith:", "", None, "fence-x"]
)
def test_fence_agents_only(agent: object) -> None:
    with pytest.raises(InvalidInput):
        changes.device_create({"id": "d", "agent": agent})


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_names_are_refused(hostile: str) -> None:
    builds: list[Callable[[], Change]] = [
        lambda: changes.device_create({"id": hostile, "agent": "fence_ipmilan"}),
        lambda: changes.device_create(
            {"id": "d", "agent": "fence_ipmilan", "params": {hostile: "1"}}
        ),
        lambda: changes.device_delete(hostile, {"confirm": changes.LAST_DEVICE}, 0),
        lambda: changes.level_add({"level": 1, "node": hostile, "devices": ["d"]}),
        lambda: changes.level_add({"level": 1, "node": "n", "devices": [hostile]}),
    ]
    for build in builds:
        with pytest.raises(InvalidInput):
            build()


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
    with pytest.raises(ParseError):
        parse_fencing_topology('<fencing-topology><fencing-level index="x"/></fencing-topology>')
