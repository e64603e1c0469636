"""The book's stack set up through the console on the lab: the nodes readied by `lab/lab
scenario book --prepare` (DRBD's datos configured, the guest defined on the shared
path, nothing in Pacemaker), then `POST .../setup/book-stack/`: planned with crm_simulate,
applied in one push, and the cluster runs what the plan said it would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.lab.labmachines import placements, wait_until
from tests.lab.oputil import finished
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
LAB_AGENTS = {
    "dlm": "ocf:haconsole-lab:controld",
    "clvm": "ocf:haconsole-lab:clvm",
    "filesystem": "ocf:haconsole-lab:Filesystem",
    "libvirtd": "lsb:libvirtd",
}
FORM = {
    "drbd_resource": "datos",
    "nodes": ["node1", "node2"],
    "mount_point": "/home/datos",
    "device": "/dev/vg_datos/lv_datos",
    # the lab's guest ignores ACPI: without force_stop every stop waits for its timeout
    "vm": {
        "id": "ubuntu",
        "config": "/home/datos/xmls/ubuntu.xml",
        "params": {"force_stop": "true"},
    },
    "agents": LAB_AGENTS,
}
LAYERS = ("drbd_datos", "dlm", "clvmd", "sharedFS", "res_libvirtd", "ubuntu")


@pytest.fixture
def prepared() -> Iterator[None]:
    lab("scenario", "book", "--prepare", timeout=900)
    try:
        yield
    finally:
        lab("scenario", "reset", timeout=600)


def predicted(actions: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """(resource, role) -> nodes, from the plan's start and promote actions."""
    found: dict[tuple[str, str], set[str]] = {}
    for a in actions:
        role = {"start": "Started", "promote": "Promoted"}.get(a["action"])
        if role:
            found.setdefault((a["resource"].split(":")[0], role), set()).add(a["on"])
    return found


def running() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for rid in LAYERS:
        for role, node in placements(rid):
            found.setdefault((rid, role), set()).add(node)
    return found


def without_vm(found: dict[tuple[str, str], set[str]]) -> dict[tuple[str, str], set[str]]:
    return {key: nodes for key, nodes in found.items() if key[0] != "ubuntu"}


def settled() -> bool:
    now = running()
    return len(now.get(("drbd_datos", "Promoted"), ())) == 2 and ("ubuntu", "Started") in now


def test_the_book_setup_applies_and_the_cluster_runs_what_was_planned(
    prepared: None, lab_cluster: Cluster, api: APIClient, worker: object
) -> None:
    url = f"/api/v1/clusters/{lab_cluster.pk}/setup/book-stack/"
    outside = {**FORM, "vm": {"id": "ubuntu", "config": "/var/lib/libvirt/ubuntu.xml"}}
    refused = api.post(f"{url}?plan=1", outside, format="json")
    assert refused.status_code == 422, refused.content
    assert refused.json()["code"] == "book_rules"
    assert "not on the shared filesystem" in refused.json()["problems"][0]
    planned = api.post(f"{url}?plan=1", FORM, format="json")
    assert planned.status_code == 200, planned.content
    plan = planned.json()
    assert 'rsc="ubuntu" with-rsc="res_libvirtd-clone" score="INFINITY"' in plan["cib_diff"]
    # the first transition: DRBD starts on the two nodes (its promotion scores, set by the
    # agent once started, are what no simulation sees: the plan says so)
    assert predicted(plan["actions"]) == {("drbd_datos", "Started"): {"node1", "node2"}}
    assert "promotion scores" in plan["unchecked"]
    applied = api.post(f"/api/v1/clusters/{lab_cluster.pk}/plans/{plan['plan_id']}/apply/")
    assert applied.status_code == 202, applied.content
    op = finished(api, applied.json()["id"], timeout=180)
    assert op["status"] == "succeeded", op
    wait_until("the stack to run", settled, timeout=240)
    stack = {(rid, "Started"): {"node1", "node2"} for rid in LAYERS[1:-1]}
    expected = {("drbd_datos", "Promoted"): {"node1", "node2"}, **stack}
    wait_until("every layer on both nodes", lambda: without_vm(running()) == expected)
    (vm_node,) = running()[("ubuntu", "Started")]
    assert vm_node in {"node1", "node2"}
