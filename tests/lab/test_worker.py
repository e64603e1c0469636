"""The Celery worker, a real process on the real Redis, reads the lab cluster's state."""

import subprocess

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from clusters.models import Cluster
from clusters.tasks import refresh_status_task
from tests.lab.conftest import add_body
from tests.labutil import Lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]


def test_worker_refreshes_node_state(
    the_lab: Lab, worker: subprocess.Popen[bytes], admin_user: User, api: APIClient
) -> None:
    assert api.post("/api/v1/clusters/", add_body(the_lab), format="json").status_code == 201
    cluster = Cluster.objects.get()
    before = cluster.status_confirmed
    cluster.nodes.update(online=None)
    outcome = refresh_status_task.delay(cluster.pk).get(timeout=60)
    assert outcome["ok"] is True
    assert outcome["node"] in {"node1", "node2", "node3"}
    cluster.refresh_from_db()
    assert before is not None
    assert cluster.status_confirmed is not None
    assert cluster.status_confirmed > before
    assert list(cluster.nodes.values_list("online", flat=True)) == [True, True, True]
