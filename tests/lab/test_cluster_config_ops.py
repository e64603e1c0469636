"""Cluster-wide configuration through the API against the lab: properties with their
metadata, defaults, groups, clones, the corosync view and reload, the backup download."""

from __future__ import annotations

import datetime
import subprocess
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from clusters.models import Cluster
from operations.models import Operation
from tests.lab.oputil import finished, on_node, run
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def configuration() -> str:
    return on_node("cibadmin", "--query", "--scope", "configuration")


def test_properties_defaults_and_corosync(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    listed = api.get(f"{base}/properties/").json()
    props = {p["name"]: p for p in listed["properties"]}
    assert props["stonith-enabled"]["value"] == "true"
    assert props["stonith-enabled"]["type"] == "boolean"
    assert props["no-quorum-policy"]["default"] == "stop"
    assert "ignore" in props["no-quorum-policy"]["options"]
    assert props["no-quorum-policy"]["value"] is None
    assert props["cluster-name"]["value"] == "haconsole-lab"
    try:
        done = run(
            api, "post", f"{base}/resource-defaults/", {"values": {"resource-stickiness": "5"}}
        )
        assert done["status"] == "succeeded", done
        assert api.get(f"{base}/properties/").json()["resource_defaults"] == {
            "resource-stickiness": "5"
        }
        done = run(api, "post", f"{base}/op-defaults/", {"values": {"timeout": "45s"}})
        assert done["status"] == "succeeded", done
        assert 'name="timeout" value="45s"' in configuration()
    finally:
        lab(
            "exec",
            "1",
            "pcs",
            "resource",
            "defaults",
            "update",
            "resource-stickiness=",
            check=False,
        )
        lab("exec", "1", "pcs", "resource", "op", "defaults", "update", "timeout=", check=False)


def test_corosync_backup_and_report(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    corosync = api.get(f"{base}/corosync/").json()
    assert corosync["totem"]["totem.cluster_name"] == "haconsole-lab"
    assert "cluster_name: haconsole-lab" in corosync["corosync_conf"]
    reloaded = run(api, "post", f"{base}/corosync/reload/")
    assert reloaded["status"] == "succeeded", reloaded
    assert "Corosync reloaded" in reloaded["stdout"] + reloaded["stderr"]  # pcs: stderr
    backup = api.get(f"{base}/backup/")
    assert backup.status_code == 200
    assert backup["Content-Disposition"].endswith('.tar.bz2"')
    assert backup.content[:3] == b"BZh"  # a bzip2 stream, decoded from the node's base64
    since = (timezone.now() - datetime.timedelta(minutes=10)).isoformat()
    report = api.get(f"{base}/report/", {"from": since, "node": "node2"})
    assert report.status_code == 200, report.content[:500]
    assert report.content[:3] == b"BZh"
    made = Operation.objects.filter(kind="read.report").get()
    assert made.node == "node2"
    assert made.argv[1][:2] == ["crm_report", "--single-node"]


def test_groups_and_clones(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes]
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    try:
        made = run(
            api, "post", f"{base}/groups/", {"id": "op-g1", "resources": ["dummy1", "dummy2"]}
        )
        assert made["status"] == "succeeded", made
        group = on_node("cibadmin", "--query", "--xpath", "//group[@id='op-g1']")
        assert group.index('id="dummy1"') < group.index('id="dummy2"')
        reorder = {"id": "op-g1", "resources": ["dummy2"], "before": "dummy1"}
        assert run(api, "post", f"{base}/groups/", reorder)["status"] == "succeeded"
        group = on_node("cibadmin", "--query", "--xpath", "//group[@id='op-g1']")
        assert group.index('id="dummy2"') < group.index('id="dummy1"')
        emptied = run(
            api, "post", f"{base}/groups/op-g1/remove/", {"resources": ["dummy1", "dummy2"]}
        )
        assert emptied["status"] == "succeeded", emptied
        assert 'id="op-g1"' not in configuration()
        cloned = run(
            api, "post", f"{base}/resources/dummy2/clone/", {"options": {"clone-max": "2"}}
        )
        assert cloned["status"] == "succeeded", cloned
        assert 'name="clone-max" value="2"' in configuration()
        assert run(api, "post", f"{base}/resources/dummy2-clone/unclone/")["status"] == "succeeded"
        assert "dummy2-clone" not in configuration()
    finally:
        lab("exec", "1", "pcs", "resource", "ungroup", "op-g1", check=False)
        lab("exec", "1", "pcs", "resource", "unclone", "dummy2", check=False)


def test_restore_a_backup_on_one_node(
    lab_cluster: Cluster, api: APIClient, worker: subprocess.Popen[bytes], the_lab: Lab
) -> None:
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    backup = api.get(f"{base}/backup/")
    assert backup.status_code == 200

    def restore() -> dict[str, Any]:
        upload = SimpleUploadedFile("backup.tar.bz2", backup.content)
        body = {"file": upload, "node": "node3", "confirm": "restore node3"}
        response = api.post(f"{base}/restore/", body, format="multipart")
        assert response.status_code == 202, response.content
        return finished(api, response.json()["id"], timeout=180)

    refused = restore()  # pcs's guard: not while the cluster runs on the node
    assert refused["status"] == "failed", refused
    assert "Cluster is currently running on this node" in refused["stderr"]
    stopped = run(api, "post", f"{base}/nodes/node3/stop/")
    assert stopped["status"] == "succeeded", stopped
    try:
        restored = restore()
    finally:
        started = run(api, "post", f"{base}/nodes/node3/start/")
        assert started["status"] == "succeeded", started
        the_lab.wait_online(3)
    assert restored["status"] == "succeeded", restored
    assert restored["node"] == "node3"
    ran = restored["argv"]
    pcs = next(argv for argv in ran if argv[:3] == ["pcs", "config", "restore"])
    assert pcs[3] == "--local"
    assert pcs[4].endswith("/upload")  # the backup went as a file, not on the command line
    assert not any(backup.content[:20].hex() in " ".join(argv) for argv in ran)
    # the same configuration came back: the cluster is as it was
    assert lab("status", check=False).returncode == 0
    assert "haconsole-lab" in on_node("corosync-cmapctl", "totem.cluster_name")
