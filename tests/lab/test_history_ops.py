"""Reverting a past change through the API against the lab: previewed like any change,
pushed as a patch, and a later change to another part of the CIB stays."""

from __future__ import annotations

import subprocess

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.lab.oputil import finished, on_node, run
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def test_revert_a_past_change_keeping_later_ones(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    timeout = ("crm_attribute", "--type", "crm_config", "--name", "stonith-timeout", "--query")
    try:
        described = {"meta": {"description": "rev-test"}}
        marked = run(api, "post", f"{base}/resources/dummy2/update/", described)
        assert marked["status"] == "succeeded", marked
        assert marked["revert_patch"].startswith('<diff format="2">')
        later = run(api, "post", f"{base}/properties/", {"name": "stonith-timeout", "value": "88s"})
        assert later["status"] == "succeeded", later
        planned = api.post(f"/api/v1/operations/{marked['id']}/revert/?plan=1")
        assert planned.status_code == 200, planned.content
        diff = planned.json()["cib_diff"].splitlines()
        assert any(line.startswith("-") and "rev-test" in line for line in diff), diff
        assert "rev-test" in on_node("cibadmin", "--query", "--scope", "resources")
        applied = api.post(f"{base}/plans/{planned.json()['plan_id']}/apply/")
        assert applied.status_code == 202, applied.content
        reverted = finished(api, applied.json()["id"])
        assert reverted["status"] == "succeeded", reverted
        patched = [argv for argv in reverted["argv"] if argv[0] == "env"]
        assert [argv[2:4] for argv in patched] == [["cibadmin", "--patch"]]
        assert "rev-test" not in on_node("cibadmin", "--query", "--scope", "resources")
        assert "value=88s" in on_node(*timeout)  # the later change is still there
        cleanup = run(api, "post", f"{base}/resources/dummy2/cleanup/")
        refused = api.post(f"/api/v1/operations/{cleanup['id']}/revert/")
        assert refused.status_code == 400
        assert "no configuration change" in refused.json()["detail"]
    finally:
        lab("exec", "1", "pcs", "resource", "update", "dummy2", "meta", "description=", check=False)
        lab("exec", "1", "pcs", "property", "unset", "stonith-timeout", check=False)
