"""Fencing through the API against the lab: a second device, its test, levels, coverage,
disable/enable, delete; the last device is not deleted without the risk confirmed."""

from __future__ import annotations

import subprocess

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from hacore.pacemaker.constraints import parse_fencing_topology
from tests.lab.oputil import on_node, run
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
DEV = "lab-fence-2"


def cib(*scope: str) -> str:
    return on_node("cibadmin", "--query", *scope)


def test_fence_device_lifecycle_levels_and_coverage(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    body = {
        "id": DEV,
        "agent": "stonith:fence_haconsole_lab",
        "params": {"pcmk_host_list": "node3"},
    }
    try:
        assert run(api, "post", f"{base}/fence-devices/", body)["status"] == "succeeded"
        assert f'<primitive id="{DEV}" class="stonith" type="fence_haconsole_lab">' in cib()
        tested = api.post(f"{base}/fence-devices/{DEV}/test/")
        assert tested.status_code == 200, tested.content
        assert "node3" in tested.json()["targets"]  # the lab agent lists every node
        level = {"level": 1, "node": "node3", "devices": [DEV]}
        assert run(api, "post", f"{base}/fencing-levels/", level)["status"] == "succeeded"
        levels = parse_fencing_topology(cib("--scope", "fencing-topology"))
        assert [(lv.target, lv.index, lv.devices) for lv in levels] == [("node3", 1, (DEV,))]
        coverage = {n["node"]: n for n in api.get(f"{base}/fencing/").json()["nodes"]}
        assert set(coverage["node3"]["devices"]) == {"lab-fence", DEV}
        assert coverage["node3"]["levels"] == [{"level": 1, "devices": [DEV]}]
        assert coverage["node1"]["devices"] == ["lab-fence"]
        assert all(n["fenceable"] for n in coverage.values())
        assert run(api, "delete", f"{base}/fencing-levels/", level)["status"] == "succeeded"
        assert DEV not in cib("--scope", "fencing-topology")
        assert run(api, "post", f"{base}/fence-devices/{DEV}/disable/")["status"] == "succeeded"
        assert 'name="target-role" value="Stopped"' in on_node(
            "cibadmin", "--query", "--xpath", f"//primitive[@id='{DEV}']"
        )
        assert run(api, "post", f"{base}/fence-devices/{DEV}/enable/")["status"] == "succeeded"
        assert run(api, "delete", f"{base}/fence-devices/{DEV}/")["status"] == "succeeded"
        assert f'id="{DEV}"' not in cib()
        last = api.delete(f"{base}/fence-devices/lab-fence/")
        assert last.status_code == 400
        assert last.json()["code"] == "confirmation_required"
        assert "last fence device" in last.json()["detail"]
        assert 'id="lab-fence"' in cib()
    finally:
        lab("exec", "1", "pcs", "stonith", "level", "clear", "node3", check=False)
        lab("exec", "1", "pcs", "stonith", "delete", DEV, check=False)
