"""The double-run alarm in the mirror (clusters/mirror.apply_alarms): a critical
warning on the cluster's status (page, overview, wall), red health, an event when it
begins and when it ends; the same report twice changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from clusters import advice_store
from clusters.choices import EventKind, Severity
from clusters.mirror import apply_alarms, apply_status, cluster_message, tile_message
from clusters.models import Cluster, Event
from hacore.libvirt import DoubleRun
from hacore.pacemaker.status import parse_crm_mon
from resources.models import DrbdDevice, VirtualMachine
from resources.services import mirror_drbd, mirror_vms
from tests.scripted import fixture

pytestmark = pytest.mark.django_db
MON = fixture("advice/book_ch11.crm_mon.xml")  # ubuntu Started on node3
RUN = DoubleRun("ubuntu", "ubuntu", ("node1", "node3"), ("node3",))


def test_the_vm_rows_hold_what_libvirt_said(cluster: Cluster) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")  # the mirror makes the row
    seen = {
        "ubuntu": {"domain": "ubuntu", "hypervisor": "qemu:///system",
                   "state": {"node1": "shut off", "node3": "running"}},
        "gone": {"domain": "gone", "hypervisor": "qemu:///system", "state": {}},
    }  # fmt: skip
    now = timezone.now()
    assert mirror_vms(cluster.pk, seen, now) == 1  # no resource "gone": nothing made up
    vm = VirtualMachine.objects.get(resource__cluster=cluster, resource__rid="ubuntu")
    assert (vm.domain, vm.hypervisor, vm.confirmed) == ("ubuntu", "qemu:///system", now)
    assert vm.state == {"node1": "shut off", "node3": "running"}


def test_a_double_run_is_a_critical_warning_and_an_event_until_it_ends(cluster: Cluster) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    before = cluster_message(Cluster.objects.get(pk=cluster.pk))
    assert "double_run" not in [w["code"] for w in before["warnings"]]
    message = apply_alarms(cluster.pk, "double_runs", [RUN.as_json()])
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
    assert apply_alarms(cluster.pk, "double_runs", [RUN.as_json()]) is None  # unchanged: nothing
    ended = apply_alarms(cluster.pk, "double_runs", [])
    assert ended is not None
    assert "double_run" not in [w["code"] for w in ended["warnings"]]
    assert [e["kind"] for e in ended["events"]] == [EventKind.DOUBLE_RUN_ENDED]
    assert Event.objects.filter(cluster=cluster, kind__startswith="double_run").count() == 2


def test_a_split_brain_is_an_alarm_of_its_own_beside_a_double_run(cluster: Cluster) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    apply_alarms(cluster.pk, "double_runs", [RUN.as_json()])
    split = {
        "resource": "datos",
        "nodes": ["node1", "node2"],
        "message": "DRBD datos is StandAlone",
    }
    message = apply_alarms(cluster.pk, "split_brains", [split])
    assert message is not None
    codes = [w["code"] for w in message["warnings"] if w["level"] == "critical"]
    assert {"double_run", "split_brain"} <= set(codes)
    assert [e["kind"] for e in message["events"]] == [EventKind.SPLIT_BRAIN]
    ended = apply_alarms(cluster.pk, "split_brains", [])
    assert ended is not None
    assert [e["message"] for e in ended["events"]] == ["DRBD datos is no longer StandAlone"]
    assert "double_run" in [w["code"] for w in ended["warnings"]]  # the other kind stays
    assert Cluster.objects.get(pk=cluster.pk).health == "red"


def test_the_drbd_rows_hold_what_each_node_said(cluster: Cluster) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")  # the mirror makes the rows
    rows = DrbdDevice.objects.filter(resource__cluster=cluster)
    assert [d.resource.rid for d in rows] == ["drbd_datos"]
    one = {"role": "Primary", "suspended": False, "volumes": []}
    other = {"role": "Secondary", "suspended": False, "volumes": []}
    now = timezone.now()
    assert mirror_drbd(cluster.pk, "node1", {"drbd_datos": {"name": "datos", "state": one}}, now)
    assert mirror_drbd(cluster.pk, "node2", {"drbd_datos": {"name": "datos", "state": other}}, now)
    assert mirror_drbd(cluster.pk, "node1", {"nope": {"name": "x", "state": one}}, now) == 0
    device = DrbdDevice.objects.get(resource__cluster=cluster)
    assert (device.drbd_resource, device.confirmed) == ("datos", now)
    assert device.state == {"node1": one, "node2": other}  # each node's own, kept apart


def test_a_stalled_resync_is_a_warning_that_makes_the_health_amber_and_the_advice_stale(
    cluster: Cluster,
) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    row = Cluster.objects.get(pk=cluster.pk)
    key = advice_store.status_key(row, row.snapshot)
    health = row.health
    stall = {"resource": "datos", "nodes": ["node1"], "since": "", "message": "DRBD datos: stuck"}
    message = apply_alarms(cluster.pk, "stalled_resyncs", [stall])
    assert message is not None
    (warning,) = [w for w in message["warnings"] if w["code"] == "resync_stalled"]
    assert (warning["level"], warning["message"]) == ("warning", "DRBD datos: stuck")
    assert [(e["kind"], e["severity"]) for e in message["events"]] == [
        (EventKind.RESYNC_STALLED, Severity.WARNING)
    ]
    row = Cluster.objects.get(pk=cluster.pk)
    assert row.health == ("red" if health == "red" else "amber")
    # the advisor's stored findings no longer count as current: the stall is a rule's fact
    assert advice_store.status_key(row, row.snapshot) != key
    ended = apply_alarms(cluster.pk, "stalled_resyncs", [])
    assert ended is not None
    assert [e["kind"] for e in ended["events"]] == [EventKind.RESYNC_RESUMED]


def test_the_resources_api_serves_the_mirrors_vm_and_drbd_rows_with_their_age(
    cluster: Cluster, api: APIClient
) -> None:
    apply_status(cluster.pk, parse_crm_mon(MON), "node1")
    url = f"/api/v1/resources/?cluster={cluster.pk}"
    before = {r["id"]: r for r in api.get(url).json()["results"]}
    assert before["ubuntu"]["libvirt"] == {
        "domain": "", "hypervisor": "", "state": {}, "confirmed": None,
    }  # fmt: skip
    now = timezone.now()
    running = {"node3": "running"}
    mirror_vms(cluster.pk, {"ubuntu": {"domain": "ubuntu", "hypervisor": "qemu:///system",
                                       "state": running}}, now)  # fmt: skip
    state = {"role": "Primary", "suspended": False, "volumes": []}
    mirror_drbd(cluster.pk, "node1", {"drbd_datos": {"name": "datos", "state": state}}, now)
    after = {r["id"]: r for r in api.get(url).json()["results"]}
    assert after["ubuntu"]["libvirt"] == {
        "domain": "ubuntu", "hypervisor": "qemu:///system", "state": running,
        "confirmed": now.isoformat(),
    }  # fmt: skip
    assert after["drbd_datos"]["drbd"] == {
        "drbd_resource": "datos", "state": {"node1": state}, "confirmed": now.isoformat(),
    }  # fmt: skip
    assert (after["ubuntu"]["drbd"], after["drbd_datos"]["libvirt"]) == (None, None)
