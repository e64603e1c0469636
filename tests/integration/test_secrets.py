"""Secrets never leave: a known password planted in a fence device (created, updated,
reverted, read back, backed up) appears in no API answer, page, export, event, log line,
download or stored row; the node still gets it.

The node is a fake that answers like pcs, cibadmin and crm_diff would, and echoes the
password back where the real tools can (pcs warnings, the CIB, patchsets, backups).
"""

from __future__ import annotations

import asyncio
import base64
import bz2
import io
import json
import logging
import tarfile
from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from clusters.models import Cluster, Event
from hacore.runner import CommandResult, HostKey, Runner, Target
from operations.engine import use_runner
from operations.models import Operation, Plan
from operations.tasks import run_operation
from tests.scripted import fixture

pytestmark = pytest.mark.django_db(transaction=True)

PLANTED = "Plant3d-S3cret!"
NEW_PLANTED = "N3w-Plant3d-S3cret?"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
TMP = "/tmp/haconsole.Ab12Cd34"


def _primitive(password: str) -> str:
    return (
        '<primitive id="ipmi1" class="stonith" type="fence_ipmilan">'
        '<instance_attributes id="ipmi1-instance_attributes">'
        f'<nvpair id="ipmi1-instance_attributes-password" name="password" value="{password}"/>'
        '<nvpair id="ipmi1-instance_attributes-ip" name="ip" value="10.0.0.9"/>'
        "</instance_attributes></primitive>"
    )


def _cib(epoch: int, password: str | None) -> str:
    device = _primitive(password) if password else ""
    return (
        f'<cib admin_epoch="0" epoch="{epoch}" num_updates="0"><configuration>'
        f"<crm_config/><nodes/><resources>{device}</resources><constraints/>"
        "</configuration><status/></cib>"
    )


def _backup(password: str) -> str:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:bz2") as tar:
        for name, content in {
            "cib.xml": _cib(9, password).encode(),
            "pe-input-3.bz2": bz2.compress(_cib(9, password).encode()),
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return base64.b64encode(out.getvalue()).decode()


class FakeNode:
    """Answers the console's commands as a node with one fence device would."""

    def __init__(self) -> None:
        self.password = PLANTED
        self.ran: list[tuple[str, ...]] = []

    async def connect(self, target: Target) -> None:
        """Always reachable."""

    async def run(
        self,
        target: Target,
        argv: Sequence[str],
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """An answer made from the argv."""
        ran = tuple(argv)
        self.ran.append(ran)
        out, err, status = self.answer(ran)
        return CommandResult(target.address, ran, status, out, err, 0.0)

    def answer(self, argv: tuple[str, ...]) -> tuple[str, str, int]:
        """stdout, stderr and exit status for argv."""
        text = " ".join(argv)
        answers: dict[str, tuple[str, str, int]] = {
            "mktemp": (TMP + "\n", "", 0),
            "crm_simulate": (fixture("crm_simulate/standby_disable.xml"), "", 0),
            "crm_diff": (self.patch(), "", 1),
            "base64": (_backup(self.password), "", 0),
        }
        if argv[0] in answers:
            return answers[argv[0]]
        if argv[0] == "cat":
            return (
                (_cib(7, None) if argv[-1].endswith("orig.xml") else _cib(8, self.password)),
                "",
                0,
            )
        if argv[0] == "cibadmin":
            if "--no-children" in argv:
                return '<cib admin_epoch="0" epoch="7" num_updates="0"/>', "", 0
            return (_primitive(self.password) if "@id=" in text else _cib(7, self.password)), "", 0
        if "stonith" in argv and ("create" in argv or "update" in argv):
            given = [a.partition("=")[2] for a in argv if a.startswith("password=")]
            self.password = given[0] if given else self.password
            return "", f"Warning: Validation result from agent: password={self.password}\n", 0
        return "", "", 0

    def patch(self) -> str:
        """A crm_diff patchset that sets the password back."""
        return (
            '<diff format="2"><change operation="modify" path="/cib/configuration/resources/'
            "primitive[@id='ipmi1']/instance_attributes[@id='ipmi1-instance_attributes']/"
            "nvpair[@id='ipmi1-instance_attributes-password']\"><change-list>"
            f'<change-attr name="value" operation="set" value="{self.password}"/>'
            "</change-list></change></diff>"
        )

    async def stream(self, target: Target, argv: Sequence[str]) -> AsyncIterator[str]:
        """No streams here."""
        raise NotImplementedError
        yield ""  # pragma: no cover

    async def close(self) -> None:
        """Nothing to close."""

    async def __aenter__(self) -> Runner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


@pytest.fixture
def node(cluster: Cluster) -> Iterator[FakeNode]:
    """Every command on the cluster answered by one fake node (node1's key pinned)."""
    first = cluster.nodes.get(name="node1")
    first.pin(HostKey.parse(KEY))
    first.save()
    fake = FakeNode()
    with use_runner(lambda: fake):
        yield fake
    # The worker's saves ran in asgiref's thread, with a connection of its own: close it.
    asyncio.run(sync_to_async(connections.close_all)())


def _apply_queued(response: object) -> Operation:
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 202, body  # type: ignore[attr-defined]
    run_operation(body["id"])
    return Operation.objects.get(pk=body["id"])


def _plant(api: APIClient, cluster: Cluster) -> list[Operation]:
    """Create the device through a plan, update its password, revert the update."""
    base = f"/api/v1/clusters/{cluster.pk}"
    body = {"id": "ipmi1", "agent": "fence_ipmilan", "params": {"password": PLANTED}}
    plan = api.post(f"{base}/fence-devices/?plan=1", body, format="json")
    assert plan.status_code == 200, plan.json()
    created = _apply_queued(api.post(f"{base}/plans/{plan.json()['plan_id']}/apply/"))
    update = {"params": {"password": NEW_PLANTED}}
    updated = _apply_queued(api.post(f"{base}/fence-devices/ipmi1/update/", update, format="json"))
    reverted = _apply_queued(api.post(f"/api/v1/operations/{updated.pk}/revert/"))
    return [created, updated, reverted]


def _everything_shown(api: APIClient, client: Client, cluster: Cluster) -> dict[str, str]:
    base = f"/api/v1/clusters/{cluster.pk}"
    answers = {
        path: api.get(path)
        for path in [
            "/api/v1/operations/?limit=500",
            "/api/v1/operations/export/?as=csv",
            "/api/v1/operations/export/?as=json",
            "/api/v1/resources/",
            "/api/v1/fence-devices/",
            "/api/v1/events/",
            f"{base}/status/",
            f"{base}/resources/ipmi1/",
            *(f"/api/v1/operations/{op.pk}/" for op in Operation.objects.all()),
            *(f"{base}/plans/{plan.pk}/" for plan in Plan.objects.all()),
        ]
    }
    shown = {path: r.content.decode() for path, r in answers.items()}
    assert all(r.status_code == 200 for r in answers.values()), {
        p: r.status_code for p, r in answers.items() if r.status_code != 200
    }
    for page in ["/audit/", f"/clusters/{cluster.pk}/", f"/clusters/{cluster.pk}/resources/ipmi1/"]:
        response = client.get(page)
        assert response.status_code in (200, 404), page
        shown[page] = response.content.decode()
    backup = api.get(f"{base}/backup/")
    assert backup.status_code == 200
    with tarfile.open(fileobj=io.BytesIO(backup.content), mode="r:bz2") as tar:
        for member in tar.getmembers():
            content = tar.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith(".bz2"):
                content = bz2.decompress(content)
            shown[f"backup:{member.name}"] = content.decode()
    return shown


def _stored() -> dict[str, str]:
    rows: dict[str, Operation | Plan] = {f"operation {op.pk}": op for op in Operation.objects.all()}
    rows |= {f"plan {p.pk}": p for p in Plan.objects.all()}
    return {
        name: json.dumps({f.name: str(getattr(row, f.attname)) for f in row._meta.concrete_fields})
        for name, row in rows.items()
    } | {"events": json.dumps([str(e) for e in Event.objects.all()])}


def test_a_planted_fence_password_never_leaves(
    cluster: Cluster,
    node: FakeNode,
    api: APIClient,
    admin_client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    created, updated, reverted = _plant(api, cluster)
    assert (created.status, updated.status, reverted.status) == ("succeeded",) * 3
    # Positive control: the node was given the real values, and said them back.
    given = [a for argv in node.ran for a in argv]
    assert f"password={PLANTED}" in given
    assert f"password={NEW_PLANTED}" in given
    assert any(f'value="{NEW_PLANTED}"' in a for a in given), "the revert patch was sent"
    shown = _everything_shown(api, admin_client, cluster) | _stored()
    shown["log"] = caplog.text
    for secret in (PLANTED, NEW_PLANTED):
        leaks = [where for where, text in shown.items() if secret in text]
        assert leaks == [], f"{secret} leaked in {leaks}"
    # The masks are there, where the secrets were.
    assert "password=***" in shown[f"/api/v1/operations/{created.pk}/"]
    assert json.loads(shown[f"/api/v1/clusters/{cluster.pk}/resources/ipmi1/"])["params"] == {
        "password": "***",
        "ip": "10.0.0.9",
    }
    assert 'name="password" value="***"' in shown["backup:cib.xml"]
