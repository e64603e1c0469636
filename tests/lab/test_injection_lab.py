"""The injection corpus (tests/corpus.py, 59 hostile values) through every field that
can reach a node, against the lab: values go into plans (run with pcs -f on a copy of
the CIB on a node: nothing changes, no worker needed), names and ids are refused before
any node; the canary file the hostile values try to create never appears on any node
(CVE-2020-35458, CVE-2020-35459: shell injection to RCE in Hawk).

Plans only: nothing here changes the shared lab cluster.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from tests.corpus import CANARY, INJECTION_CORPUS
from tests.labutil import Lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]

MAX_VALUE = 4096  # what the console accepts as one attribute value
VALUES = [v for v in INJECTION_CORPUS if len(v) <= MAX_VALUE]
# Past the check, a plan answers 200 (pcs took it) or 422 (pcs refused it); before it,
# 400 (refused input) or 404 (no such node or resource). Never 5xx, never queued.
FINE = {200, 400, 404, 422}


def as_params(values: list[str]) -> dict[str, str]:
    return {f"p{i}": v for i, v in enumerate(values)}


def value_plans(base: str) -> list[tuple[str, dict[str, Any]]]:
    """Each field that takes free text, with every hostile value in one plan."""
    params = as_params(VALUES)
    return [
        (f"{base}/resources/", {"id": "inj1", "agent": "ocf:pacemaker:Dummy", "params": params}),
        (f"{base}/resources/", {"id": "inj2", "agent": "ocf:pacemaker:Dummy", "meta": params}),
        (
            f"{base}/resources/",
            {
                "id": "inj3",
                "agent": "ocf:pacemaker:Dummy",
                "operations": [{"name": "monitor", **params}],
            },
        ),
        (f"{base}/resources/dummy1/update/", {"params": params, "meta": params}),
        (f"{base}/resources/dummy1/clone/", {"options": params}),
        (f"{base}/fence-devices/", {"id": "inj4", "agent": "fence_dummy", "params": params}),
        (f"{base}/fence-devices/lab-fence/update/", {"params": params}),
        (f"{base}/resource-defaults/", {"values": params}),
        (f"{base}/op-defaults/", {"values": params}),
        (
            f"{base}/constraints/",
            {"type": "location", "resource": "dummy1", "score": "10", "rule": VALUES},
        ),
        *((f"{base}/properties/", {"name": "haconsole-injection", "value": v}) for v in VALUES),
    ]


def name_requests(base: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Each field that names something (ids, node names, agents, attribute names)."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for v in INJECTION_CORPUS:
        quoted = v.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
        out += [
            ("post", f"{base}/resources/dummy1/move/", {"node": v}),
            ("post", f"{base}/resources/", {"id": v, "agent": "ocf:pacemaker:Dummy"}),
            ("post", f"{base}/resources/", {"id": "inj5", "agent": v}),
            (
                "post",
                f"{base}/resources/",
                {"id": "inj6", "agent": "ocf:pacemaker:Dummy", "params": {v: "1"}},
            ),
            ("post", f"{base}/groups/", {"id": "g1", "resources": [v]}),
            ("post", f"{base}/fencing-levels/", {"level": 1, "node": v, "devices": ["lab-fence"]}),
            ("get", f"{base}/agents/?standard={quoted}", {}),
            ("post", f"{base}/properties/", {"name": v, "value": "1"}),
        ]
        if quoted.strip() and "\n" not in v and "\r" not in v:
            out += [
                ("post", f"{base}/resources/{quoted}/cleanup/", {}),
                ("post", f"{base}/nodes/{quoted}/standby/", {}),
            ]
    return out


def canaries(the_lab: Lab) -> list[str]:
    """The nodes where the canary file exists."""
    return [n.name for n in the_lab.nodes if the_lab.exec(n.number, "ls", CANARY, check=False)]


def test_hostile_values_reach_nodes_only_as_arguments(
    the_lab: Lab, lab_cluster: Cluster, api: APIClient
) -> None:
    for node in the_lab.nodes:
        the_lab.exec(node.number, "rm", "-f", CANARY)
    # Positive control: the check sees a canary where there is one.
    the_lab.exec(1, "touch", CANARY)
    assert canaries(the_lab) == [the_lab.nodes[0].name]
    the_lab.exec(1, "rm", "-f", CANARY)
    assert len(VALUES) >= 50
    base = f"/api/v1/clusters/{lab_cluster.pk}"
    answers = {}
    for url, body in value_plans(base):
        answers[(url, str(body)[:80])] = api.post(f"{url}?plan=1", body, format="json").status_code
    for method, url, body in name_requests(base):
        send = getattr(api, method)
        sent = send(f"{url}?plan=1", body, format="json") if method == "post" else send(url)
        answers[(url, str(body)[:80])] = sent.status_code
    assert {k: s for k, s in answers.items() if s not in FINE} == {}
    assert 200 in answers.values(), "some plans were made: the values reached a node"
    assert canaries(the_lab) == []
