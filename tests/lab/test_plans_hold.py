"""Every plan is held to its apply, on the lab: for each action, plan it, apply the plan,
let the cluster settle, then compare what the plan said with what the cluster runs and
holds: the configuration diff (read with cibadmin before and after, not the console's
own record), every planned action's landing node, and no resource moving that the plan
did not name. With the default stickiness (0) and with resource-stickiness=1. A move
that would not hold is refused by the plan, never by the apply."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from clusters.models import Cluster
from hacore.pacemaker.cib import configuration_diff
from hacore.pacemaker.status import parse_crm_mon
from tests.lab.oputil import finished, on_node, run
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.lab, pytest.mark.django_db(transaction=True)]
Request = tuple[str, str, dict[str, Any] | None]  # method, path under the cluster, body


def cib() -> str:
    return on_node("cibadmin", "--query")


def settle() -> None:
    on_node("crm_resource", "--wait", "--timeout", "60s")


def placement() -> dict[str, tuple[str, ...]]:
    """Resource id (clone instances folded) -> nodes it is active on, from crm_mon."""
    status = parse_crm_mon(on_node("crm_mon", "--one-shot", "--inactive", "--output-as=xml"))
    found: dict[str, set[str]] = {}

    def walk(resources: Any) -> None:
        for r in resources:
            if r.kind == "primitive":
                found.setdefault(r.id.split(":", 1)[0], set()).update(r.nodes if r.active else ())
            walk(r.children)

    walk(status.resources)
    return {rid: tuple(sorted(nodes)) for rid, nodes in found.items()}


@dataclass(frozen=True)
class Case:
    """An action to hold to its plan, and how to put the lab back afterwards."""

    name: str
    request: Callable[[dict[str, tuple[str, ...]]], Request]
    undo: Callable[[], None] = lambda: None


def other(nodes: dict[str, tuple[str, ...]], rid: str) -> str:
    here = nodes.get(rid, ())
    return next(n for n in ("node1", "node2", "node3") if n not in here)


def pcs(*argv: str) -> Callable[[], None]:
    """An undo step: a pcs command on node 1."""

    def undo() -> None:
        lab("exec", "1", "pcs", *argv, check=False)

    return undo


def unstandby_all() -> None:
    for node in ("node1", "node2", "node3"):
        pcs("node", "unstandby", node)()


def delete_locations_of(rid: str) -> Callable[[], None]:
    def undo() -> None:
        xpath = f"//rsc_location[@rsc='{rid}']"
        lab("exec", "1", "cibadmin", "--delete-all", "--xpath", xpath, "--force", check=False)

    return undo


CASES = [
    Case("standby", lambda n: ("post", f"nodes/{n['dummy1'][0]}/standby/", None), unstandby_all),
    Case(
        "disable",
        lambda n: ("post", "resources/dummy2/disable/", None),
        pcs("resource", "enable", "dummy2"),
    ),
    Case("move", lambda n: ("post", "resources/dummy1/move/", {"node": other(n, "dummy1")})),
    Case(
        "move keeping the constraint",
        lambda n: (
            "post",
            "resources/dummy1/move/",
            {"node": other(n, "dummy1"), "keep_constraint": True},
        ),
        pcs("resource", "clear", "dummy1"),
    ),
    Case(
        "ban",
        lambda n: ("post", "resources/dummy2/ban/", {"node": n["dummy2"][0]}),
        pcs("resource", "clear", "dummy2"),
    ),
    Case(
        "create",
        lambda n: ("post", "resources/", {"id": "held1", "agent": "ocf:heartbeat:Dummy"}),
        pcs("resource", "delete", "held1", "--force"),
    ),
    Case(
        "location",
        lambda n: (
            "post",
            "constraints/",
            {"type": "location", "resource": "dummy2", "node": other(n, "dummy2"), "score": 50},
        ),
        delete_locations_of("dummy2"),
    ),
    Case(
        "clone",
        lambda n: ("post", "resources/dummy2/clone/", {}),
        pcs("resource", "unclone", "dummy2"),
    ),
]


@pytest.fixture(params=["0", "1"], ids=["stickiness-0", "stickiness-1"])
def stickiness(request: pytest.FixtureRequest, the_lab: Lab) -> Iterator[str]:
    """The lab with resource-stickiness unset (Pacemaker's default, 0) or set to 1."""
    if request.param != "0":
        pcs("resource", "defaults", "update", f"resource-stickiness={request.param}")()
    settle()
    yield request.param
    pcs("resource", "defaults", "update", "resource-stickiness=")()
    settle()


def hold_to_plan(api: APIClient, cluster: Cluster, case: Case) -> None:
    before_nodes, before_cib = placement(), cib()
    method, path, body = case.request(before_nodes)
    url = f"/api/v1/clusters/{cluster.pk}/{path}"
    planned = getattr(api, method)(f"{url}?plan=1", body, format="json")
    if planned.status_code == 422 and planned.json()["code"] == "move_would_not_hold":
        # The refusal is itself a prediction: the live move must refuse too.
        refused = run(api, method, url, body)
        assert refused["status"] == "failed", refused
        assert "will stay on the same node" in refused["stderr"], refused["stderr"]
        assert placement() == before_nodes
        return
    assert planned.status_code == 200, planned.json()
    plan = planned.json()
    applied = api.post(f"/api/v1/clusters/{cluster.pk}/plans/{plan['plan_id']}/apply/")
    assert applied.status_code == 202, applied.json()
    op = finished(api, applied.json()["id"], timeout=300)
    assert op["status"] == "succeeded", op
    settle()
    after_nodes = placement()
    assert configuration_diff(before_cib, cib()) == plan["cib_diff"]
    named = set()
    for action in plan["actions"]:
        rid = action["resource"].split(":", 1)[0]
        named.add(rid)
        if action["action"] in ("move", "start", "migrate"):
            assert action["on"] in after_nodes.get(rid, ()), (action, after_nodes)
        elif action["action"] == "stop":
            assert action["node"] not in after_nodes.get(rid, ()), (action, after_nodes)
    unplanned = {
        rid: (before_nodes.get(rid), nodes)
        for rid, nodes in after_nodes.items()
        if rid not in named and nodes != before_nodes.get(rid, ())
    }
    assert unplanned == {}, f"moved without the plan saying so: {unplanned}"


def test_every_plan_predicts_its_apply(
    api: APIClient,
    lab_cluster: Cluster,
    worker: subprocess.Popen[bytes],
    stickiness: str,
    subtests: pytest.Subtests,
) -> None:
    """One cluster and one worker for every case (each a subtest that fails on its own)."""
    for case in CASES:
        with subtests.test(case=case.name):
            try:
                hold_to_plan(api, lab_cluster, case)
            finally:
                case.undo()
                settle()
