"""In a browser: the status wall, opened with a kiosk token and no login."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from clusters.mirror import apply_status, publish
from clusters.models import Cluster, KioskToken
from tests.browser.conftest import Cable, Console, add_lab_cluster, wait_until_watched
from tests.integration.test_pages import a_status, make_cluster
from tests.labutil import REPO, Lab, lab

pytestmark = [pytest.mark.browser]
SHOTS = Path(os.environ.get("HACONSOLE_SCREENSHOTS", REPO / "test-results"))
BIG_SCREEN: ViewportSize = {"width": 1920, "height": 1080}
CONTROLS = "a, button, input, select, textarea, form"


def push(message: dict[str, Any] | None) -> None:
    """Publish as the monitor does, from a thread of its own (Playwright holds this one's loop)."""
    thread = threading.Thread(target=publish, args=(message,))
    thread.start()
    thread.join(10)


def kiosk(*clusters: Cluster) -> KioskToken:
    token = KioskToken.objects.create(name="NOC wall")
    token.clusters.set(clusters)
    return token


def test_wall_with_a_token(page: Page, console: Console) -> None:
    shown = make_cluster("shown")
    make_cluster("not-for-this-wall")
    token = kiosk(shown)
    page.set_viewport_size(BIG_SCREEN)
    page.goto(f"{console.url}/wall/?token={token.key}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    tile = page.locator("section[data-cluster='shown']")
    expect(tile).to_have_attribute("data-health", "amber")
    expect(page.locator("section[data-cluster]")).to_have_count(1)
    push(apply_status(shown.pk, a_status(offline="node2"), "node1"))
    expect(tile).to_have_attribute("data-health", "red")
    expect(page.locator("#ticker li[data-kind='node_lost']")).to_contain_text("node2 lost")
    expect(page.locator("#ticker li").first).to_contain_text("shown")
    assert page.locator(CONTROLS).count() == 0
    page.screenshot(path=str(SHOTS / "wall-made-up.png"))


def test_wall_catches_up_after_a_reconnect(page: Page, console: Console) -> None:
    shown = make_cluster("shown")
    cable = Cable()
    page.route_web_socket(re.compile(r"/ws/wall/"), cable.route)
    page.set_viewport_size(BIG_SCREEN)
    page.goto(f"{console.url}/wall/?token={kiosk(shown).key}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    cable.unplug()
    apply_status(shown.pk, a_status(offline="node2"), "node1")  # while this wall is cut off
    expect(page.locator("body")).to_have_attribute("data-stale", "yes", timeout=10000)
    expect(page.locator("#stale")).to_contain_text("Connection to the console lost")
    # cut off, the wall hears no heartbeat either: within 5 s its tile is not current
    cut_off = page.locator("section[data-cluster='shown']")
    expect(cut_off).to_have_attribute("data-health", "grey", timeout=8000)
    expect(cut_off).to_contain_text("NO CONTACT for")
    page.screenshot(path=str(SHOTS / "wall-connection-lost.png"))
    cable.cut = False
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=20000)
    expect(page.locator("body")).not_to_have_attribute("data-stale", "yes")
    expect(page.locator("section[data-cluster='shown']")).to_have_attribute("data-health", "red")
    expect(page.locator("#ticker li[data-kind='node_lost']")).to_contain_text("node2 lost")
    page.goto("about:blank")  # close the routed sockets before Daphne stops


def test_wall_refuses_a_revoked_token(page: Page, console: Console) -> None:
    token = kiosk(make_cluster("secret"))
    KioskToken.objects.filter(pk=token.pk).update(revoked="2026-01-01T00:00:00Z")
    response = page.goto(f"{console.url}/wall/?token={token.key}")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("secret")


@pytest.mark.lab
def test_wall_turns_red_when_a_node_dies(
    page: Page, console: Console, monitor: object, quiet_lab: Lab
) -> None:
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    token = kiosk(Cluster.objects.get(pk=cluster_id))
    wait_until_watched(cluster_id)
    page.set_viewport_size(BIG_SCREEN)
    page.goto(f"{console.url}/wall/?token={token.key}")
    tile = page.locator("section[data-cluster='haconsole-lab']")
    expect(tile).to_have_attribute("data-health", "green")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    page.screenshot(path=str(SHOTS / "wall-green.png"))
    try:
        killed = time.monotonic()
        lab("kill-node", "3")
        expect(tile).to_have_attribute("data-health", "red", timeout=15000)
        print(f"wall red {time.monotonic() - killed:.1f} s after node3 was killed")
        lost = page.locator("#ticker li[data-kind='node_lost']")
        expect(lost).to_contain_text("node3 lost", timeout=15000)
        expect(tile.locator("[data-field='nodes']")).to_contain_text("2/3")
        page.screenshot(path=str(SHOTS / "wall-red.png"))
        assert page.locator(CONTROLS).count() == 0
    finally:
        lab("start-node", "3", timeout=240)
    expect(tile).to_have_attribute("data-health", "green", timeout=60000)
    expect(page.locator("#ticker li[data-kind='node_joined']")).to_contain_text("node3 joined")
