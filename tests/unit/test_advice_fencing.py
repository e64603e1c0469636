"""The fence path check's pure half: plugs as the fencer derives them, the agent's stdin,
where to ask from, what an answer means; and the pcmk_host_map rules."""

from __future__ import annotations

from hacore.advice import fencing
from hacore.advice.model import Severity
from hacore.pacemaker.constraints import Constraint
from tests.unit.test_advice_rules import cib_xml, facts, nv


def test_host_map_as_the_fencer_reads_it() -> None:
    assert fencing.host_map("node1:1;node2=2 Node3:3\tnode4:a\\:b;;") == {
        "node1": "1",
        "node2": "2",
        "node3": "3",
        "node4": "a:b",
    }
    assert fencing.host_map("") == {}
    assert fencing.host_map("garbage") == {}


def test_the_host_argument_and_the_plug() -> None:
    both, plug_only = ("port", "plug", "ip"), ("plug", "ip")
    assert fencing.host_argument({}, both) == "port"  # Pacemaker 2.1-3.0 prefer port
    assert fencing.host_argument({}, plug_only) == "plug"
    assert fencing.host_argument({}, ("ip",)) == "port"
    assert fencing.host_argument({"pcmk_host_argument": "uuid"}, both) == "uuid"
    assert fencing.host_argument({"pcmk_host_argument": "none"}, both) is None
    mapped = {"pcmk_host_map": "node1:7;node2:8"}
    assert fencing.plug_for(mapped, "NODE2", "port") == "8"
    assert fencing.plug_for(mapped, "node3", "port") == "node3"
    assert fencing.plug_for({"port": "fixed"}, "node1", "port") == "fixed"
    assert fencing.plug_for({"port": "dynamic", **mapped}, "node1", "port") == "7"
    assert fencing.plug_for(mapped, "node1", None) is None


def test_the_agent_gets_everything_on_stdin_as_the_fencer_passes_it() -> None:
    params = {
        "ip": "192.0.2.9",
        "password": "p=ss word",
        "pcmk_host_map": "node1:7",
        "pcmk_host_list": "node1",
        "pcmk_delay_max": "5",
        "pcmk_reboot_action": "off",
        "pcmk_status_action": "getstatus",
        "action": "reboot",
        "provides": "unfencing",
    }
    assert fencing.agent_input(params, "node1", "port") == (
        "action=getstatus\nnodename=node1\nport=7\nip=192.0.2.9\npassword=p=ss word\n"
    )
    assert (
        fencing.agent_input({"ip": "x"}, "node2", None) == "action=status\nnodename=node2\nip=x\n"
    )


def test_secrets_are_found_by_name_and_redacted() -> None:
    params = {
        "password": "hunter22",
        "snmp_priv_passwd": "privpriv",
        "community": "pub1ic",
        "login": "admin",
        "passwd_script": "",
        "api_key": "k3y",
        "ip": "192.0.2.1",
    }
    assert sorted(fencing.secrets(params)) == ["hunter22", "k3y", "privpriv", "pub1ic"]
    text = "login admin with hunter22 to 192.0.2.1 (community pub1ic)"
    assert fencing.redact(text, fencing.secrets(params)) == (
        "login admin with *** to 192.0.2.1 (community ***)"
    )
    assert fencing.secrets({"password": fencing.CIBSECRET}) == []


def test_asked_from_another_online_node_where_the_device_may_run() -> None:
    online = ("node1", "node2", "node3")
    assert fencing.ask_order("node1", online, {"node3"}, set()) == ["node3", "node2"]
    assert fencing.ask_order("node3", online, {"node3"}, set()) == ["node1", "node2"]
    assert fencing.ask_order("node1", online, set(), {"node2"}) == ["node3"]
    assert fencing.ask_order("node1", ("node1",), set(), set()) == []
    ban = Constraint("b", "location", ("f1",), "-INFINITY", "node2")
    soft = Constraint("s", "location", ("f1",), "-100", "node3")
    other = Constraint("o", "location", ("f2",), "-INFINITY", "node1")
    assert fencing.banned((ban, soft, other), "f1") == {"node2"}


def check(exit_status: int | None, output: str = "", skipped: str = "") -> fencing.PathCheck:
    return fencing.PathCheck("node3", "f1", "node9", "node1", exit_status, output, skipped)


def test_what_an_answer_means() -> None:
    assert fencing.judge(check(0, "Status: ON"), online=True) is None
    wrong = fencing.judge(check(2, "Status: OFF"), online=True)
    assert wrong is not None
    assert (wrong.rule, wrong.severity) == ("fence_path_wrong_plug", Severity.CRITICAL)
    assert fencing.judge(check(2, "Status: OFF"), online=False) is None
    failed = fencing.judge(check(1, "unknown or missing plug 'node9'"), online=True)
    assert failed is not None
    assert failed.rule == "fence_path_failed"
    assert [(o.kind, o.id) for o in failed.objects] == [("device", "f1"), ("node", "node3")]
    assert "plug 'node9'" in failed.detail
    assert "asked from node1" in failed.detail
    assert "unknown or missing plug 'node9'" in failed.detail
    hung = fencing.judge(check(fencing.TIMED_OUT, "no answer within 60 s"), online=True)
    assert hung is not None
    assert hung.rule == "fence_path_failed"
    assert "no answer in time: no answer within 60 s" in hung.detail
    unchecked = fencing.judge(check(None, skipped="no other online node."), online=True)
    assert unchecked is not None
    assert (unchecked.rule, unchecked.severity) == ("fence_path_unchecked", Severity.INFO)


def device(dev: str, host_map: str) -> str:
    return (
        f'<primitive id="{dev}" class="stonith" type="fence_apc_snmp">'
        f'<instance_attributes id="{dev}-ia">{nv("pcmk_host_map", host_map)}'
        "</instance_attributes></primitive>"
    )


def test_host_maps_with_a_shared_plug_or_a_stranger() -> None:
    shared = facts(cib_xml(device("pdu", "node1:1;node2:2;node3:2")))
    (found,) = fencing.map_findings(shared)
    assert found.rule == "fence_map_duplicate_plug"
    assert [o.id for o in found.objects] == ["pdu", "node2", "node3"]
    typo = facts(cib_xml(device("pdu", "node1:1;node2:2;nod3:3")))
    (stranger,) = fencing.map_findings(typo)
    assert (stranger.rule, stranger.severity) == ("fence_map_unknown_node", Severity.WARNING)
    assert "'nod3'" in stranger.detail
    assert (
        list(fencing.map_findings(facts(cib_xml(device("pdu", "node1:1;node2:2;node3:3"))))) == []
    )
