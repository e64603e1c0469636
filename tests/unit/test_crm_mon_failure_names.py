"""A failure is named after its resource as crm_mon's resource list names it (issue 10 a, b).

Fixtures: crm_mon 2.1.5's output for Pacemaker's scheduler test CIBs
(tests/fixtures/pacemaker-scheduler/crm_mon-2.1.5, the README there says which CIB shows
what), the lab's recordings, and small hand-made results for the cases no CIB has.
"""

from __future__ import annotations

from hacore.pacemaker.model import FailedAction
from hacore.pacemaker.status import parse_crm_mon
from tests.crmmon import crm_mon_doc, load, scheduler


def subject(failure: FailedAction) -> tuple[str | None, str, str | None, int]:
    """(resource, node, task, interval_ms) of a failure."""
    return failure.resource, failure.node, failure.task, failure.interval_ms


def primitive(rsc_id: str, node: str | None = "node1") -> str:
    """A <resource> as crm_mon prints it, active on node (or stopped)."""
    where = f'<node name="{node}" id="1" cached="true"/>' if node else ""
    return (
        f'<resource id="{rsc_id}" resource_agent="ocf:pacemaker:Dummy" role="Started" '
        f'active="{str(bool(node)).lower()}" orphaned="false" blocked="false" managed="true" '
        f'failed="true" failure_ignored="false" nodes_running_on="{int(bool(node))}">'
        f"{where}</resource>"
    )


def failure(op_key: str, call: int = 5) -> str:
    """A <failure> with an op_key, as crm_mon 2.1.5 prints it."""
    return (
        f'<failure op_key="{op_key}" node="node1" exitstatus="not running" exitreason="" '
        f'exitcode="7" call="{call}" status="complete" last-rc-change="2026-11-25 16:11:58Z" '
        'queued="0" exec="0" interval="10000" task="monitor"/>'
    )


# --- (b) a clone instance in the op_key ---------------------------------------------------


def test_anonymous_clone_instance_is_named_as_the_resource_list_names_it() -> None:
    status = scheduler("bug-lf-2619")
    (fail,) = status.failures
    assert fail.op_key == "prmPingd:0_monitor_10000"
    assert subject(fail) == ("prmPingd", "act1", "monitor", 10000)
    assert "prmPingd" in {r.id for r in status.all_resources()}
    assert "prmPingd:0" not in {r.id for r in status.all_resources()}
    assert status.warnings == ()


def test_anonymous_clone_instance_in_an_old_id_too() -> None:
    status = scheduler("clone-anon-failcount")
    assert [(f.op_key, f.resource, f.node) for f in status.failures] == [
        ("clnUMdummy01:1_monitor_10000", "clnUMdummy01", "srv04"),
        ("clnUMdummy01:1_monitor_10000", "clnUMdummy01", "srv01"),
    ]


def test_unique_clone_instance_keeps_its_number() -> None:
    """A globally unique clone lists each instance as "<id>:<N>": that is its name."""
    clone = (
        '<clone id="uniq-clone" multi_state="false" unique="true" managed="true" '
        f'disabled="false" failed="false" failure_ignored="false">{primitive("uniq:0")}'
        f"{primitive('uniq:1')}</clone>"
    )
    status = parse_crm_mon(crm_mon_doc(clone, failures=failure("uniq:1_monitor_10000")))
    assert subject(status.failures[0]) == ("uniq:1", "node1", "monitor", 10000)
    anonymous = clone.replace('unique="true"', 'unique="false"').replace("uniq:0", "uniq")
    status = parse_crm_mon(
        crm_mon_doc(anonymous.replace("uniq:1", "uniq"), failures=failure("uniq:1_monitor_10000"))
    )
    assert subject(status.failures[0]) == ("uniq", "node1", "monitor", 10000)


def test_a_listed_primitive_keeps_its_name() -> None:
    status = load("failed_resource")
    assert [subject(f) for f in status.failures] == [
        ("web_frontend", "node1", "monitor", 5000),
        ("batch_job", "node1", "start", 0),
    ]
    assert status.warnings == ()


def test_an_op_key_resource_crm_mon_does_not_list_is_kept_with_a_warning() -> None:
    status = parse_crm_mon(crm_mon_doc(primitive("a_b"), failures=failure("gone_monitor_10000")))
    assert subject(status.failures[0]) == ("gone", "node1", "monitor", 10000)
    assert status.warnings == (
        "failure gone_monitor_10000 on node1: crm_mon lists no resource gone",
    )
    # an op_key is the resource's own key: no guessing from other ids or the history
    status = parse_crm_mon(crm_mon_doc(primitive("b"), failures=failure("a-b_monitor_10000")))
    assert status.failures[0].resource == "a-b"


# --- (a) old CIBs: a failure named by its XML id -----------------------------------------


def test_old_id_with_a_group_prefix() -> None:
    (fail,) = scheduler("rec-node-11").failures
    assert fail.op_key == "group1-rsc1_stop_0"
    assert subject(fail) == ("rsc1", "node1", "stop", 0)
    (fail,) = scheduler("994").failures
    assert (fail.op_key, fail.resource, fail.task) == (
        "group_1-postfix_9_monitor_0",
        "postfix_9",
        "monitor",
    )


def test_old_id_of_a_clone_instance() -> None:
    status = scheduler("1360")
    assert [(f.op_key, f.resource, f.node) for f in status.failures] == [
        ("dolly-dollies-0_monitor_0", "dollies", "ssgtest1b"),
        ("dolly-dollies-0_monitor_0", "dollies", "ssgtest1a"),
    ]
    (fail,) = scheduler("promoted-failed-demote").failures
    assert fail.op_key == "stateful-1-0_demote_0"
    assert subject(fail) == ("stateful-1:0", "dl380g5b", "demote", 0)  # a unique clone


def test_old_id_whose_task_is_not_in_it_takes_the_history_task() -> None:
    (fail,) = scheduler("rec-rsc-9").failures
    assert fail.op_key == "rsc3_fail_0"
    assert subject(fail) == ("rsc3", "node1", "asyncmon", 0)


def test_exit_reason_none_is_crm_mons_word_for_no_reason() -> None:
    (fail,) = scheduler("rec-rsc-9").failures
    assert fail.exitreason == ""
    text = failure("a_b_monitor_10000").replace('exitreason=""', 'exitreason="disk full"')
    status = parse_crm_mon(crm_mon_doc(primitive("a_b"), failures=text))
    assert status.failures[0].exitreason == "disk full"
