"""Command builders of operations: exact argv, and hostile input either refused or one
argv element that survives the one shlex.join unchanged."""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Callable

import pytest

from clusters import changes as cluster_changes
from hacore.errors import ConfirmationRequired, InvalidInput
from hacore.pacemaker.ids import check_agent, check_id, check_name
from hacore.runner import command_line
from nodes import changes as node_changes
from operations import change as change_values
from operations.change import Change
from resources import changes as resource_changes
from tests.corpus import INJECTION_CORPUS
from tests.refusals import bad_id, bad_name

AGENT_FORM = re.escape("is not standard:provider:type (ocf) or standard:type")


def staged(change: Change) -> list[list[str]]:
    return [["pcs", "-f", "/tmp/haconsole.abcdefgh/new.xml", *argv] for argv in change.stage]


def test_node_actions() -> None:
    assert node_changes.node_standby("node2").stage == (
        ("env", "CIB_file={cib}", "crm_attribute", "--type", "nodes", "--node", "node2",
         "--name", "standby", "--update", "on"),
    )  # fmt: skip
    assert node_changes.node_unstandby("node2").stage == (
        ("env", "CIB_file={cib}", "crm_attribute", "--type", "nodes", "--node", "node2",
         "--name", "standby", "--delete"),
    )  # fmt: skip
    assert node_changes.node_standby("node2").permission == change_values.OPERATE


def test_resource_actions() -> None:
    assert resource_changes.resource_disable("r1").stage == (("resource", "disable", "r1"),)
    assert resource_changes.resource_enable("r1").stage == (("resource", "enable", "r1"),)
    assert resource_changes.resource_delete("r1").stage == (("resource", "delete", "r1"),)
    assert resource_changes.resource_delete("r1").permission == change_values.ADMINISTER
    cleanup = resource_changes.resource_cleanup("r1")
    assert cleanup.stage == ()
    assert cleanup.live == (("pcs", "resource", "cleanup", "r1"),)
    move = resource_changes.resource_move("r1", "node3")
    assert move.stage == (
        ("env", "CIB_file={cib}", "crm_resource", "--move", "--resource", "r1", "--node", "node3"),
    )  # fmt: skip
    assert move.live == (("pcs", "resource", "move", "r1", "node3"),)


def test_create_builds_one_pcs_command() -> None:
    change = resource_changes.resource_create(
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
    assert change.permission == change_values.ADMINISTER
    assert Change.from_json(change.as_json()) == change


@pytest.mark.parametrize("good", ["r1", "_x", "web-server.1", "A" * 255, "node_2"])
def test_valid_ids(good: str) -> None:
    assert check_id(good) == good


@pytest.mark.parametrize("bad", ["", "1abc", "-rf", "a b", "a;b", "a/b", "é", "A" * 256, "a:b"])
def test_invalid_ids(bad: str) -> None:
    with pytest.raises(InvalidInput, match=bad_id("id")):
        check_id(bad)


@pytest.mark.parametrize("bad", ["meta", "op", "-x", "a=b", "a b"])
def test_invalid_attribute_names(bad: str) -> None:
    with pytest.raises(InvalidInput, match=bad_name("name")):
        check_name(bad)


def test_valid_attribute_names() -> None:
    for good in ("meta_x", "op-timeout", "_x", "a.b", "pcmk:name"):
        assert check_name(good) == good


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("stonith:fence_ipmilan", r"^fence devices are created as fence devices, not as resources"),
        ("ocf:heartbeat", rf"^agent 'ocf:heartbeat' {AGENT_FORM}"),
        ("ocf:-x:Dummy", rf"^agent 'ocf:-x:Dummy' {AGENT_FORM}"),
        ("ocf:a:b;id", rf"^agent 'ocf:a:b;id' {AGENT_FORM}"),
        ("Dummy", rf"^agent 'Dummy' {AGENT_FORM}"),
        ("", r"^agent must be a non-empty string$"),
    ],
)
def test_invalid_agents(bad: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_agent(bad)


def test_agents() -> None:
    for good in ("ocf:heartbeat:Dummy", "systemd:nginx", "systemd:getty@tty1", "lsb:ssh"):
        assert check_agent(good) == good


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_ids_are_refused(hostile: str) -> None:
    dummy = "ocf:heartbeat:Dummy"
    any_agent = rf"^agent (must be a non-empty string$|.* {AGENT_FORM}$)"
    # (the build, what its check says when it refuses, a value it accepts)
    builds: list[tuple[Callable[[str], Change], str, str]] = [
        (node_changes.node_standby, bad_id("node"), "node2"),
        (resource_changes.resource_disable, bad_id("resource"), "r1"),
        (lambda v: resource_changes.resource_move("r1", v), bad_id("node"), "node2"),
        (lambda v: resource_changes.resource_create(v, dummy, {}, {}, []), bad_id("id"), "r1"),
        (lambda v: resource_changes.resource_create("r1", v, {}, {}, []), any_agent, dummy),
        (
            lambda v: resource_changes.resource_create("r1", dummy, {v: "1"}, {}, []),
            bad_name("params name"),
            "fake",
        ),
    ]
    for build, message, good in builds:
        with pytest.raises(InvalidInput, match=message):
            build(hostile)
        assert build(good).target, "the positive control: the same call with a valid value"


@pytest.mark.parametrize("hostile", [s for s in INJECTION_CORPUS if len(s) <= 4096])
def test_hostile_values_are_one_argument(hostile: str) -> None:
    change = resource_changes.resource_create(
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
    def create(value: object) -> Change:
        return resource_changes.resource_create(
            "r1", "ocf:heartbeat:Dummy", {"fake": value}, {}, []
        )

    for long_or_nul in ("x" * 4097, "a\x00b"):
        with pytest.raises(InvalidInput, match=r"^params fake must be at most 4096 characters"):
            create(long_or_nul)
    for not_text in (None, ["list"], True):
        with pytest.raises(InvalidInput, match=r"^params fake must be a string or a number$"):
            create(not_text)
    for good in ("x" * 4096, "a b", 5, 2.5):
        assert f"fake={good}" in create(good).stage[0], "the positive control"


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ("monitor", r"^operations must be a list of objects with a name$"),
        ({}, r"^operations must be a list of objects with a name$"),
        ([{"interval": "10s"}], r"^each operation needs a name"),
        ([["monitor"]], r"^each operation needs a name"),
        ([{"name": "-x"}], bad_id("operation name")),
    ],
)
def test_malformed_operations_are_refused(operations: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        resource_changes.resource_create("r1", "ocf:heartbeat:Dummy", {}, {}, operations)
    good = [{"name": "monitor", "interval": "10s"}]
    assert resource_changes.resource_create("r1", "ocf:heartbeat:Dummy", {}, {}, good).stage


def node_action(verb: str, body: dict[str, object] | None = None, node: str = "node2") -> Change:
    return node_changes.NODE_ACTIONS[verb](node, body or {})


def resource_action(verb: str, body: dict[str, object] | None = None) -> Change:
    return resource_changes.RESOURCE_ACTIONS[verb]("r1", body or {})


def test_more_node_actions() -> None:
    assert node_action("maintenance").stage == (
        ("env", "CIB_file={cib}", "crm_attribute", "--type", "nodes", "--node", "node2",
         "--name", "maintenance", "--update", "on"),
    )  # fmt: skip
    assert node_action("unmaintenance").stage == (
        ("env", "CIB_file={cib}", "crm_attribute", "--type", "nodes", "--node", "node2",
         "--name", "maintenance", "--delete"),
    )  # fmt: skip
    stop = node_action("stop")
    assert stop.live == (("pcs", "cluster", "stop", "node2"),)
    assert (stop.on_node, stop.avoid) == ("", "node2"), "run from another node, via pcsd"
    assert stop.simulate == ("--node-down", "node2")
    assert stop.permission == change_values.ADMINISTER
    assert node_action("start").simulate == ("--node-up", "node2")
    assert node_action("enable").live == (("pcs", "cluster", "enable", "node2"),)
    assert node_action("disable").live == (("pcs", "cluster", "disable", "node2"),)
    assert node_changes.node_remove("node2", {"confirm": "node2"}).avoid == "node2"
    assert node_action("standby").on_node == ""


def test_fencing_needs_the_node_name_typed_back() -> None:
    with pytest.raises(ConfirmationRequired, match='"confirm": "node2"'):
        node_action("fence")
    with pytest.raises(ConfirmationRequired, match='"confirm": "node2"'):
        node_action("fence", {"confirm": "node3"})
    reboot = node_action("fence", {"confirm": "node2"})
    assert reboot.live == (("pcs", "stonith", "fence", "node2"),)
    assert reboot.simulate == ("--node-fail", "node2")
    off = node_action("fence", {"confirm": "node2", "action": "off"})
    assert off.live == (("pcs", "stonith", "fence", "node2", "--off"),)
    with pytest.raises(InvalidInput, match=r"^action must be reboot or off$"):
        node_action("fence", {"confirm": "node2", "action": "; id"})


def test_confirming_a_fence_names_the_data_loss() -> None:
    with pytest.raises(ConfirmationRequired, match="split brain"):
        node_action("confirm-fenced", {"confirm": "node2"})
    done = node_action("confirm-fenced", {"confirm": "node2 is off"})
    assert done.live == (("pcs", "stonith", "confirm", "node2", "--force"),)


def test_more_resource_actions() -> None:
    assert resource_action("manage").stage == (("resource", "manage", "r1"),)
    assert resource_action("unmanage").stage == (("resource", "unmanage", "r1"),)
    assert resource_action("ban", {"node": "node1"}).stage == (("resource", "ban", "r1", "node1"),)
    assert resource_action("clear").stage == (("resource", "clear", "r1"),)
    assert resource_action("clear", {"node": "node1"}).stage == (
        ("resource", "clear", "r1", "node1"),
    )
    assert resource_action("restart").live == (("pcs", "resource", "restart", "r1"),)
    assert resource_action("refresh").live == (("pcs", "resource", "refresh", "r1"),)
    update = resource_action("update", {"params": {"fake": "x", "gone": ""}, "meta": {"a": "1"}})
    assert update.stage == (("resource", "update", "r1", "fake=x", "gone=", "meta", "a=1"),)
    with pytest.raises(InvalidInput, match=r"^nothing to update: give params and/or meta$"):
        resource_action("update", {})
    with pytest.raises(InvalidInput, match=bad_id("node")):
        resource_action("ban", {"node": "$(id)"})


def test_properties_and_the_fencing_switch() -> None:
    assert cluster_changes.property_set({"name": "stonith-timeout", "value": "90s"}).stage == (
        ("property", "set", "stonith-timeout=90s"),
    )
    assert cluster_changes.property_set({"name": "stonith-timeout", "value": ""}).stage == (
        ("property", "unset", "stonith-timeout"),
    )
    with pytest.raises(ConfirmationRequired, match="disable fencing"):
        cluster_changes.property_set({"name": "stonith-enabled", "value": "false"})
    off = cluster_changes.property_set(
        {"name": "stonith-enabled", "value": "false", "confirm": "disable fencing"}
    )
    assert off.stage == (("property", "set", "stonith-enabled=false"),)
    assert cluster_changes.property_set(
        {"name": "stonith-enabled", "value": "true"}
    ).permission == (change_values.ADMINISTER)


def test_every_builder_round_trips_through_json() -> None:
    bodies: dict[str, dict[str, object]] = {
        "fence": {"confirm": "node2"},
        "confirm-fenced": {"confirm": "node2 is off"},
        "remove": {"confirm": "node2"},
    }
    for verb, build in node_changes.NODE_ACTIONS.items():
        change = build("node2", bodies.get(verb, {}))
        assert Change.from_json(change.as_json()) == change
    resource_bodies: dict[str, dict[str, object]] = {
        "move": {"node": "n1"},
        "ban": {"node": "n1"},
        "update": {"meta": {"a": "b"}},
        "promote": {"node": "n1"},
        "demote": {"node": "n1"},
    }
    for verb, build in resource_changes.RESOURCE_ACTIONS.items():
        change = build("r1", resource_bodies.get(verb, {}))
        assert Change.from_json(change.as_json()) == change


def test_structure_defaults_and_corosync() -> None:
    assert resource_action("clone", {"options": {"clone-max": "2"}}).stage == (
        ("resource", "clone", "r1", "clone-max=2"),
    )
    assert resource_action("promotable", {"options": {"promoted-max": "1"}}).stage == (
        ("resource", "promotable", "r1", "promoted-max=1"),
    )
    assert resource_action("unclone").stage == (("resource", "unclone", "r1"),)
    debug = resource_action("debug-start")
    assert debug.live == (("pcs", "resource", "debug-start", "r1", "--full"),)
    assert debug.permission == change_values.ADMINISTER
    add = resource_changes.group_add({"id": "g1", "resources": ["a", "b"], "after": "c"})
    assert add.stage == (("resource", "group", "add", "g1", "a", "b", "--after", "c"),)
    assert resource_changes.group_remove("g1", {"resources": ["a"]}).stage == (
        ("resource", "group", "remove", "g1", "a"),
    )
    assert cluster_changes.defaults_update(
        "resource", {"values": {"resource-stickiness": "5"}}
    ).stage == (("resource", "defaults", "update", "resource-stickiness=5"),)
    assert cluster_changes.defaults_update("op", {"values": {"timeout": "45s"}}).stage == (
        ("resource", "op", "defaults", "update", "timeout=45s"),
    )
    assert cluster_changes.corosync_reload({}).live == (("pcs", "cluster", "reload", "corosync"),)
    assert cluster_changes.cluster_sync({}).live == (("pcs", "cluster", "sync"),)
    members = r"^resources must be a non-empty list of resource ids$"
    bads: list[tuple[Callable[[], Change], str]] = [
        (lambda: resource_changes.group_add({"id": "g1", "resources": []}), members),
        (
            lambda: resource_changes.group_add({"id": "g1", "resources": ["a"], "before": "-x"}),
            bad_id("before"),
        ),
        (lambda: resource_changes.group_remove("g1", {}), members),
        (
            lambda: cluster_changes.defaults_update("op", {"values": {}}),
            r"^values must name at least one default$",
        ),
        (
            lambda: resource_action("clone", {"options": {"a b": "1"}}),
            bad_name("clone option name"),
        ),
    ]
    for bad, message in bads:
        with pytest.raises(InvalidInput, match=message):
            bad()


def test_revert_carries_the_patch_and_refuses_without_one() -> None:
    patch = '<diff format="2"><change operation="delete" path="/cib/x"/></diff>'
    change = change_values.history_revert(7, patch)
    assert (change.kind, change.target, change.patch) == ("history.revert", "#7", patch)
    assert change.stage == ()
    assert change.permission == change_values.ADMINISTER
    assert Change.from_json(change.as_json()) == change
    with pytest.raises(InvalidInput, match="no configuration change"):
        change_values.history_revert(7, "")
    argv = ["env", "CIB_file=/tmp/x/new.xml", "cibadmin", "--patch", "--xml-text", patch]
    assert shlex.split(command_line(argv)) == argv


def test_adding_and_removing_nodes() -> None:
    add = node_changes.node_add({"node": "node4", "address": "198.51.100.14"})
    assert add.live == (
        ("pcs", "cluster", "node", "add", "node4", "addr=198.51.100.14", "--start", "--enable"),
    )
    assert add.permission == change_values.ADMINISTER
    assert node_changes.node_add({"node": "node4"}).live[0][4:] == ("node4", "--start", "--enable")
    with pytest.raises(
        InvalidInput, match=re.escape("'198.51.100.14; id' is neither an IP address nor a host")
    ):
        node_changes.node_add({"node": "node4", "address": "198.51.100.14; id"})
    with pytest.raises(ConfirmationRequired, match=r"corosync\.conf"):
        node_action("remove")
    remove = node_action("remove", {"confirm": "node2"})
    assert remove.live == (("pcs", "cluster", "node", "remove", "node2"),)
    assert remove.simulate == ("--node-down", "node2")


def test_promote_and_demote_move_the_promoted_role() -> None:
    promote = resource_action("promote", {"node": "node2"})
    assert promote.stage == (
        ("env", "CIB_file={cib}", "crm_resource", "--move", "--resource", "r1", "--node", "node2",
         "--promoted"),
    )  # fmt: skip
    assert promote.live == (("pcs", "resource", "move", "r1", "node2", "--promoted"),)
    assert promote.summary == "promote r1 on node2"
    demote = resource_action("demote", {"node": "node2"})
    assert demote.stage == (("resource", "ban", "r1", "node2", "--promoted"),)
    with pytest.raises(InvalidInput, match=r"^node must be a non-empty string$"):
        resource_action("promote", {})


def test_restore_uploads_the_backup_and_names_the_risk() -> None:
    backup = b"BZh91AY&SY" + b"\x00\xff" * 10
    with pytest.raises(ConfirmationRequired, match="replaces node2's corosync"):
        cluster_changes.config_restore("node2", backup, {})
    change = cluster_changes.config_restore("node2", backup, {"confirm": "restore node2"})
    assert change.live == (("pcs", "config", "restore", "--local", "{upload}"),)
    assert change.on_node == "node2"
    assert base64.b64decode(change.upload) == backup
    assert Change.from_json(change.as_json()) == change
    with pytest.raises(InvalidInput, match="pcs config backup"):
        cluster_changes.config_restore("node2", b"not a tarball", {"confirm": "restore node2"})


def test_all_nodes_start_and_stop() -> None:
    assert cluster_changes.cluster_all("start", {}).live == (("pcs", "cluster", "start", "--all"),)
    with pytest.raises(ConfirmationRequired, match="every resource"):
        cluster_changes.cluster_all("stop", {})
    stop = cluster_changes.cluster_all("stop", {"confirm": "stop the whole cluster"})
    assert stop.live == (("pcs", "cluster", "stop", "--all"),)
    assert stop.reads_after is False, "no node has a CIB left to read"
    with pytest.raises(InvalidInput, match=r"^cluster services can be started or stopped, not "):
        cluster_changes.cluster_all("reboot", {})


def test_a_move_is_checked_to_hold_unless_its_constraint_is_kept() -> None:
    move = resource_changes.resource_move("r1", "node3")
    assert move.hold is not None
    assert (move.hold.resource, move.hold.node) == ("r1", "node3")
    assert move.hold.clear == (("crm_resource", "--clear", "--resource", "r1"),)
    kept = resource_changes.resource_move(
        "r1", "node3", body={"keep_constraint": True, "lifetime": "P1DT2H"}
    )
    assert kept.hold is None
    assert kept.live == ()
    assert kept.stage == (
        ("env", "CIB_file={cib}", "crm_resource", "--move", "--resource", "r1", "--node", "node3",
         "--lifetime", "P1DT2H"),
    )  # fmt: skip
    assert "keeping the move constraint for P1DT2H" in kept.summary
    promote = resource_changes.resource_move("drbd", "node1", promoted=True)
    assert promote.hold is None, "the promotion scores the agent will set cannot be simulated"
    assert "promotion scores" in promote.unchecked


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"keep_constraint": "yes"}, r"keep_constraint must be true or false"),
        ({"lifetime": "PT1H"}, r"lifetime applies to a kept move constraint"),
        ({"keep_constraint": True, "lifetime": "1 hour"}, r"ISO 8601 duration"),
        ({"keep_constraint": True, "lifetime": "P"}, r"ISO 8601 duration"),
        ({"keep_constraint": True, "lifetime": "PT"}, r"ISO 8601 duration"),
    ],
)
def test_bad_keep_and_lifetime_are_refused(body: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        resource_changes.resource_move("r1", "node3", body=body)
    assert resource_changes.resource_move("r1", "node3", body={"keep_constraint": True})


def test_a_hold_survives_the_round_trip_through_json() -> None:
    move = resource_changes.resource_move("r1", "node3")
    assert Change.from_json(move.as_json()) == move


def test_every_live_only_action_says_what_its_plan_cannot_check() -> None:
    body = {"confirm": "node2", "node": "node2"}
    live_ones = [
        *(node_changes.NODE_ACTIONS[v]("node2", body) for v in ("start", "stop", "fence")),
        node_changes.node_confirm_fenced("node2", {"confirm": "node2 is off"}),
        node_changes.node_add({"node": "node4"}),
        node_changes.node_remove("node2", body),
        *(
            resource_changes.RESOURCE_ACTIONS[v]("r1", {})
            for v in ("cleanup", "refresh", "restart", "debug-start")
        ),
        cluster_changes.cluster_all("start", {}),
        cluster_changes.cluster_sync({}),
        cluster_changes.corosync_reload({}),
    ]
    assert [c.kind for c in live_ones if not c.unchecked] == []
    staged_ones = [
        node_changes.node_standby("node2"),
        resource_changes.resource_move("r1", "node3"),
        resource_changes.resource_disable("r1"),
        cluster_changes.property_set({"name": "no-quorum-policy", "value": "stop"}),
    ]
    assert [c.unchecked for c in staged_ones] == ["", "", "", ""], "what is staged is pushed"
