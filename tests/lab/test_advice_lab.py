"""The advisor against the lab: the book's chapter 11 VM trap (built here through the
console's own API with Dummy stand-ins: the book scenario is not in the lab yet), found,
fixed through plan/apply, gone; and the fence path check finding a device whose
pcmk_host_map names a plug no node has. Everything made here is removed again."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from operations.models import Operation
from tests.lab.oputil import finished, on_node, run, wait
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
NODES = ("node1", "node2", "node3")
CLONE, VM, WRONG = "adv-libvirtd", "adv-ubuntu", "adv-fence-wrong"


def advice(api: APIClient, cluster: Cluster) -> list[dict[str, Any]]:
    """The findings, computed now."""
    response = api.get(f"/api/v1/clusters/{cluster.pk}/advice/?refresh=1")
    assert response.status_code == 200, response.content
    found: list[dict[str, Any]] = response.json()
    return found


def about(found: list[dict[str, Any]], *ids: str) -> list[dict[str, Any]]:
    """The findings naming every one of ids."""
    return [f for f in found if set(ids) <= {o["id"] for o in f["objects"]}]


def clone_nodes() -> set[str]:
    out = on_node("crm_resource", "--locate", "--resource", f"{CLONE}-clone")
    return {
        line.split("running on:", 1)[1].split()[0]
        for line in out.splitlines()
        if "running on:" in line
    }


def vm_node() -> str:
    out = on_node("crm_resource", "--locate", "--resource", VM)
    return out.strip().rsplit(" ", 1)[-1] if "is running on" in out else ""


def plan_and_apply(api: APIClient, cluster: Cluster, fix: dict[str, Any]) -> dict[str, Any]:
    """A finding's fix, as the page does it: planned (?plan=1), then applied."""
    method = fix["method"].lower()
    planned = getattr(api, method)(f"{fix['path']}?plan=1", fix["body"], format="json")
    assert planned.status_code == 200, planned.content
    plan_id = planned.json()["plan_id"]
    applied = api.post(f"/api/v1/clusters/{cluster.pk}/plans/{plan_id}/apply/")
    assert applied.status_code == 202, applied.content
    return finished(api, applied.json()["id"])


def test_the_book_vm_trap_is_found_fixed_and_gone(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    assert about(advice(api, lab_cluster), "lab-fence") == [], "the seeded lab is clean"
    dummy = {"agent": "ocf:heartbeat:Dummy"}
    try:
        assert (
            run(api, "post", f"{base}/resources/", {"id": CLONE, **dummy})["status"] == "succeeded"
        )
        cloned = run(
            api, "post", f"{base}/resources/{CLONE}/clone/", {"options": {"clone-max": "2"}}
        )
        assert cloned["status"] == "succeeded", cloned
        assert run(api, "post", f"{base}/resources/", {"id": VM, **dummy})["status"] == "succeeded"
        order = {"type": "order", "first": f"{CLONE}-clone", "then": VM, "symmetrical": False}
        assert run(api, "post", f"{base}/constraints/", order)["status"] == "succeeded"
        running = wait(lambda: clone_nodes() if len(clone_nodes()) == 2 else None, 60)
        (idle,) = set(NODES) - running
        # the book's VM lands where the clone is not; here a small preference puts it there
        prefer = {"type": "location", "resource": VM, "node": idle, "score": 100}
        assert run(api, "post", f"{base}/constraints/", prefer)["status"] == "succeeded"
        wait(lambda: vm_node() == idle, 60)

        found = about(advice(api, lab_cluster), VM, f"{CLONE}-clone")
        rules = {f["rule"]: f for f in found}
        assert set(rules) == {"runs_without_clone", "order_without_colocation"}, found
        trap = rules["runs_without_clone"]
        assert trap["severity"] == "critical"
        assert {"kind": "node", "id": idle} in trap["objects"]
        assert trap["fix"]["body"] == {
            "type": "colocation",
            "resource": VM,
            "with": f"{CLONE}-clone",
            "score": "INFINITY",
        }
        assert plan_and_apply(api, lab_cluster, trap["fix"])["status"] == "succeeded"
        wait(lambda: vm_node() in clone_nodes(), 60)
        assert about(advice(api, lab_cluster), VM) == []
    finally:
        for rid in (VM, CLONE):
            deleted = api.delete(f"{base}/resources/{rid}/")
            if deleted.status_code == 202:
                finished(api, deleted.json()["id"])
            lab("exec", "1", "pcs", "resource", "delete", rid, "--force", check=False)
    assert CLONE not in on_node("cibadmin", "--query", "--scope", "resources")


def claimed(node: str, device: str) -> bool:
    return device in on_node("stonith_admin", "--list", node).split()


def test_the_fence_path_check_finds_a_host_map_naming_the_wrong_plug(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    device = {
        "id": WRONG,
        "agent": "stonith:fence_haconsole_lab",
        "params": {"pcmk_host_map": "node1:node1;node2:node2;node3:node9"},
    }
    try:
        assert run(api, "post", f"{base}/fence-devices/", device)["status"] == "succeeded"
        wait(lambda: claimed("node3", WRONG), 30)
        started = time.monotonic()
        found = advice(api, lab_cluster)
        took = time.monotonic() - started
        paths = [f for f in found if f["rule"].startswith("fence_")]
        assert len(paths) == 1, found
        (broken,) = paths
        assert (broken["rule"], broken["severity"]) == ("fence_path_failed", "critical")
        assert broken["objects"] == [
            {"kind": "device", "id": WRONG},
            {"kind": "node", "id": "node3"},
        ]
        assert "plug 'node9'" in broken["detail"]
        assert "unknown or missing plug 'node9'" in broken["detail"]  # the agent's words
        op = Operation.objects.filter(kind="read.advice").latest("pk")
        asked = [s for s in op.steps if s["argv"] == ["/usr/sbin/fence_haconsole_lab"]]
        assert len(asked) == 6, "3 nodes x (lab-fence, adv-fence-wrong)"
        assert all(s["node"] in NODES for s in asked)
        assert "node9" not in " ".join(" ".join(s["argv"]) for s in op.steps)
        print(f"advice with 6 fence paths: {took:.2f} s, {len(op.steps)} commands")
        for step in op.steps:
            print(f"  {step['node']} {' '.join(step['argv'])}: {step['duration']} s")
        started = time.monotonic()
        cached = api.get(f"{base}/advice/")
        print(f"advice kept: {time.monotonic() - started:.3f} s")
        assert cached["X-Advice-Cached"] == "yes", "the mirrored status did not change"
        assert cached.json() == found
        assert run(api, "delete", f"{base}/fence-devices/{WRONG}/")["status"] == "succeeded"
        assert [f for f in advice(api, lab_cluster) if f["rule"].startswith("fence_")] == []
    finally:
        lab("exec", "1", "pcs", "stonith", "delete", WRONG, check=False)
    assert WRONG not in on_node("cibadmin", "--query", "--scope", "resources")
