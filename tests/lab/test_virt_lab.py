"""The console's VM and DRBD reads on the lab's book scenario (`lab/lab scenario book
--fixed`): what every node's libvirt and DRBD say, next to Pacemaker's placement; a domain
started by hand on a second node is a double run. Every test here is transactional, so
pytest-django keeps this module's tests together and the scenario is torn down before
the other lab tests run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster, Event
from resources.models import DrbdDevice, VirtualMachine
from tests.lab.labmachines import (
    book_scenario,
    crm_mon,
    node_names,
    on,
    placements,
    qemu_count,
    wait_until,
)
from tests.lab.oputil import finished
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def book() -> Iterator[None]:
    with book_scenario():
        yield


def number(node: str) -> int:
    return int(node.removeprefix("node"))


def layout() -> tuple[list[str], str]:
    """The nodes where DRBD's datos is promoted, and the one running the VM."""
    promoted = sorted(node for role, node in placements("drbd_datos") if role == "Promoted")
    (host,) = [node for role, node in placements("ubuntu") if role == "Started"]
    return promoted, host


def alarm(cluster: Cluster, kind: str) -> Event | None:
    return Event.objects.filter(cluster=cluster, kind=kind, resource="ubuntu").first()


def test_the_console_shows_the_vm_and_drbd_as_every_node_sees_them(
    book: None, lab_cluster: Cluster, api: APIClient, monitor: object
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    promoted, host = layout()
    vm = api.get(f"{base}/vms/ubuntu/").json()
    assert (vm["name"], vm["resource"], vm["node"], vm["allow_migrate"]) == (
        "ubuntu", "ubuntu", host, True,
    )  # fmt: skip
    # the third node runs no libvirtd (clone-max=2): its state is unknown, and says why
    (spare,) = [n for n in node_names() if n not in promoted]
    assert set(vm["read_errors"]) == {spare}
    assert "libvirt" in vm["read_errors"][spare]
    assert spare not in vm["domains"]
    assert vm["domains"][host] == "running"
    assert [n for n, state in vm["domains"].items() if state == "running"] == [host]
    assert vm["double_run"] is False
    # libvirt's description where Pacemaker runs it (the lab's guest: 1 vCPU, 64 MiB,
    # diskless, transient: VirtualDomain starts it from its config file)
    details = vm["details"]
    assert (details["node"], details["error"], details["state"]) == (host, "", "running")
    assert (details["vcpus"], details["max_memory_kib"], details["persistent"]) == (
        1, 65536, False,
    )  # fmt: skip
    assert details["disks"] == []
    datos = api.get(f"{base}/drbd/datos/").json()
    assert datos["read_errors"] == {}
    assert sorted(n for n, s in datos["nodes"].items() if s["role"] == "Primary") == promoted
    for node in promoted:
        (volume,) = datos["nodes"][node]["volumes"]
        assert (volume["disk_state"], volume["out_of_sync"], volume["split_brain"]) == (
            "UpToDate", 0, False,
        )  # fmt: skip
        towards = next(p for p in volume["peers"] if p["peer"] in promoted)
        assert (towards["connection_state"], towards["replication_state"]) == (
            "Connected", "Established",
        )  # fmt: skip
    # a second copy started by hand on the other promoted node: the double run
    other = next(n for n in promoted if n != host)
    on(number(other), "virsh", "-c", "qemu:///system", "create", vm["config"], check=True)
    try:
        twice = api.get(f"{base}/vms/ubuntu/").json()
        assert twice["double_run"] is True
        assert twice["running_outside_pacemaker"] == [other]
        # the monitor follows libvirt too: the alarm is pushed to the cluster's status
        # (page, overview, wall) and the events, though Pacemaker saw no change at all
        raised = wait_until("the double-run event", lambda: alarm(lab_cluster, "double_run"))
        assert raised.severity == "critical"
        assert f"runs on {' and '.join(sorted([host, other]))}" in raised.message
        status = api.get(f"{base}/status/").json()
        assert status["health_in_contact"] == "red"
        # the mirror's VM row holds what libvirt said on every node
        row = VirtualMachine.objects.get(resource__cluster=lab_cluster, resource__rid="ubuntu")
        assert row.domain == "ubuntu"
        assert (row.state[host], row.state[other]) == ("running", "running")
        assert "double_run" in [w["code"] for w in status["warnings"]]
    finally:
        on(number(other), "virsh", "-c", "qemu:///system", "destroy", "ubuntu", check=True)
    wait_until("the double run's end", lambda: alarm(lab_cluster, "double_run_ended"))
    assert "double_run" not in [w["code"] for w in api.get(f"{base}/status/").json()["warnings"]]
    # the monitor's DRBD watch fills the mirror's DRBD row, each promoted node's state

    def drbd_row() -> DrbdDevice | None:
        row = DrbdDevice.objects.filter(resource__cluster=lab_cluster, resource__rid="drbd_datos")
        found = row.first()
        return found if found is not None and set(promoted) <= set(found.state) else None

    device = wait_until("the DRBD row of both promoted nodes", drbd_row)
    assert device.drbd_resource == "datos"
    assert {device.state[n]["role"] for n in promoted} == {"Primary"}


def precheck(api: APIClient, base: str, node: str) -> dict[str, Any]:
    response = api.post(f"{base}/vms/ubuntu/precheck/", {"node": node}, format="json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def running_on(node: str) -> bool:
    listed = on(number(node), "virsh", "-c", "qemu:///system", "list", "--name")
    return "ubuntu" in listed.split()


def test_the_precheck_blocks_a_node_without_libvirtd_and_a_standby_node(
    book: None, lab_cluster: Cluster, api: APIClient
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    promoted, host = layout()
    (spare,) = [n for n in node_names() if n not in promoted]
    other = next(n for n in promoted if n != host)
    fine = precheck(api, base, other)
    assert (fine["ok"], fine["blockers"]) == (True, [])
    assert {"action": "migrate", "resource": "ubuntu", "dest": other}.items() <= (
        fine["actions"][0].items()
    )
    # the third node runs neither libvirtd nor the storage stack, nor DRBD's datos
    bare = precheck(api, base, spare)
    assert bare["ok"] is False
    reasons: dict[str, list[str]] = {}
    for b in bare["blockers"]:
        reasons.setdefault(b["code"], []).append(b["reason"])
    assert (
        f"res_libvirtd-clone (lsb:libvirtd) is not running on {spare}"
        in (reasons["dependency_not_running"])
    )
    assert (
        f"sharedFS-clone (ocf:haconsole-lab:Filesystem) is not running on {spare}"
        in (reasons["dependency_not_running"])
    )
    assert "datos" in " ".join(reasons["drbd_down"])
    # a refused migration changes nothing and says why
    refused = api.post(f"{base}/vms/ubuntu/migrate/", {"node": spare}, format="json")
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "migration_blocked"
    assert "dependency_not_running" in {b["code"] for b in refused.json()["blockers"]}
    assert placements("ubuntu") == [("Started", host)]
    # the other node in standby
    on(1, "pcs", "node", "standby", other, check=True)
    try:
        wait_until("the standby node to run nothing", lambda: not running_on_any(other))
        standby = precheck(api, base, other)
        codes = {b["code"] for b in standby["blockers"]}
        assert "node_standby" in codes
        assert f"{other} is in standby: it runs no resources" in [
            b["reason"] for b in standby["blockers"]
        ]
    finally:
        on(1, "pcs", "node", "unstandby", other, check=True)
        wait_until("the stack back on both nodes", both_promoted, timeout=180)


def running_on_any(node: str) -> bool:
    return any(n == node for _, n in placements("res_libvirtd"))


def both_promoted() -> bool:
    promoted = [n for role, n in placements("drbd_datos") if role == "Promoted"]
    return len(promoted) == 2 and len(placements("res_libvirtd")) == 2


def test_a_vm_live_migrates_through_the_api_and_runs_on_the_new_node_only(
    book: None, lab_cluster: Cluster, api: APIClient, worker: object
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    wait_until("the stack on both nodes", both_promoted, timeout=180)
    (host,) = [node for role, node in placements("ubuntu") if role == "Started"]
    other = next(n for _, n in placements("drbd_datos") if n != host)
    assert qemu_count(number(host)) == 1
    response = api.post(f"{base}/vms/ubuntu/migrate/", {"node": other}, format="json")
    assert response.status_code == 202, response.content
    op = finished(api, response.json()["id"], timeout=180)
    assert op["status"] == "succeeded", op
    assert placements("ubuntu") == [("Started", other)]
    assert running_on(other)
    assert not running_on(host)
    assert (qemu_count(number(host)), qemu_count(number(other))) == (0, 1)
    # Pacemaker migrated it (migrate_to / migrate_from), it did not stop and start it
    history = on(1, "crm_mon", "--one-shot", "--operations", "--output-as=xml")
    assert 'task="migrate_to"' in history
    assert 'task="migrate_from"' in history
    # and no move constraint is left behind
    constraints = on(1, "cibadmin", "--query", "--scope", "constraints")
    assert "cli-prefer-ubuntu" not in constraints
    moved = api.get(f"{base}/vms/ubuntu/").json()
    assert moved["domains"][other] == "running"
    assert moved["domains"][host] in ("shut off", None)
    assert moved["double_run"] is False


def drbd_state(api: APIClient, base: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"{base}/drbd/datos/").json()
    return body


def healed(api: APIClient, base: str, pair: list[str]) -> bool:
    """Both sides UpToDate, connected to each other, nothing out of sync between them
    (the third node, never up, is a peer they cannot reach: not part of it)."""
    datos = drbd_state(api, base)
    for node in pair:
        volume = datos["nodes"][node]["volumes"][0]
        other = next(n for n in pair if n != node)
        towards = next(p for p in volume["peers"] if p["peer"] == other)
        seen = (
            volume["disk_state"],
            towards["connection_state"],
            towards["replication_state"],
            towards["peer_disk_state"],
            towards["out_of_sync"],
        )
        if seen != ("UpToDate", "Connected", "Established", "UpToDate", 0):
            return False
    return True


def healed_now(api: APIClient, base: str) -> bool:
    """The nodes where Pacemaker promotes datos now are healed. Not the split pair as
    such: the re-probe at the resolution's end lets Pacemaker place the clone's two
    instances again (clone-max=2 on three nodes, no stickiness), and CI saw it move one
    off a node of the split pair to the node that ran none, whose DRBD then synced and
    joined: the pair's other side then stays Connecting towards the node left."""
    promoted = sorted(n for role, n in placements("drbd_datos") if role == "Promoted")
    return len(promoted) == 2 and healed(api, base, promoted)


def test_a_split_brain_is_detected_and_resolved_through_the_guided_flow(
    book: None, lab_cluster: Cluster, api: APIClient, worker: object
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    url = f"{base}/drbd/datos/resolve-split-brain/"
    wait_until("the stack on both nodes", both_promoted, timeout=180)
    none = api.post(url, {"victim": "node1", "confirm": "node1"}, format="json")
    assert (none.status_code, none.json()["code"]) == (409, "no_split_brain")
    promoted, host = layout()
    victim = next(n for n in promoted if n != host)
    lab("drbd", "split-brain", "datos", "--nodes", ",".join(str(number(n)) for n in promoted))
    split = drbd_state(api, base)
    assert split["split_brain"] is True
    for node in promoted:
        towards = {p["peer"]: p for p in split["nodes"][node]["volumes"][0]["peers"]}
        other = next(n for n in promoted if n != node)
        assert (towards[other]["connection_state"], towards[other]["split_brain"]) == (
            "StandAlone", True,
        )  # fmt: skip
    unconfirmed = api.post(url, {"victim": victim}, format="json")
    assert unconfirmed.status_code == 400
    assert unconfirmed.json()["code"] == "confirmation_required"
    assert f"on {victim} since the split will be discarded" in unconfirmed.json()["detail"]
    body = {"victim": victim, "confirm": victim}
    planned = api.post(f"{url}?plan=1", body, format="json")
    assert planned.status_code == 200, planned.content
    steps = [(c["node"], " ".join(c["argv"])) for c in planned.json()["commands"]]
    assert steps == [
        ("", "pcs resource unmanage drbd_datos-clone"),
        (victim, "drbdadm secondary datos"),
        (victim, "drbdadm connect --discard-my-data datos"),
        (host, "drbdadm connect datos"),
        ("", "pcs resource refresh drbd_datos-clone"),
        ("", "pcs resource manage drbd_datos-clone"),
    ]
    queued = api.post(url, body, format="json")
    assert queued.status_code == 202, queued.content
    op = finished(api, queued.json()["id"], timeout=180)
    assert op["status"] == "succeeded", op
    assert [s["node"] for s in op["steps"] if s["argv"][0] == "drbdadm"] == [
        victim, victim, host,
    ]  # fmt: skip
    wait_until(
        "the resync to end",
        lambda: healed_now(api, base),
        timeout=120,
        explain=lambda: "\n".join(
            [json.dumps(drbd_state(api, base)["nodes"], indent=1)]
            + [on(number(n), "drbdsetup", "status", "datos", "--verbose") for n in node_names()]
            + [on(1, "crm_mon", "--one-shot", "--inactive")]
        ),
    )
    wait_until("Pacemaker to promote both again", both_promoted, timeout=120)
    assert "cli-" not in on(1, "cibadmin", "--query", "--scope", "constraints")
    resources = on(1, "cibadmin", "--query", "--scope", "resources")
    assert 'name="is-managed" value="false"' not in resources


def drain_paused(api: APIClient, url: str, timeout: float) -> dict[str, Any]:
    """The node's drain once its worker let it go (paused, succeeded, failed)."""

    def ended() -> dict[str, Any] | None:
        body: dict[str, Any] = api.get(url).json()
        return body if body["status"] not in ("queued", "running") else None

    return wait_until("the drain to end its phase", ended, timeout=timeout)


def node_state(name: str) -> dict[str, str]:
    root = crm_mon(1)
    assert root is not None
    node = next(n for n in root.iterfind("nodes/node") if n.get("name") == name)
    return {k: node.get(k, "") for k in ("online", "standby", "resources_running")}


def test_a_drain_leaves_no_vm_and_no_move_constraint_on_the_node_and_brings_it_back(
    book: None, lab_cluster: Cluster, api: APIClient, worker: object
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    wait_until("the stack on both nodes", both_promoted, timeout=180)
    promoted, host = layout()
    other = next(n for n in promoted if n != host)
    (spare,) = [n for n in node_names() if n not in promoted]
    # DRBD's disk lives on two nodes only, as in the book: without this, the storage
    # clones would take their second instance to the spare while the node is away, and
    # stay there (the VM could not come back: the drain would say so and leave it)
    on(1, "pcs", "constraint", "location", "drbd_datos-clone", "avoids", spare, check=True)
    try:
        drain_and_return(api, base, host, other)
    finally:
        on(1, "pcs", "constraint", "delete", f"location-drbd_datos-clone-{spare}--INFINITY")


def drain_and_return(api: APIClient, base: str, host: str, other: str) -> None:
    url = f"{base}/nodes/{host}/drain/"
    assert api.get(url).status_code == 404
    started = api.post(url, {}, format="json")
    assert started.status_code == 202, started.content
    assert (started.json()["phase"], started.json()["status"]) == ("out", "queued")
    drained = drain_paused(api, url, timeout=300)
    assert (drained["phase"], drained["status"]) == ("drained", "paused"), drained
    assert drained["vms"] == [
        {"resource": "ubuntu", "origin": host, "to": other, "state": "moved", "reason": ""}
    ]
    assert [s["state"] for s in drained["steps"]] == ["done"] * len(drained["steps"])
    # the VM live-migrated (no stop and start) and runs on the other node only
    assert placements("ubuntu") == [("Started", other)]
    assert (qemu_count(number(host)), qemu_count(number(other))) == (0, 1)
    history = on(1, "crm_mon", "--one-shot", "--operations", "--output-as=xml")
    assert 'task="migrate_from"' in history
    assert node_state(host) == {"online": "true", "standby": "true", "resources_running": "0"}
    # one drain at a time: a second node is refused while this one is away
    second = api.post(f"{base}/nodes/{other}/drain/", {}, format="json")
    assert (second.status_code, second.json()["code"]) == (409, "conflict")
    assert api.post(f"{url}resume/", {}, format="json").status_code == 409
    returned = api.post(f"{url}return/", {"move_back": True}, format="json")
    assert returned.status_code == 202, returned.content
    done = drain_paused(api, url, timeout=600)
    assert (done["phase"], done["status"]) == ("done", "succeeded"), done
    assert done["vms"][0]["state"] == "returned", (done["vms"], done["steps"])
    assert node_state(host)["standby"] == "false"
    assert placements("ubuntu") == [("Started", host)]
    assert (qemu_count(number(host)), qemu_count(number(other))) == (1, 0)
    assert "cli-" not in on(1, "cibadmin", "--query", "--scope", "constraints")
    # audited as one operation, every command of it kept
    op = api.get(f"/api/v1/operations/{done['operation']}/").json()
    assert (op["kind"], op["target"], op["status"]) == ("node.drain", host, "succeeded")
    ran = [" ".join(s["argv"]) for s in op["steps"]]
    assert any(f"--node {host} --name standby --update on" in line for line in ran), ran
    assert any(line.startswith("cibadmin --patch") for line in ran), ran
    assert any(line.startswith("drbdsetup status") for line in ran), ran


def test_the_advisor_finds_a_cluster_vm_that_libvirt_would_start_by_itself(
    book: None, lab_cluster: Cluster, api: APIClient
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    promoted, host = layout()
    other = next(n for n in promoted if n != host)
    config = api.get(f"{base}/vms/ubuntu/").json()["config"]

    def rules() -> dict[str, Any]:
        answer = api.get(f"{base}/advice/?refresh=1")
        assert answer.status_code == 200, answer.content
        return {f["rule"]: f for f in answer.json()}

    # the definition is on the shared filesystem, mounted wherever libvirtd runs
    assert {"vm_autostart", "libvirt_guests_enabled", "vm_config_missing"}.isdisjoint(rules())
    # a persistent copy of the definition on the other node, marked autostart: the day
    # that node's libvirtd starts, it starts the VM beside Pacemaker's copy
    on(number(other), "virsh", "-c", "qemu:///system", "define", config, check=True)
    try:
        on(number(other), "virsh", "-c", "qemu:///system", "autostart", "ubuntu", check=True)
        found = rules()["vm_autostart"]
        assert found["severity"] == "critical"
        assert [o["id"] for o in found["objects"]] == ["ubuntu", other]
        assert "libvirt_guests_enabled" not in rules()  # not installed on the lab's nodes
    finally:
        on(number(other), "virsh", "-c", "qemu:///system", "autostart", "--disable", "ubuntu")
        on(number(other), "virsh", "-c", "qemu:///system", "undefine", "ubuntu")
