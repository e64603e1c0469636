"""Constraints through the API against the lab, checked with cibadmin on a node."""

from __future__ import annotations

import subprocess

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.lab.oputil import on_node, run, wait, where
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def constraint_ids() -> str:
    return on_node("cibadmin", "--query", "--scope", "constraints")


def test_create_list_score_and_delete_constraints(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    url = f"/api/v1/clusters/{lab_cluster.pk}/constraints/"
    other = next(n for n in ("node1", "node2", "node3") if n != where("dummy1"))
    bodies = [
        {"type": "location", "resource": "dummy1", "node": other, "score": 200},
        {"type": "order", "first": "dummy1", "then": "dummy2", "kind": "Optional"},
        {"type": "colocation", "resource": "dummy2", "with": "dummy1", "score": -50},
        {"type": "location", "resource": "dummy2", "score": 5, "rule": ["#uname", "eq", "node1"]},
    ]
    try:
        planned = api.post(url + "?plan=1", bodies[0], format="json")
        assert planned.status_code == 200, planned.content
        assert any(a["action"] == "move" and a["dest"] == other for a in planned.json()["actions"])
        for body in bodies:
            op = run(api, "post", url, body)
            assert op["status"] == "succeeded", op
        wait(lambda: where("dummy1") == other, 30)  # as the plan said
        listed = api.get(url + "?resource=dummy2").json()["constraints"]
        assert {c["type"] for c in listed} == {"order", "colocation", "location"}
        rule = next(c for c in listed if c["type"] == "location")
        assert rule["has_rules"] is True
        colocation = next(c for c in listed if c["type"] == "colocation")
        assert (colocation["resources"], colocation["score"]) == (["dummy2", "dummy1"], "-50")
        assert colocation["id"] in constraint_ids()
        scores = api.get(f"/api/v1/clusters/{lab_cluster.pk}/scores/").json()
        dummy1 = {
            line.split(" on ", 1)[1].split(":")[0]: line.rsplit(":", 1)[1].strip()
            for line in scores["scores"]
            if "dummy1 allocation score on " in line
        }
        best = max(dummy1, key=lambda node: int(dummy1[node].replace("INFINITY", "1000000")))
        assert best == other, dummy1  # the location constraint's 200 dominates
        for c in api.get(url).json()["constraints"]:
            if "dummy" in c["id"]:
                op = run(api, "delete", f"{url}{c['id']}/")
                assert op["status"] == "succeeded", op
                assert c["id"] not in constraint_ids()
    finally:
        for c in ("location-dummy", "order-dummy1-dummy2", "colocation-dummy2-dummy1"):
            out = constraint_ids()
            for line in out.splitlines():
                if f'id="{c}' in line:
                    cid = line.split('id="', 1)[1].split('"', 1)[0]
                    lab("exec", "1", "pcs", "constraint", "delete", cid, check=False)
