"""Command builders of operations: exact argv, and hostile input either refused or one
argv element that survives the one shlex.join unchanged."""

from __future__ import annotations

import shlex
from collections.abc import Callable

import pytest

from clusters.operations import changes
from clusters.operations.changes import Change
from clusters.pacemaker.ids import InvalidName, check_agent, check_id, check_name
from nodes.remote import command_line
from tests.corpus import INJECTION_CORPUS


def staged(change: Change) -> list[list[str]]:
    return [["pcs", "-f", "/tmp/haconsole.abcdefgh/new.xml", *argv] for argv in change.stage]


def test_node_actions() -> None:
    assert changes.node_standby("node2").stage == (("node", "standby", "node2"),)
    assert changes.node_unstandby("node2").stage == (("node", "unstandby", "node2"),)
    assert changes.node_standby("node2").permission == changes.OPERATE


def test_resource_actions() -> None:
    assert changes.resource_disable("r1").stage == (("resource", "disable", "r1"),)
    assert changes.resource_enable("r1").stage == (("resource", "enable", "r1"),)
    assert changes.resource_delete("r1").stage == (("resource", "delete", "r1"),)
    assert changes.resource_delete("r1").permission == changes.ADMINISTER
    cleanup = changes.resource_cleanup("r1")
    assert cleanup.stage == ()
    assert cleanup.live == (("pcs", "resource", "cleanup", "r1"),)
    move = changes.resource_move("r1", "node3")
    assert move.stage == (("resource", "move-with-constraint", "r1", "node3"),)
    assert move.live == (("pcs", "resource", "move", "r1", "node3"),)


def test_create_builds_one_pcs_command() -> None:
    change = changes.resource_create(
        "web",
        "ocf:heartbeat:apache",
        {"configfile": "/etc/apache2/apache2.conf", "port": 80},
        {"target-role": "Stopped"},
        [{"name": "monitor", "interval": "20s", "timeout": "30s"}, {"name": "start"}],
    )
    assert change.stage == (
        (
            "resource",
            "create",
            "web",
            "ocf:heartbeat:apache",
            "configfile=/etc/apache2/apache2.conf",
            "port=80",
            "meta",
            "target-role=Stopped",
            "op",
            "monitor",
            "interval=20s",
            "timeout=30s",
            "op",
            "start",
        ),
    )
    assert change.permission == changes.ADMINISTER
    assert Change.from_json(change.as_json()) == change


@pytest.mark.parametrize("good", ["r1", "_x", "web-server.1", "A" * 255, "node_2"])
def test_valid_ids(good: str) -> None:
    assert check_id(good) == good


@pytest.mark.parametrize("bad", ["", "1abc", "-rf", "a b", "a;b", "a/b", "é", "A" * 256, "a:b"])
def test_invalid_ids(bad: str) -> None:
    with pytest.raises(InvalidName):
        check_id(bad)


@pytest.mark.parametrize("bad", ["meta", "op", "-x", "a=b", "a b"])
def test_invalid_attribute_names(bad: str) -> None:
    with pytest.raises(InvalidName):
        check_name(bad)


@pytest.mark.parametrize(
    "bad", ["stonith:fence_ipmilan", "ocf:heartbeat", "ocf:-x:Dummy", "ocf:a:b;id", "Dummy", ""]
)
def test_invalid_agents(bad: str) -> None:
    with pytest.raises(InvalidName):
        check_agent(bad)


def test_agents() -> None:
    for good in ("ocf:heartbeat:Dummy", "systemd:nginx", "systemd:getty@tty1", "lsb:ssh"):
        assert check_agent(good) == good


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_ids_are_refused(hostile: str) -> None:
    builds: list[Callable[[], Change]] = [
        lambda: changes.node_standby(hostile),
        lambda: changes.resource_disable(hostile),
        lambda: changes.resource_move("r1", hostile),
        lambda: changes.resource_create(hostile, "ocf:heartbeat:Dummy", {}, {}, []),
        lambda: changes.resource_create("r1", hostile, {}, {}, []),
        lambda: changes.resource_create("r1", "ocf:heartbeat:Dummy", {hostile: "1"}, {}, []),
    ]
    for build in builds:
        with pytest.raises(InvalidName):
            build()


@pytest.mark.parametrize("hostile", [s for s in INJECTION_CORPUS if len(s) <= 4096])
def test_hostile_values_are_one_argument(hostile: str) -> None:
    change = changes.resource_create(
        "r1",
        "ocf:heartbeat:Dummy",
        {"fake": hostile},
        {"description": hostile},
        [{"name": "monitor", "OCF_CHECK_LEVEL": hostile}],
    )
    for argv in staged(change):
        assert shlex.split(command_line(argv)) == argv
        assert f"fake={hostile}" in argv
        assert f"description={hostile}" in argv
        assert f"OCF_CHECK_LEVEL={hostile}" in argv


def test_values_over_4096_characters_or_with_nul_are_refused() -> None:
    for bad in ("x" * 4097, "a\x00b", None, ["list"], True):
        with pytest.raises(InvalidName):
            changes.resource_create("r1", "ocf:heartbeat:Dummy", {"fake": bad}, {}, [])


@pytest.mark.parametrize(
    "operations", ["monitor", [{"interval": "10s"}], [{"name": "-x"}], [["monitor"]], {}]
)
def test_malformed_operations_are_refused(operations: object) -> None:
    with pytest.raises(InvalidName):
        changes.resource_create("r1", "ocf:heartbeat:Dummy", {}, {}, operations)
