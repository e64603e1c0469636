"""What the console shows when it cannot know, on the real lab: a watcher that stops
turns the cluster stale (grey, with the age) within 5 s, never "down"; a node whose
crm_mon cannot read the cluster gives crm_mon's own words, keeps the last good state and
records an event, never an empty cluster."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster, Event
from tests.conftest import child_env, stop
from tests.labutil import REPO, Lab, lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def until(check: Callable[[], Any], timeout: float, step: float = 0.2) -> Any:
    """check()'s first true value within timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(step)
    raise AssertionError(f"not true after {timeout} s")


def start_monitor() -> subprocess.Popen[bytes]:
    argv = [sys.executable, "manage.py", "monitor", "--probe-interval", "5"]
    return subprocess.Popen(argv, cwd=REPO, env=child_env())


def status(api: APIClient, cluster: Cluster) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/api/v1/clusters/{cluster.pk}/status/").json()
    return body


def test_a_stopped_watcher_turns_the_cluster_grey_within_5s_never_down(
    api: APIClient, lab_cluster: Cluster
) -> None:
    monitor = start_monitor()
    try:
        live = until(lambda: (s := status(api, lab_cluster))["contact"]["stale"] is False and s, 30)
        assert live["health"] in ("green", "amber")
    finally:
        stop(monitor)
    stopped = time.monotonic()
    grey = until(lambda: (s := status(api, lab_cluster))["contact"]["stale"] and s, 10)
    assert time.monotonic() - stopped < 7, "stale within 5 s of the last heartbeat (2 s apart)"
    assert grey["health"] == "grey"
    assert grey["status"]["nodes"], "the last data stays, with its age"
    assert grey["contact"]["at"], "the age of the last contact is known"
    monitor = start_monitor()
    try:
        back = until(lambda: (s := status(api, lab_cluster))["contact"]["stale"] is False and s, 30)
        assert back["health"] != "grey"
    finally:
        stop(monitor)


def test_an_unreadable_status_keeps_the_last_good_one_in_crm_mons_words(
    api: APIClient, lab_cluster: Cluster, the_lab: Lab
) -> None:
    # Only node1 can be read from: the watcher must stay with it.
    lab_cluster.nodes.exclude(name="node1").update(host_key="", host_key_fingerprint="")
    monitor = start_monitor()
    try:
        until(lambda: status(api, lab_cluster)["contact"]["stale"] is False, 30)
        lab("crash-node", "1")  # corosync and Pacemaker die; sshd answers
        failed = until(
            lambda: "crm_mon" in ((s := status(api, lab_cluster))["read_error"] or "") and s, 30
        )
        assert "could not read the cluster status" in failed["read_error"], failed["read_error"]
        assert failed["health"] == "grey"
        assert len(failed["status"]["nodes"]) == 3, "never an empty cluster"
        assert Event.objects.filter(cluster=lab_cluster, kind="read_failed").count() >= 1
    finally:
        stop(monitor)
        the_lab.wait_online(1)  # the others fenced it; it comes back
        lab("reset", timeout=300)


def test_a_partition_is_shown_with_each_side_and_its_healing(
    api: APIClient, lab_cluster: Cluster, the_lab: Lab
) -> None:
    monitor = start_monitor()
    try:
        until(lambda: status(api, lab_cluster)["contact"]["stale"] is False, 30)
        lab("partition", "3")
        split = until(lambda: len((s := status(api, lab_cluster))["partitions"]) == 2 and s, 120)
        sides = {tuple(p["nodes"]): p for p in split["partitions"]}
        assert set(sides) == {("node1", "node2"), ("node3",)}, split["partitions"]
        assert sides[("node1", "node2")]["quorate"] is True
        assert (sides[("node3",)]["quorate"], sides[("node3",)]["dc"]) == (False, "node3")
        assert split["warnings"][0]["code"] == "split"
        assert "The console reads from" in split["warnings"][0]["message"]
        lab("heal")
        until(lambda: status(api, lab_cluster)["partitions"] == [], 180)
        kinds = set(Event.objects.filter(cluster=lab_cluster).values_list("kind", flat=True))
        assert {"partitioned", "partitions_healed"} <= kinds
    finally:
        stop(monitor)
        lab("heal", check=False)
        the_lab.wait_online(3)
        lab("reset", timeout=300)
