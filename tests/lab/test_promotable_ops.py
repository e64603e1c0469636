"""Promoting and demoting a promotable clone through the API against the lab (the DRBD
master/slave of the book is a promotable clone today; the lab uses ocf:pacemaker:Stateful)."""

from __future__ import annotations

import subprocess

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.lab.oputil import on_node, run, wait
from tests.labutil import lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
RID = "op-stateful"


def promoted_on() -> str:
    """The node where the clone is promoted, read with crm_resource on a node."""
    out = on_node("crm_resource", "--locate", "--resource", f"{RID}-clone")
    lines = [line for line in out.splitlines() if line.rstrip().endswith("Promoted")]
    return lines[0].split("running on:", 1)[1].split()[0] if lines else ""


def test_promote_and_demote(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    lab("exec", "1", "pcs", "resource", "create", RID, "ocf:pacemaker:Stateful", "promotable")
    url = f"/api/v1/clusters/{lab_cluster.pk}/resources/{RID}-clone"
    try:
        first = wait(promoted_on, 60)
        other = next(n for n in ("node1", "node2", "node3") if n != first)
        planned = api.post(f"{url}/promote/?plan=1", {"node": other}, format="json")
        assert planned.status_code == 200, planned.content
        actions = planned.json()["actions"]
        assert any(a["action"] == "promote" and a["on"] == other for a in actions), actions
        promoted = run(api, "post", f"{url}/promote/", {"node": other})
        assert promoted["status"] == "succeeded", promoted
        wait(lambda: promoted_on() == other, 60)
        demoted = run(api, "post", f"{url}/demote/", {"node": other})
        assert demoted["status"] == "succeeded", demoted
        wait(lambda: promoted_on() not in ("", other), 60)
        assert f"cli-ban-{RID}-clone-on-{other}" in on_node(
            "cibadmin", "--query", "--scope", "constraints"
        )
    finally:
        lab("exec", "1", "pcs", "resource", "clear", f"{RID}-clone", check=False)
        lab("exec", "1", "pcs", "resource", "delete", RID, "--force", check=False)
