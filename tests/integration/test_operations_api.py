"""The operations API without a cluster behind it: validation, permissions, the audit
list and its export. Bad input answers 400/403/404 and writes nothing, queues nothing."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import quote

import asyncssh
import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from clusters.models import Cluster
from clusters.monitor_audit import note_watch, open_watch
from hacore.commands.pacemaker import CIB_VERSION
from hacore.runner import HostKey
from nodes.changes import node_standby
from operations.engine import use_runner
from operations.models import Operation, Plan
from operations.reconcile import mark_interrupted
from operations.tasks import run_operation
from resources.changes import resource_delete
from tests.corpus import INJECTION_CORPUS
from tests.scripted import ScriptedRunner, expect
from tests.tokens import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Tasks handed to Celery (captured: no worker or node takes part here)."""
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(
        "operations.tasks.run_operation.delay",
        lambda *args: calls.append((run_operation.name, list(args))),
    )
    return calls


def client_in(group: str) -> APIClient:
    user = User.objects.create_user(group, password="pass-123-long")
    user.groups.add(Group.objects.get(name=group))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def nothing_written() -> bool:
    return not Operation.objects.exists() and not Plan.objects.exists()


def test_standby_is_queued_and_handed_to_a_worker_on_commit(
    cluster: Cluster,
    api: APIClient,
    sent: list[tuple[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/clusters/{cluster.pk}/nodes/node2/standby/")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    op = Operation.objects.get(pk=body["id"])
    assert (op.kind, op.target, str(op.user)) == ("node.standby", "node2", "admin")
    assert sent == [("clusters.run_operation", [op.pk])]
    assert api.get(f"/api/v1/operations/{op.pk}/").json()["status"] == "queued"


DUMMY = {"id": "r1", "agent": "ocf:heartbeat:Dummy"}


@pytest.mark.parametrize(
    ("url", "body", "good"),
    [
        ("resources/", {**DUMMY, "id": "1bad"}, DUMMY),
        ("resources/", {**DUMMY, "agent": "stonith:fence_xvm"}, DUMMY),
        ("resources/", {**DUMMY, "params": {"a b": "1"}}, {**DUMMY, "params": {"a_b": "1"}}),
        ("resources/", {**DUMMY, "params": "x=1"}, {**DUMMY, "params": {"x": "1"}}),
        (
            "resources/",
            {**DUMMY, "operations": "monitor"},
            {**DUMMY, "operations": [{"name": "monitor"}]},
        ),
        ("resources/", ["not", "an", "object"], DUMMY),
        ("resources/dummy1/move/", {"node": "--force"}, {"node": "node2"}),
        ("resources/dummy1/move/", {}, {"node": "node2"}),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    cluster: Cluster, api: APIClient, sent: list[Any], url: str, body: Any, *, good: Any
) -> None:
    response = api.post(f"/api/v1/clusters/{cluster.pk}/{url}", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert nothing_written()
    assert sent == []
    control = api.post(f"/api/v1/clusters/{cluster.pk}/{url}", good, format="json")
    assert control.status_code == 202, control.content  # the same call, its input fixed
    assert Operation.objects.get().pk == control.json()["id"]


def calls_with(api: APIClient, cluster: Cluster, name: str, agent: str) -> list[Any]:
    """The same calls, with `name` wherever a name goes (agent: where an agent goes)."""
    base = f"/api/v1/clusters/{cluster.pk}"
    dummy = {"agent": "ocf:heartbeat:Dummy"}
    in_path = quote(name, safe="")  # as a client sends it (urllib drops raw \n and \t)
    return [
        api.post(f"{base}/resources/", {"id": name, **dummy}, format="json"),
        api.post(f"{base}/resources/", {"id": "r1", "agent": agent}, format="json"),
        api.post(f"{base}/resources/", {"id": "r1", **dummy, "params": {name: "1"}}, format="json"),
        api.post(f"{base}/resources/", {"id": "r1", **dummy, "meta": {name: "1"}}, format="json"),
        api.post(f"{base}/resources/dummy1/move/", {"node": name}, format="json"),
        api.post(f"{base}/resources/{in_path}/disable/"),
        api.delete(f"{base}/resources/{in_path}/"),
        api.get(f"{base}/resources/{in_path}/"),
        api.post(f"{base}/nodes/{in_path}/standby/"),
        api.post(
            f"{base}/constraints/",
            {"type": "location", "resource": name, "node": "n1"},
            format="json",
        ),
        api.post(
            f"{base}/constraints/", {"type": "order", "first": "a", "then": name}, format="json"
        ),
        api.delete(f"{base}/constraints/{in_path}/"),
        api.post(f"{base}/fence-devices/", {"id": name, "agent": "fence_ipmilan"}, format="json"),
        api.post(
            f"{base}/fencing-levels/",
            {"level": 1, "node": name, "devices": ["f"]},
            format="json",
        ),
        api.post(f"{base}/groups/", {"id": "g1", "resources": [name]}, format="json"),
        api.post(f"{base}/resources/r1/update/", {"params": {name: "1"}}, format="json"),
        api.post(f"{base}/resource-defaults/", {"values": {name: "1"}}, format="json"),
        api.post(f"{base}/properties/", {"name": name, "value": "1"}, format="json"),
    ]


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_hostile_strings_reach_no_node(
    cluster: Cluster, api: APIClient, sent: list[Any], hostile: str
) -> None:
    answers = calls_with(api, cluster, hostile, hostile)
    assert all(a.status_code in (400, 404) for a in answers), [a.status_code for a in answers]
    assert nothing_written()
    assert sent == []


def test_the_same_calls_with_plain_names_are_accepted(cluster: Cluster, api: APIClient) -> None:
    answers = calls_with(api, cluster, "node1", "ocf:heartbeat:Dummy")
    read = answers.pop(7)  # the GET reads the resource from a node now: it got that far
    assert (read.status_code, read.json()["code"]) == (422, "failed_on_cluster"), read.content
    assert "no node with a trusted host key" in read.json()["detail"]
    assert [a.status_code for a in answers] == [202] * len(answers), [a.content for a in answers]


def test_unknown_actions_nodes_and_clusters_are_404(cluster: Cluster, api: APIClient) -> None:
    base = f"/api/v1/clusters/{cluster.pk}"
    assert api.post(f"{base}/nodes/node9/standby/").status_code == 404
    assert api.post(f"{base}/nodes/node1/reboot-everything/").status_code == 404
    assert api.post(f"{base}/resources/r1/explode/").status_code == 404
    assert api.post("/api/v1/clusters/999/nodes/node1/standby/").status_code == 404
    assert nothing_written()
    # the positive control: a known node, action, resource action and cluster
    assert api.post(f"{base}/nodes/node1/standby/").status_code == 202
    assert api.post(f"{base}/resources/r1/disable/").status_code == 202


def test_roles_separate_reading_operating_and_administering(
    cluster: Cluster, reader: APIClient, sent: list[Any]
) -> None:
    base = f"/api/v1/clusters/{cluster.pk}"
    create = {"id": "r1", "agent": "ocf:heartbeat:Dummy"}
    assert reader.post(f"{base}/nodes/node1/standby/").status_code == 403
    assert reader.get("/api/v1/operations/").status_code == 200
    operator = client_in("operators")
    assert operator.post(f"{base}/resources/", create, format="json").status_code == 403
    assert operator.delete(f"{base}/resources/dummy1/").status_code == 403
    assert nothing_written()
    assert operator.post(f"{base}/nodes/node1/standby/").status_code == 202
    administrator = client_in("administrators")
    assert administrator.post(f"{base}/resources/", create, format="json").status_code == 202
    assert administrator.delete(f"{base}/resources/dummy1/").status_code == 202
    assert APIClient().get("/api/v1/operations/").status_code in (401, 403)


def test_a_plan_applies_once_and_only_on_its_cluster(
    cluster: Cluster, api: APIClient, reader: APIClient
) -> None:
    change = node_standby("node1")
    done = Operation.objects.create(cluster=cluster, kind="node.standby", summary="x", change={})
    plan = Plan.objects.create(
        cluster=cluster,
        kind=change.kind,
        target="node1",
        summary=change.summary,
        change=change.as_json(),
        base_version="0:5",
        applied_by=done,
    )
    url = f"/api/v1/clusters/{cluster.pk}/plans/{plan.pk}/"
    assert api.get(url).json()["plan_id"] == plan.pk
    again = api.post(url + "apply/")
    assert again.status_code == 409
    assert again.json()["operation"] == done.pk
    assert api.post(f"/api/v1/clusters/999/plans/{plan.pk}/apply/").status_code == 404
    deleting = Plan.objects.create(
        cluster=cluster,
        kind="resource.delete",
        summary="d",
        base_version="0:5",
        change=resource_delete("dummy1").as_json(),
    )
    assert (
        reader.post(f"/api/v1/clusters/{cluster.pk}/plans/{deleting.pk}/apply/").status_code == 403
    )
    assert Operation.objects.count() == 1
    # the positive control: an administrator applies the plan not yet applied, on its
    # cluster, whose CIB (read from node1, scripted) is still the one it was made on
    node = cluster.nodes.get(name="node1")
    node.pin(
        HostKey.parse(asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode())
    )
    node.save()
    runner = ScriptedRunner().script(
        node.address, expect(*CIB_VERSION, out='<cib admin_epoch="0" epoch="5" num_updates="1"/>')
    )
    with use_runner(lambda: runner):
        applied = api.post(f"/api/v1/clusters/{cluster.pk}/plans/{deleting.pk}/apply/")
    runner.assert_done()
    assert applied.status_code == 202, applied.content
    assert Operation.objects.get(pk=applied.json()["id"]).kind == "resource.delete"


def test_audit_list_filters_and_exports(cluster: Cluster, api: APIClient, admin_user: User) -> None:
    rows = [
        ("node.standby", "node1", "succeeded", [["pcs", "cluster", "cib-push", "f"]]),
        ("resource.move", "dummy1", "failed", [["pcs", "resource", "move", "dummy1", "node2"]]),
    ]
    for kind, target, status, argv in rows:
        Operation.objects.create(
            cluster=cluster,
            user=admin_user,
            kind=kind,
            target=target,
            summary=kind,
            change={},
            status=status,
            argv=argv,
            stderr="Error: x" if status == "failed" else "",
        )
    listed = api.get(f"/api/v1/operations/?cluster={cluster.pk}").json()
    assert listed["count"] == 2
    failed = api.get("/api/v1/operations/?status=failed&user=admin").json()["results"]
    assert [op["target"] for op in failed] == ["dummy1"]
    assert failed[0]["argv"] == [["pcs", "resource", "move", "dummy1", "node2"]]
    assert api.get("/api/v1/operations/?kind=node.standby").json()["count"] == 1
    assert api.get("/api/v1/operations/?since=2999-01-01T00:00:00Z").json()["count"] == 0
    exported = api.get("/api/v1/operations/export/?as=csv&status=failed")
    assert exported["Content-Disposition"].endswith('haconsole-audit.csv"')
    table = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["kind"], r["user"], r["stderr"]) for r in table] == [
        ("resource.move", "admin", "Error: x")
    ]
    assert json.loads(table[0]["argv"]) == [["pcs", "resource", "move", "dummy1", "node2"]]
    as_json = json.loads(api.get("/api/v1/operations/export/?as=json").content)
    assert {r["kind"] for r in as_json} == {"node.standby", "resource.move"}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("nodes/node2/fence/", {}),
        ("nodes/node2/fence/", {"confirm": "node1"}),
        ("nodes/node2/confirm-fenced/", {"confirm": "node2"}),
        ("properties/", {"name": "stonith-enabled", "value": "false"}),
    ],
)
def test_risky_actions_need_the_confirmation_typed_back(
    cluster: Cluster, api: APIClient, sent: list[Any], url: str, body: dict[str, str]
) -> None:
    response = api.post(f"/api/v1/clusters/{cluster.pk}/{url}", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "confirmation_required"
    assert "confirm" in response.json()["detail"]
    assert nothing_written()
    assert sent == []


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("nodes/node2/fence/", {"confirm": "node2"}),
        ("nodes/node2/confirm-fenced/", {"confirm": "node2 is off"}),
        (
            "properties/",
            {"name": "stonith-enabled", "value": "false", "confirm": "disable fencing"},
        ),
    ],
)
def test_risky_actions_with_the_confirmation_typed_back_are_queued(
    cluster: Cluster, api: APIClient, sent: list[Any], url: str, body: dict[str, str]
) -> None:
    response = api.post(f"/api/v1/clusters/{cluster.pk}/{url}", body, format="json")
    assert response.status_code == 202, response.content
    assert Operation.objects.get().pk == response.json()["id"]


def test_fencing_and_properties_need_administer(cluster: Cluster) -> None:
    operator = client_in("operators")
    base = f"/api/v1/clusters/{cluster.pk}"
    fence = operator.post(f"{base}/nodes/node2/fence/", {"confirm": "node2"}, format="json")
    assert fence.status_code == 403
    prop = {"name": "stonith-timeout", "value": "90s"}
    assert operator.post(f"{base}/properties/", prop, format="json").status_code == 403
    assert operator.post(f"{base}/nodes/node2/stop/").status_code == 403
    assert nothing_written()
    administrator = client_in("administrators")  # the positive control
    assert administrator.post(f"{base}/nodes/node2/fence/", {"confirm": "node2"}).status_code == 202
    assert administrator.post(f"{base}/properties/", prop, format="json").status_code == 202
    assert administrator.post(f"{base}/nodes/node2/stop/").status_code == 202


ADMINISTER_ONLY = pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "constraints/", {"type": "location", "resource": "r1", "node": "node1"}),
        ("delete", "constraints/location-r1/", None),
        ("post", "fence-devices/", {"id": "f1", "agent": "fence_ipmilan"}),
        ("post", "fence-devices/f1/disable/", {"confirm": "leave the cluster without fencing"}),
        ("post", "fence-devices/f1/test/", {}),
        ("post", "fencing-levels/", {"level": 1, "node": "node1", "devices": ["f1"]}),
        ("post", "groups/", {"id": "g1", "resources": ["a"]}),
        ("post", "resource-defaults/", {"values": {"resource-stickiness": "1"}}),
        ("post", "corosync/reload/", {}),
        ("post", "resources/r1/debug-start/", {}),
        ("get", "backup/", None),
        ("post", "add-node/", {"node": "node4"}),
        ("post", "nodes/node2/remove/", {"confirm": "node2"}),
    ],
)


@ADMINISTER_ONLY
def test_constraints_and_fencing_need_administer(
    cluster: Cluster, method: str, url: str, body: Any
) -> None:
    operator = client_in("operators")
    response = getattr(operator, method)(
        f"/api/v1/clusters/{cluster.pk}/{url}", body, format="json"
    )
    assert response.status_code == 403
    assert nothing_written()


@ADMINISTER_ONLY
def test_an_administrator_may_make_the_same_calls(
    cluster: Cluster, method: str, url: str, body: Any
) -> None:
    administrator = client_in("administrators")
    response = getattr(administrator, method)(
        f"/api/v1/clusters/{cluster.pk}/{url}", body, format="json"
    )
    if url in ("fence-devices/f1/test/", "backup/"):  # run on a node now: it got that far
        assert (response.status_code, response.json()["code"]) == (422, "failed_on_cluster")
        assert "no node with a trusted host key" in response.json()["detail"]
    else:
        assert response.status_code == 202, response.content


LOCATION = {"type": "location", "resource": "r1", "node": "node1"}
LEVEL = {"node": "node1", "devices": ["f1"]}


@pytest.mark.parametrize(
    ("url", "body", "good"),
    [
        ("constraints/", {"type": "ticket"}, LOCATION),
        ("constraints/", {**LOCATION, "score": "x"}, {**LOCATION, "score": "-5"}),
        (
            "fence-devices/",
            {"id": "f1", "agent": "ocf:heartbeat:Dummy"},
            {"id": "f1", "agent": "fence_ipmilan"},
        ),
        ("fence-devices/f1/update/", {}, {"params": {"ip": "192.0.2.1"}}),
        ("fencing-levels/", {**LEVEL, "level": 10}, {**LEVEL, "level": 9}),
    ],
)
def test_bad_constraints_and_fencing_input(
    cluster: Cluster, api: APIClient, sent: list[Any], url: str, body: Any, *, good: Any
) -> None:
    response = api.post(f"/api/v1/clusters/{cluster.pk}/{url}", body, format="json")
    assert response.status_code == 400, response.content
    assert nothing_written()
    assert sent == []
    control = api.post(f"/api/v1/clusters/{cluster.pk}/{url}", good, format="json")
    assert control.status_code == 202, control.content  # the same call, its input fixed


def test_deleting_the_last_fence_device_names_the_risk(cluster: Cluster, api: APIClient) -> None:
    response = api.delete(f"/api/v1/clusters/{cluster.pk}/fence-devices/f1/")
    assert response.status_code == 400
    assert response.json()["code"] == "confirmation_required"
    assert "last fence device" in response.json()["detail"]
    assert nothing_written()
    confirmed = api.delete(
        f"/api/v1/clusters/{cluster.pk}/fence-devices/f1/",
        {"confirm": "leave the cluster without fencing"},
        format="json",
    )
    assert confirmed.status_code == 202, confirmed.content  # the positive control


def test_monitor_watches_are_summarised_one_row_each(cluster: Cluster) -> None:
    first = open_watch(cluster.pk, "node1", [["tail", "-F", "x"], ["crm_mon"]])
    note_watch(first, reads=3, probes=1)
    row = Operation.objects.get(pk=first)
    assert (row.status, row.dry_run, row.kind) == ("running", True, "monitor.watch")
    assert row.stdout.startswith("3 crm_mon reads, 1 CIB version probes since ")
    second = open_watch(cluster.pk, "node2", [["crm_mon"]])  # the first was never closed
    assert Operation.objects.get(pk=first).status == "interrupted"
    note_watch(second, reads=5, probes=2, ended=True, error="node2: connection lost")
    ended = Operation.objects.get(pk=second)
    assert (ended.status, ended.error) == ("failed", "node2: connection lost")
    assert ended.finished is not None
    assert mark_interrupted() == []  # dry-run rows are not the workers' business


def test_restore_needs_a_backup_the_node_and_the_risk_confirmed(
    cluster: Cluster, api: APIClient, sent: list[Any]
) -> None:
    url = f"/api/v1/clusters/{cluster.pk}/restore/"
    backup = SimpleUploadedFile("b.tar.bz2", b"BZh91AY&SY" + b"\x00" * 20)
    refused = api.post(url, {"file": backup, "node": "node2"}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["code"] == "confirmation_required"
    not_bz2 = SimpleUploadedFile("b.tar.bz2", b"hello")
    body = {"file": not_bz2, "node": "node2", "confirm": "restore node2"}
    assert api.post(url, body, format="multipart").status_code == 400
    assert api.post(url, {"node": "node2"}, format="multipart").status_code == 400
    elsewhere = SimpleUploadedFile("b.tar.bz2", b"BZh91AY&SY")
    body = {"file": elsewhere, "node": "node9", "confirm": "restore node9"}
    assert api.post(url, body, format="multipart").status_code == 404
    operator = client_in("operators")
    backup.seek(0)
    body = {"file": backup, "node": "node2", "confirm": "restore node2"}
    assert operator.post(url, body, format="multipart").status_code == 403
    assert nothing_written()
    assert sent == []
    backup.seek(0)  # the positive control: an administrator, every part given
    assert api.post(url, body, format="multipart").status_code == 202


def test_a_change_the_clusters_pcs_cannot_make_is_refused_before_any_plan(
    cluster: Cluster, api: APIClient, sent: list[tuple[str, Any]]
) -> None:
    cluster.pcs_version, cluster.pcs_capabilities = "0.9.0", ["node.maintenance"]
    cluster.save()
    url = f"/api/v1/clusters/{cluster.pk}/nodes/node2"
    for suffix in ("/standby/", "/standby/?plan=1"):
        refused = api.post(url + suffix)
        assert refused.status_code == 422
        assert refused.json()["code"] == "unsupported_by_cluster"
        assert refused.json()["missing"] == ["node.standby"]
        assert "pcs 0.9.0 cannot standby node2" in refused.json()["detail"]
    assert nothing_written()
    assert sent == []
    shown = api.get(f"/api/v1/clusters/{cluster.pk}/").json()
    assert shown["unsupported"]["node.standby"] == ["node.standby"]
    assert "node.maintenance" not in shown["unsupported"]
    assert api.post(url + "/maintenance/").status_code == 202, "what it can do is queued"
