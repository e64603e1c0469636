"""<failures>, <node_history>, <fence_history> and <tickets>.

Fixtures: tests/fixtures/crm_mon (see tests/crmmon.py)."""

from __future__ import annotations

import datetime

from hacore.pacemaker.status_resources import INFINITY
from tests.crmmon import UTC, load, rsc


def test_failed_resources() -> None:
    status = load("failed_resource")
    monitor, start = status.failures
    assert (monitor.op_key, monitor.resource, monitor.task, monitor.interval_ms) == (
        "web_frontend_monitor_5000",
        "web_frontend",
        "monitor",
        5000,
    )
    assert (monitor.node, monitor.exitstatus, monitor.exitcode, monitor.status) == (
        "node1",
        "not running",
        7,
        "complete",
    )
    assert (monitor.exitreason, monitor.call) == ("No process state file found", 179)
    assert monitor.last_rc_change == datetime.datetime(2026, 11, 25, 16, 11, 58, tzinfo=UTC)
    assert (start.op_key, start.resource, start.task, start.interval_ms) == (
        "batch_job_start_0",
        "batch_job",
        "start",
        0,
    )
    assert (start.node, start.exitstatus, start.exitcode, start.exitreason) == (
        "node1",
        "error",
        1,
        "",
    )
    # recovered: restarted in place after the monitor failure, moved away after the start one
    assert rsc(status, "web_frontend").nodes == ("node1",)
    assert rsc(status, "batch_job").nodes == ("node2",)
    assert not any(r.failed for r in status.all_resources())
    counts = {(h.node, h.resource): h.fail_count for h in status.history if h.fail_count}
    assert counts == {("node1", "web_frontend"): 1, ("node1", "batch_job"): INFINITY}
    failed_monitor = [h for h in status.history if h.rc == 7]
    assert [(h.resource, h.task, h.interval_ms, h.rc_text, h.call) for h in failed_monitor] == [
        ("web_frontend", "monitor", 5000, "not running", 179)
    ]


def test_failures_with_underscores_and_without_task() -> None:
    first, second, third = load("handmade_oddities").failures
    assert (first.resource, first.task, first.interval_ms) == ("my_web_app", "migrate_to", 0)
    assert first.exitreason == "migration failed"
    assert (second.resource, second.task, second.interval_ms) == ("db", "monitor", 15000)
    assert second.last_rc_change == datetime.datetime(2025, 1, 7, 23, 59, 30, tzinfo=UTC)
    assert (third.op_key, third.resource, third.call, third.status) == (
        "nonsense",
        None,
        -1,
        "Timed Out",
    )


def test_history_fail_count_infinity() -> None:
    promote, monitor = load("handmade_oddities").history
    assert (promote.node, promote.resource, promote.task, promote.call) == (
        "alpha",
        "db",
        "promote",
        21,
    )
    assert promote.fail_count == INFINITY
    assert (monitor.interval_ms, monitor.rc, monitor.rc_text, monitor.call) == (
        15000,
        8,
        "promoted",
        None,
    )


def test_fencing_tickets_attributes() -> None:
    status = load("handmade_oddities")
    failed, pending = status.fence_history
    assert (failed.target, failed.action, failed.status, failed.exit_reason) == (
        "beta",
        "reboot",
        "failed",
        "No route to host",
    )
    assert failed.completed == datetime.datetime(2026, 10, 5, 12, 2, 42, 88147, tzinfo=UTC)
    assert (pending.status, pending.completed, pending.delegate) == ("pending", None, None)
    a, b = status.tickets
    assert (a.id, a.granted, a.standby) == ("ticketA", True, False)
    assert a.last_granted == datetime.datetime(2026, 11, 25, 14, 58, 11, tzinfo=UTC)
    assert (b.id, b.granted, b.standby, b.last_granted) == ("ticketB", False, True, None)
    alpha, beta = status.nodes
    assert alpha.attributes == (("pingd", "1000"), ("site", "paris"))
    assert (beta.attributes, beta.standby_onfail, beta.shutdown) == ((), True, True)
