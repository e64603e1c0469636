"""A move's plan through the API, on a scripted node: a move that would not hold answers
422 move_would_not_hold with the reason and the choices, and nothing is queued; keeping
the constraint plans the move that keeps it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from hacore.runner import HostKey
from operations.engine import use_runner
from operations.models import Operation, Plan
from resources.changes import resource_move
from tests.planscript import AFTER_FILE as AFTER
from tests.planscript import BACK, BEFORE, CLEANUP, MOVED, NEW, SCORES, STAYS, staging
from tests.scripted import ScriptedRunner, expect

pytestmark = pytest.mark.django_db
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


@pytest.fixture
def scripted(cluster: Cluster) -> Iterator[ScriptedRunner]:
    node = cluster.nodes.get(name="node1")
    node.pin(HostKey.parse(KEY))
    node.save()
    runner = ScriptedRunner()
    with use_runner(lambda: runner):
        yield runner


def first_simulation(save: bool = True) -> Any:
    tail = ("--save-output", AFTER) if save else ()
    return expect(
        "crm_simulate", "--simulate", "--output-as=xml", "--xml-file", NEW, *tail, out=MOVED
    )


KEEP = {"keep_constraint": True, "lifetime": "PT1H"}


def test_a_move_that_would_not_hold_answers_422_and_queues_nothing(
    cluster: Cluster, api: APIClient, scripted: ScriptedRunner
) -> None:
    scripted.script(
        "198.51.100.11",
        *staging(resource_move("dummy1", "node1").stage[0]),
        first_simulation(),
        expect("env", f"CIB_file={AFTER}", "crm_resource", "--clear", "--resource", "dummy1"),
        expect("crm_simulate", "--simulate", "--output-as=xml", "--xml-file", AFTER, out=BACK),
        expect("crm_simulate", "--show-scores", "--xml-file", AFTER, out=SCORES),
        CLEANUP,
    )
    url = f"/api/v1/clusters/{cluster.pk}/resources/dummy1/move/?plan=1"
    response = api.post(url, {"node": "node1"}, format="json")
    scripted.assert_done()
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "move_would_not_hold"
    assert "would not stay on node1" in body["detail"]
    assert body["scores"] == {"node1": "0", "node2": "0"}
    assert {"keep_constraint": True, "lifetime": "optional, e.g. PT1H"} in body["choices"]
    assert not Plan.objects.exists()
    recorded = Operation.objects.get(pk=body["operation"])
    assert (recorded.dry_run, recorded.status) == (True, "failed")
    assert "would not stay" in recorded.error


def test_a_move_that_holds_is_a_plan_and_keeping_the_constraint_too(
    cluster: Cluster, api: APIClient, scripted: ScriptedRunner
) -> None:
    scripted.script(
        "198.51.100.11",
        *staging(resource_move("dummy1", "node1").stage[0]),
        first_simulation(),
        expect("env", f"CIB_file={AFTER}", "crm_resource", "--clear", "--resource", "dummy1"),
        expect("crm_simulate", "--simulate", "--output-as=xml", "--xml-file", AFTER, out=STAYS),
        expect("cat", "--", AFTER, out=BEFORE),
        CLEANUP,
        *staging(resource_move("dummy1", "node1", body=KEEP).stage[0]),
        first_simulation(save=False),
        CLEANUP,
    )
    url = f"/api/v1/clusters/{cluster.pk}/resources/dummy1/move/?plan=1"
    held = api.post(url, {"node": "node1"}, format="json")
    assert held.status_code == 200, held.json()
    assert [a["text"] for a in held.json()["actions"]] == ["move dummy1 node2 -> node1"]
    assert held.json()["cib_diff"] == ""
    kept = api.post(
        url, {"node": "node1", "keep_constraint": True, "lifetime": "PT1H"}, format="json"
    )
    assert kept.status_code == 200, kept.json()
    assert "keeping the move constraint for PT1H" in kept.json()["summary"]
    scripted.assert_done()
