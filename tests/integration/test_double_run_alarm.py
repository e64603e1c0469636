"""The double-run alarm in the mirror (clusters/mirror.apply_double_runs): a critical
warning on the cluster's status (page, overview, wall), red health, an event when it
begins and when it ends; the same report twice changes nothing."""

from __future__ import annotations

import pytest

from clusters.choices import EventKind, Severity
from clusters.mirror import apply_double_runs, apply_status, cluster_message, tile_message
from clusters.models import Cluster, Event
from hacore.libvirt import DoubleRun
from hacore.pacemaker.status import parse_crm_mon
from tests.scripted import fixture

pytestmark = pytest.mark.django_db
MON = fixture("advice/book_ch11.crm_mon.xml")  # ubuntu Started on node3
RUN = DoubleRun("ubuntu", "ubuntu", ("node1", "node3"), ("node3",))


def test_a_double_run_is_a_critical_warning_and_an_event_until_it_ends(cluster: Cluster) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    before = cluster_message(Cluster.objects.get(pk=cluster.pk))
    assert "double_run" not in [w["code"] for w in before["warnings"]]
    message = apply_double_runs(cluster.pk, [RUN.as_json()])
    assert message is not None
    assert message["seq"] == before["seq"] + 1
    (warning,) = [w for w in message["warnings"] if w["code"] == "double_run"]
    assert warning["level"] == "critical"
    assert "ubuntu runs on node1 and node3; Pacemaker places it on node3" in warning["message"]
    assert message["health_in_contact"] == "red"
    assert Cluster.objects.get(pk=cluster.pk).health == "red"
    (event,) = message["events"]
    assert (event["kind"], event["severity"], event["resource"]) == (
        EventKind.DOUBLE_RUN, Severity.CRITICAL, "ubuntu",
    )  # fmt: skip
    # the tile (overview, wall) carries it too
    tile = tile_message(message)
    assert (tile["health_in_contact"], tile["warnings"][0]["code"]) == ("red", "double_run")
    # a new status read keeps the health red while the double run lasts
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    assert Cluster.objects.get(pk=cluster.pk).health == "red"
    assert apply_double_runs(cluster.pk, [RUN.as_json()]) is None  # unchanged: nothing
    ended = apply_double_runs(cluster.pk, [])
    assert ended is not None
    assert "double_run" not in [w["code"] for w in ended["warnings"]]
    assert [e["kind"] for e in ended["events"]] == [EventKind.DOUBLE_RUN_ENDED]
    assert Event.objects.filter(cluster=cluster, kind__startswith="double_run").count() == 2
