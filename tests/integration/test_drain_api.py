"""The node drain's API and its life (clusters/drain_service.py) on PostgreSQL and Redis:
what may start, stop, resume or return a drain and when; a drain stopped before its
worker took it pauses without running a command. (The drain itself, on the book's
stack: tests/lab/test_virt_lab.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters import drain_service
from clusters.drain_model import Drain, Phase
from clusters.models import Cluster
from operations import lock
from operations.models import Operation, OperationStatus

pytestmark = pytest.mark.django_db(transaction=True)


def url(cluster: Cluster, node: str, verb: str = "") -> str:
    return f"/api/v1/clusters/{cluster.pk}/nodes/{node}/drain/" + (f"{verb}/" if verb else "")


def post(api: APIClient, where: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(where, body or {}, format="json")


def test_a_drain_is_queued_as_one_operation_and_read_back(api: APIClient, cluster: Cluster) -> None:
    assert api.get(url(cluster, "node1")).status_code == 404
    started = post(api, url(cluster, "node1"), {"stop_unmovable": True, "to": "node2"})
    assert started.status_code == 202, started.content
    body = started.json()
    assert (body["node"], body["phase"], body["status"]) == ("node1", "out", "queued")
    assert (body["stop_unmovable"], body["to"], body["user"]) == (True, "node2", "admin")
    op = Operation.objects.get(pk=body["operation"])
    assert (op.kind, op.target, op.dry_run, op.status) == ("node.drain", "node1", False, "queued")
    assert api.get(url(cluster, "node1")).json()["id"] == body["id"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"stop_unmovable": "yes please"}, "stop_unmovable"),
        ({"to": "node1"}, "the node being drained"),
        ({"to": "bad name!"}, "node"),
    ],
)
def test_bad_input_changes_nothing(
    api: APIClient, cluster: Cluster, body: dict[str, Any], words: str
) -> None:
    refused = post(api, url(cluster, "node1"), body)
    assert refused.status_code == 400, refused.content
    assert words in str(refused.json())
    assert not Drain.objects.exists()
    assert not Operation.objects.filter(kind="node.drain").exists()


def test_an_unknown_node_or_target_is_not_found(api: APIClient, cluster: Cluster) -> None:
    assert post(api, url(cluster, "node9")).status_code == 404
    assert post(api, url(cluster, "node1"), {"to": "node9"}).status_code == 404
    assert post(api, url(cluster, "node1", "stop")).status_code == 404  # never drained
    assert not Drain.objects.exists()


def test_one_drain_at_a_time_and_each_verb_only_when_it_fits(
    api: APIClient, cluster: Cluster
) -> None:
    first = post(api, url(cluster, "node1")).json()
    other = post(api, url(cluster, "node2"))
    assert (other.status_code, other.json()["code"]) == (409, "conflict")
    assert "the drain of node1" in other.json()["detail"]
    # queued: it can be stopped, not resumed nor returned
    for verb in ("resume", "return"):
        refused = post(api, url(cluster, "node1", verb))
        assert refused.status_code == 409, (verb, refused.content)
    stopped = post(api, url(cluster, "node1", "stop"))
    assert stopped.status_code == 202
    assert stopped.json()["stop_requested"] is True
    assert Drain.objects.get(pk=first["id"]).stop_requested


def test_a_drain_stopped_before_its_worker_ran_pauses_without_a_command(
    api: APIClient, cluster: Cluster
) -> None:
    drain_id = post(api, url(cluster, "node1")).json()["id"]
    post(api, url(cluster, "node1", "stop"))
    assert drain_service.run(drain_id) == "paused"
    drain = Drain.objects.get(pk=drain_id)
    assert (drain.phase, drain.stop_requested) == (Phase.OUT, False)
    assert "stopped at the operator's request" in drain.note
    op = drain.operation
    assert (op.status, op.steps, op.error) == (OperationStatus.PAUSED, [], "")
    assert lock.holder(cluster.pk) is None  # the lock was given back
    # run again (a message delivered twice): nothing happens
    assert drain_service.run(drain_id) == "paused"
    # resumed: queued again, the request in the live view with who asked
    resumed = post(api, url(cluster, "node1", "resume"), {"stop_unmovable": True})
    assert resumed.status_code == 202, resumed.content
    body = resumed.json()
    assert (body["status"], body["stop_unmovable"], body["note"]) == ("queued", True, "")
    assert body["steps"][-1]["title"] == "admin asked to resume and stop what cannot move"


def test_only_a_drained_node_returns(api: APIClient, cluster: Cluster) -> None:
    drain_id = post(api, url(cluster, "node1")).json()["id"]
    Drain.objects.filter(pk=drain_id).update(phase=Phase.DRAINED)
    Operation.objects.filter(drain__pk=drain_id).update(status=OperationStatus.PAUSED)
    refused = post(api, url(cluster, "node1", "resume"))
    assert refused.status_code == 409
    assert "return the node" in refused.json()["detail"]
    back = post(api, url(cluster, "node1", "return"), {"move_back": True})
    assert back.status_code == 202, back.content
    assert (back.json()["phase"], back.json()["move_back"]) == ("back", True)
    assert (
        back.json()["steps"][-1]["title"] == "admin asked to return the node and move its VMs back"
    )
    again = post(api, url(cluster, "node1", "return"))
    assert again.status_code == 409


def test_a_viewer_reads_a_drain_but_cannot_start_one(
    api: APIClient, reader: APIClient, cluster: Cluster
) -> None:
    post(api, url(cluster, "node1"))
    assert reader.get(url(cluster, "node1")).status_code == 200
    for verb in ("", "stop", "resume", "return"):
        assert post(reader, url(cluster, "node1", verb)).status_code == 403
