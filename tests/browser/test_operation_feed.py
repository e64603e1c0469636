"""In a browser, on the real lab: the operation dialog follows its operation from the
updates pushed on the cluster's WebSocket (operation.update, numbered by `seq`), asks the
API for it only at the start, after a gap and after a reconnect, and ends right even when
its socket was cut while the operation ran.

The cluster's operation lock is held by the test for a while, so the applied operation
waits queued, deterministically, for as long as the test needs.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Locator, Page, Request, WebSocket, expect

from operations import lock
from operations.models import FINAL, Operation
from tests.browser.conftest import Cable, Console, add_lab_cluster, sign_in
from tests.labutil import Lab, lab

pytestmark = [pytest.mark.browser, pytest.mark.lab]
RID = "dummy2"
OPERATION_GET = re.compile(r"/api/v1/operations/\d+/$")
QUIET_S = 3  # the dialog that polled every 400 ms asked 7 times in this long


@pytest.fixture
def reenable() -> Iterator[None]:
    yield
    lab("exec", "1", "pcs", "resource", "enable", RID, check=False)


@contextmanager
def operations_held(cluster_id: int) -> Iterator[None]:
    """The cluster's operation lock, held: an applied operation stays queued meanwhile."""
    held = lock.ClusterLock(cluster_id, 0)
    assert held.acquire(wait=30)
    try:
        yield
    finally:
        held.release()


def operation_gets(page: Page) -> list[str]:
    """Every GET of one operation the page makes from now on (filled as they happen)."""
    seen: list[str] = []

    def sent(request: Request) -> None:
        if request.method == "GET" and OPERATION_GET.search(request.url):
            seen.append(request.url)

    page.on("request", sent)
    return seen


def pushed_updates(page: Page) -> list[dict[str, object]]:
    """Every operation.update the page's WebSockets receive from now on."""
    seen: list[dict[str, object]] = []

    def frame(payload: str | bytes) -> None:
        message = json.loads(payload)
        if message.get("type") == "operation.update":
            seen.append(message["operation"])

    def opened(socket: WebSocket) -> None:
        socket.on("framereceived", frame)

    page.on("websocket", opened)
    return seen


def plan_disable(page: Page, console: Console, cluster_id: int) -> Locator:
    """The resource's live page, its disable planned; the dialog."""
    sign_in(page, console, f"/clusters/{cluster_id}/resources/{RID}/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    page.locator("[data-do=disable]").click()
    dialog = page.locator("#op-dialog")
    expect(dialog.locator("[data-diff]")).to_contain_text("target-role", timeout=30000)
    return dialog


def wait_final(cluster_id: int, timeout: float = 60) -> Operation:
    """The applied operation, once the worker has ended it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        op = Operation.objects.filter(cluster_id=cluster_id, dry_run=False).first()
        if op is not None and op.status in FINAL:
            return op
        time.sleep(0.3)
    raise TimeoutError("the operation did not end")


def test_the_dialog_follows_pushed_updates_without_polling(  # noqa: PLR0917
    page: Page,
    console: Console,
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
    reenable: None,
) -> None:
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    updates = pushed_updates(page)
    dialog = plan_disable(page, console, cluster_id)
    gets = operation_gets(page)
    with operations_held(cluster_id):
        dialog.locator("[data-apply]").click()
        expect(dialog.locator("[data-op-status]")).to_have_text("queued")
        page.wait_for_timeout(QUIET_S * 1000)
        assert len(gets) == 1  # the one at the start
    expect(dialog.locator("[data-op-status]")).to_have_text("succeeded", timeout=60000)
    op = wait_final(cluster_id)
    expect(dialog.locator("ol.steps > li")).to_have_count(len(op.steps))
    mine = [u for u in updates if u["id"] == op.pk]
    print(f"operation #{op.pk}: {len(mine)} updates pushed, {len(gets)} GET of it")
    assert [u["seq"] for u in mine] == list(range(1, op.seq + 1))  # every one, in order
    assert [u["status"] for u in mine][-1] == "succeeded"
    assert len(gets) == 1  # the end came from the pushed updates alone
    assert "target-role" in lab("exec", "1", "cibadmin", "--query", "--scope", "resources").stdout


def test_the_dialog_ends_right_after_its_socket_was_cut(  # noqa: PLR0917
    page: Page,
    console: Console,
    worker: subprocess.Popen[bytes],
    quiet_lab: Lab,
    errors: list[str],
    reenable: None,
) -> None:
    cable = Cable()
    page.route_web_socket(re.compile(r"/ws/clusters/\d+/$"), cable.route)
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    dialog = plan_disable(page, console, cluster_id)
    gets = operation_gets(page)
    status = dialog.locator("[data-op-status]")
    with operations_held(cluster_id):
        dialog.locator("[data-apply]").click()
        expect(status).to_have_text("queued")
        cable.unplug()
        expect(page.locator("#conn")).not_to_have_attribute("data-state", "live")
    op = wait_final(cluster_id)  # it ran and ended while the page heard nothing
    assert op.status == "succeeded"
    expect(status).to_have_text("queued")
    cable.cut = False
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=20000)
    expect(status).to_have_text("succeeded")  # fetched after the reconnect
    expect(dialog.locator("ol.steps > li")).to_have_count(len(op.steps))
    print(f"operation #{op.pk}: {len(gets)} GET of it (the start, the reconnect)")
    assert len(gets) == 2
    assert len(cable.sockets) == 2  # the page and its dialog share one socket
    page.goto("about:blank")  # close the routed sockets before Daphne stops
