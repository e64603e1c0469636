"""Operations through the API against the real lab, each checked on the cluster itself
(crm_mon / cibadmin / crm_resource run on a node), never on the console's mirror."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.conftest import start_worker, stop
from tests.lab.oputil import finished, on_node, run, wait, where
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def standby(node: str) -> bool:
    """Is node in standby (crm_attribute on a node)?"""
    out = on_node("crm_attribute", "--node", node, "--name", "standby", "--query")
    return "value=on" in out


def in_cib(rid: str) -> bool:
    """Is rid configured (cibadmin on a node)?"""
    return f'id="{rid}"' in on_node("cibadmin", "--query", "--xpath", f"//primitive[@id='{rid}']")


def test_standby_preview_lists_the_moves_that_then_happen(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    host = where("dummy1")
    assert host
    url = f"/api/v1/clusters/{lab_cluster.pk}/nodes/{host}/standby/"
    planned = api.post(url + "?plan=1")
    assert planned.status_code == 200, planned.content
    plan = planned.json()
    moves = {a["resource"]: a["dest"] for a in plan["actions"] if a["action"] == "move"}
    assert "dummy1" in moves, plan["actions"]
    assert not standby(host)
    assert "standby" in plan["cib_diff"]
    assert where("dummy1") == host  # the plan changed nothing
    try:
        applied = api.post(f"/api/v1/clusters/{lab_cluster.pk}/plans/{plan['plan_id']}/apply/")
        assert applied.status_code == 202, applied.content
        op = finished(api, applied.json()["id"])
        assert op["status"] == "succeeded", op
        staged = [argv[2:] for argv in op["argv"] if argv[:1] == ["env"]]
        assert staged == [
            ["crm_attribute", "--type", "nodes", "--node", host, "--name", "standby",
             "--update", "on"],
        ]  # fmt: skip
        assert ["cibadmin", "--patch", "--xml-pipe"] in op["argv"], "pushed as a diff"
        assert op["cib_before"] == plan["base_version"] != op["cib_after"]
        for rid, dest in moves.items():
            wait(lambda rid=rid, dest=dest: where(rid) == dest, 30)
        assert standby(host)
    finally:
        undone = run(api, "post", f"/api/v1/clusters/{lab_cluster.pk}/nodes/{host}/unstandby/")
    assert undone["status"] == "succeeded", undone
    assert not standby(host)


def test_resource_lifecycle(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}/resources/"
    body = {
        "id": "op-r1",
        "agent": "ocf:heartbeat:Dummy",
        "params": {"fake": "x y; $(id)"},
        "meta": {"resource-stickiness": "100"},
        "operations": [{"name": "monitor", "interval": "20s", "timeout": "30s"}],
    }
    try:
        created = run(api, "post", base, body)
        assert created["status"] == "succeeded", created
        assert not any("<configuration" in step["stdout"] for step in created["steps"])
        assert "characters, not kept here)" in created["stdout"]
        assert in_cib("op-r1")
        assert 'value="x y; $(id)"' in on_node(
            "cibadmin", "--query", "--xpath", "//primitive[@id='op-r1']"
        )
        start = wait(lambda: where("op-r1"), 30)
        other = next(n for n in ("node1", "node2", "node3") if n != start)
        moved = run(api, "post", base + "op-r1/move/", {"node": other})
        assert moved["status"] == "succeeded", moved
        assert where("op-r1") == other
        assert "cli-prefer-op-r1" not in on_node("cibadmin", "--query", "--scope", "constraints")
        assert run(api, "post", base + "op-r1/disable/")["status"] == "succeeded"
        wait(lambda: where("op-r1") == "", 30)
        assert run(api, "post", base + "op-r1/enable/")["status"] == "succeeded"
        wait(lambda: where("op-r1"), 30)
        cleaned = run(api, "post", base + "op-r1/cleanup/")
        assert cleaned["status"] == "succeeded"
        assert ["pcs", "resource", "cleanup", "op-r1"] in cleaned["argv"]
        deleted = run(api, "delete", base + "op-r1/")
        assert deleted["status"] == "succeeded", deleted
        assert "op-r1" in deleted["cib_diff"]
        assert not in_cib("op-r1")
    finally:
        lab("exec", "1", "pcs", "resource", "delete", "op-r1", "--force", check=False)


def test_concurrent_plans_second_is_told_the_cib_changed(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    first = api.post(f"{base}/resources/dummy2/disable/?plan=1").json()
    host = where("dummy2")
    other = next(n for n in ("node1", "node2", "node3") if n != host)
    # keeping the constraint: a plain move of dummy2 would not hold (stickiness 0)
    keep = {"node": other, "keep_constraint": True}
    second = api.post(f"{base}/resources/dummy2/move/?plan=1", keep, format="json")
    assert second.status_code == 200, second.content
    try:
        applied = api.post(f"{base}/plans/{first['plan_id']}/apply/")
        assert applied.status_code == 202
        assert finished(api, applied.json()["id"])["status"] == "succeeded"
        refused = api.post(f"{base}/plans/{second.json()['plan_id']}/apply/")
        assert refused.status_code == 409, refused.content
        assert refused.json()["code"] == "cib_changed"
        # nothing lost: the first change is there, the second was not made
        wait(lambda: where("dummy2") == "", 30)
        assert "cli-prefer-dummy2" not in on_node("cibadmin", "--query", "--scope", "constraints")
        again = api.post(f"{base}/plans/{first['plan_id']}/apply/")
        assert again.status_code == 409  # a plan is applied once
    finally:
        run(api, "post", f"{base}/resources/dummy2/enable/")


def test_a_failing_command_shows_its_stderr(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    url = f"/api/v1/clusters/{lab_cluster.pk}/resources/"
    body = {"id": "op-bad", "agent": "ocf:heartbeat:Dummy", "params": {"bogus": "1"}}
    planned = api.post(url + "?plan=1", body, format="json")
    assert planned.status_code == 422
    assert "invalid resource option 'bogus'" in planned.json()["stderr"]
    op = run(api, "post", url, body)
    assert op["status"] == "failed"
    assert "invalid resource option 'bogus'" in op["stderr"]
    assert "invalid resource option 'bogus'" in op["error"]
    assert op["exit_status"] not in (0, None)
    assert not in_cib("op-bad")


def test_killed_worker_leaves_the_operation_interrupted_and_reconciled(
    lab_cluster: Cluster,
    api: APIClient,
    worker: subprocess.Popen[bytes],
    monitor: subprocess.Popen[bytes],
) -> None:
    lab("exec", "1", "pcs", "resource", "create", "op-slow", "ocf:pacemaker:Dummy", "op_sleep=6")
    try:
        start = wait(lambda: where("op-slow"), 60)
        other = next(n for n in ("node1", "node2", "node3") if n != start)
        url = f"/api/v1/clusters/{lab_cluster.pk}/resources/op-slow/move/"
        response = api.post(url, {"node": other}, format="json")
        assert response.status_code == 202
        op_id = response.json()["id"]

        def moving() -> bool:
            op = api.get(f"/api/v1/operations/{op_id}/").json()
            return bool(op["status"] == "running" and op["cib_before"])

        wait(moving, 30, step=0.1)
        worker.kill()  # mid-move: pcs waits for the slow stop and start
        worker.wait()
        op = wait(lambda: _ended(api, op_id), 60)
        assert op["status"] == "interrupted", op
        assert "worker" in op["error"]
        replacement = start_worker()
        try:
            op = wait(lambda: _reconciled(api, op_id), 90)
        finally:
            stop(replacement, grace=20, strict=False)
        assert "read from node" in op["reconciliation"], op
        assert op["cib_before"] in op["reconciliation"]
    finally:
        wait(lambda: where("op-slow"), 60)
        lab("exec", "1", "pcs", "resource", "clear", "op-slow", check=False)
        lab("exec", "1", "pcs", "resource", "delete", "op-slow", "--force", check=False)


def _ended(api: APIClient, op_id: int) -> dict[str, Any] | None:
    op: dict[str, Any] = api.get(f"/api/v1/operations/{op_id}/").json()
    return op if op["status"] != "running" else None


def _reconciled(api: APIClient, op_id: int) -> dict[str, Any] | None:
    op: dict[str, Any] = api.get(f"/api/v1/operations/{op_id}/").json()
    return op if op["reconciliation"] else None


def node_attribute(node: str, name: str) -> str:
    """A node attribute's value read on the cluster ("" when unset)."""
    out = on_node("crm_attribute", "--node", node, "--name", name, "--query")
    return out.split("value=", 1)[1].strip() if "value=" in out else ""


def online(node: str) -> bool:
    """Does the cluster (crm_mon on node1) have node online?"""
    xml = on_node("crm_mon", "--one-shot", "--output-as=xml")
    tag = xml.split(f'<node name="{node}"', 1)[1].split(">", 1)[0]
    return 'online="true"' in tag


def test_node_maintenance_and_planning_a_node_stop(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes], the_lab: Lab
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}/nodes/node3"
    try:
        assert run(api, "post", f"{base}/maintenance/")["status"] == "succeeded"
        assert node_attribute("node3", "maintenance") == "on"
        assert run(api, "post", f"{base}/unmaintenance/")["status"] == "succeeded"
        assert node_attribute("node3", "maintenance") in ("", "off")
        running_there = [r for r in ("dummy1", "dummy2") if where(r) == "node3"]
        planned = api.post(f"{base}/stop/?plan=1")
        assert planned.status_code == 200, planned.content
        # a stopped node's resources read as "start elsewhere" (--node-down), or "move"
        lands = {
            a["resource"]: a["dest"] or a["node"]
            for a in planned.json()["actions"]
            if a["action"] in ("move", "start")
        }
        assert set(running_there) <= set(lands), planned.json()["actions"]
        assert planned.json()["cib_diff"] == ""  # a runtime action: nothing configured
        plan_id = planned.json()["plan_id"]
        applied = api.post(f"/api/v1/clusters/{lab_cluster.pk}/plans/{plan_id}/apply/")
        assert applied.status_code == 202
        stop = finished(api, applied.json()["id"], timeout=180)
        assert stop["status"] == "succeeded", stop
        assert stop["node"] != "node3", "run from another node, through node3's pcsd"
        assert ["pcs", "cluster", "stop", "node3"] in stop["argv"]
        assert not online("node3")
        for rid, dest in lands.items():
            assert where(rid) == dest, (rid, dest)  # the plan said where they would go
        start = run(api, "post", f"{base}/start/")
        assert start["status"] == "succeeded", start
        assert ["pcs", "cluster", "start", "node3"] in start["argv"]
        the_lab.wait_online(3)
    finally:
        lab("exec", "1", "pcs", "node", "unmaintenance", "node3", check=False)
        the_lab.wait_online(3)


def test_resource_flags_constraints_update_restart(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}/resources/dummy2"
    xpath = "//primitive[@id='dummy2']"
    constraints = ("cibadmin", "--query", "--scope", "constraints")
    try:
        assert run(api, "post", f"{base}/unmanage/")["status"] == "succeeded"
        assert 'name="is-managed" value="false"' in on_node("cibadmin", "--query", "--xpath", xpath)
        assert run(api, "post", f"{base}/manage/")["status"] == "succeeded"
        assert 'value="false"' not in on_node("cibadmin", "--query", "--xpath", xpath)
        assert run(api, "post", f"{base}/ban/", {"node": "node1"})["status"] == "succeeded"
        assert "cli-ban-dummy2-on-node1" in on_node(*constraints)
        assert run(api, "post", f"{base}/clear/")["status"] == "succeeded"
        assert "cli-ban-dummy2" not in on_node(*constraints)
        update = {"params": {"fake": "updated; `id`"}, "meta": {"description": "by the API"}}
        assert run(api, "post", f"{base}/update/", update)["status"] == "succeeded"
        xml = on_node("cibadmin", "--query", "--xpath", xpath)
        assert 'value="updated; `id`"' in xml
        assert 'value="by the API"' in xml
        assert (
            run(api, "post", f"{base}/update/", {"params": {"fake": ""}})["status"] == "succeeded"
        )
        assert "updated;" not in on_node("cibadmin", "--query", "--xpath", xpath)
        restarted = run(api, "post", f"{base}/restart/")
        assert restarted["status"] == "succeeded", restarted
        assert ["pcs", "resource", "restart", "dummy2"] in restarted["argv"]
        wait(lambda: where("dummy2"), 30)
    finally:
        lab("exec", "1", "pcs", "resource", "manage", "dummy2", check=False)
        lab("exec", "1", "pcs", "resource", "clear", "dummy2", check=False)
        lab("exec", "1", "pcs", "resource", "update", "dummy2", "meta", "description=", check=False)


def test_properties_and_fencing_a_node(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes], the_lab: Lab
) -> None:
    url = f"/api/v1/clusters/{lab_cluster.pk}/properties/"
    query = ("crm_attribute", "--type", "crm_config", "--name", "stonith-timeout", "--query")
    try:
        assert run(api, "post", url, {"name": "stonith-timeout", "value": "91s"})["status"] == (
            "succeeded"
        )
        assert "value=91s" in on_node(*query)
        assert run(api, "post", url, {"name": "stonith-timeout", "value": ""})["status"] == (
            "succeeded"
        )
        assert "value=91s" not in on_node(*query)
        fence = f"/api/v1/clusters/{lab_cluster.pk}/nodes/node3/fence/"
        planned = api.post(fence + "?plan=1", {"confirm": "node3"}, format="json")
        assert planned.status_code == 200, planned.content
        assert any(
            a["node"] == "node3" and "ence" in a["action"] for a in planned.json()["actions"]
        )
        fenced = run(api, "post", fence, {"confirm": "node3"})
        assert fenced["status"] == "succeeded", fenced
        assert "node3" in on_node("stonith_admin", "--history", "node3")
    finally:
        lab("exec", "1", "pcs", "property", "unset", "stonith-timeout", check=False)
        the_lab.wait_online(3)
