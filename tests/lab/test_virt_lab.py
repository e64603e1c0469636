"""The console's VM and DRBD reads on the lab's book scenario (`lab/lab scenario book
--fixed`): what every node's libvirt and DRBD say, next to Pacemaker's placement; a domain
started by hand on a second node is a double run. Every test here is transactional, so
pytest-django keeps this module's tests together and the scenario is torn down before
the other lab tests run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.lab.labmachines import book_scenario, node_names, on, placements

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def book() -> Iterator[None]:
    with book_scenario():
        yield


def number(node: str) -> int:
    return int(node.removeprefix("node"))


def test_the_console_shows_the_vm_and_drbd_as_every_node_sees_them(
    book: None, lab_cluster: Cluster, api: APIClient
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    promoted = sorted(node for role, node in placements("drbd_datos") if role == "Promoted")
    (host,) = [node for role, node in placements("ubuntu") if role == "Started"]
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
    finally:
        on(number(other), "virsh", "-c", "qemu:///system", "destroy", "ubuntu", check=True)
