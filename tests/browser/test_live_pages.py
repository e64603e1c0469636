"""In a browser: the live pages render the stored status and follow what is pushed.

The first tests push messages themselves (the mirror's apply_status + publish, as the
monitor does) on a made-up cluster; the lab test drives the real cluster, with the
monitor running, and watches the cluster page change without a reload.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from playwright.sync_api import Page, expect

from clusters.contact import Contact
from clusters.mirror import apply_status, apublish_contact, mark_unreachable, publish
from clusters.models import Cluster, Event
from nodes.models import Node
from tests.browser.conftest import (
    Cable,
    Console,
    add_lab_cluster,
    sign_in,
    wait_until_watched,
)
from tests.integration.test_pages import a_status, make_cluster
from tests.labutil import REPO, Lab

pytestmark = [pytest.mark.browser]
SHOTS = Path(os.environ.get("HACONSOLE_SCREENSHOTS", REPO / "test-results"))
MARKER = "window.__haconsoleNoReload"


def push(message: dict[str, Any] | None) -> None:
    """Publish as the monitor does, from a thread of its own (Playwright holds this one's loop)."""
    thread = threading.Thread(target=publish, args=(message,))
    thread.start()
    thread.join(10)


def mark_page(page: Page) -> None:
    """A variable that only survives if the page is never reloaded."""
    page.evaluate(f"{MARKER} = 'still here'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(MARKER) == "still here"


@pytest.fixture
def made_up(console: Console) -> Cluster:
    return make_cluster("made-up")


def open_live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    mark_page(page)


def test_cluster_page_renders_the_status(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/")
    row = page.locator("tr[data-node='node1']")
    expect(row).to_contain_text("198.51.100.11")
    expect(row).to_contain_text("online")
    expect(row).to_contain_text("SHA256:made-up-key-1")
    expect(row.locator("[data-runs='dummy1']")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("node1 (2.1.5)")
    expect(page.locator("#summary")).to_contain_text("with quorum")
    expect(page.locator("#freshness")).to_contain_text("State read")
    expect(page.locator("#resources li[data-resource='dummy1']")).to_have_attribute(
        "data-role", "Started"
    )
    group = page.locator("li[data-resource='web'][data-kind='group']")
    expect(group.locator("li[data-resource='web-ip']")).to_contain_text("on node3")
    clone = page.locator("li[data-resource='db-clone']")
    expect(clone).to_contain_text("Clone Set (promotable)")
    promoted = clone.locator("[data-instance='db'][data-on-node='node1']")
    expect(promoted).to_have_attribute("data-role", "Promoted")
    expect(clone.locator("[data-role='Unpromoted'][data-on-node]")).to_have_count(2)
    expect(page.locator("#failures")).to_contain_text("pid file vanished")
    expect(page.locator("#fencing tr[data-fence-target='node3']")).to_contain_text("success")
    expect(page.locator("#warnings li[data-warning]")).to_have_count(2)
    assert_not_reloaded(page)


def test_cluster_page_follows_pushed_changes(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/")
    dummy1 = page.locator("#resources li[data-resource='dummy1']")
    push(apply_status(made_up.pk, a_status(dummy1_on=(), offline="node3"), "node1"))
    expect(dummy1).to_have_attribute("data-role", "Stopped")
    expect(page.locator("tr[data-node='node3']")).to_have_attribute("data-online", "false")
    expect(page.locator("#events li[data-kind='node_lost']")).to_contain_text("node3 lost")
    warnings = page.locator("#warnings li[data-warning]")
    expect(warnings.first).to_have_attribute("data-level", "critical")  # critical first
    assert_not_reloaded(page)


def test_a_gap_in_seq_refetches_status_and_events(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/")
    apply_status(made_up.pk, a_status(dummy1_on=("node2",)), "node1")  # never pushed
    status_url = f"{console.url}/api/v1/clusters/{made_up.pk}/status/"
    with page.expect_request(status_url):
        push(apply_status(made_up.pk, a_status(dummy1_on=("node3",)), "node1"))
    events = page.locator("#events")
    expect(events).to_contain_text("dummy1 moved from node1 to node2")  # from the refetch
    expect(events).to_contain_text("dummy1 moved from node2 to node3")
    expect(page.locator("#resources li[data-resource='dummy1']")).to_contain_text("on node3")
    assert_not_reloaded(page)


def test_a_dropped_last_status_is_fetched_when_a_heartbeat_says_the_page_is_behind(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/")
    # the last status never reaches the page (as when the channel layer drops it): no
    # later status shows a gap, but the watcher's next heartbeat carries the seq
    apply_status(made_up.pk, a_status(dummy1_on=("node2",)), "node1")
    seq = Cluster.objects.get(pk=made_up.pk).status_seq
    status_url = f"{console.url}/api/v1/clusters/{made_up.pk}/status/"
    beat = threading.Thread(
        target=async_to_sync(apublish_contact),
        args=(made_up.pk, Contact(time.time(), "node1"), seq),
    )
    with page.expect_request(status_url):
        beat.start()
        beat.join(10)
    expect(page.locator("#resources li[data-resource='dummy1']")).to_contain_text("on node2")
    assert_not_reloaded(page)


def test_reconnects_says_so_meanwhile_and_catches_up(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    cable = Cable()
    page.route_web_socket(re.compile(r"/ws/clusters/\d+/$"), cable.route)
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/")
    cable.unplug()
    expect(page.locator("#conn")).not_to_have_attribute("data-state", "live")
    apply_status(made_up.pk, a_status(dummy1_on=()), "node1")  # never pushed to this page
    stale = page.locator("#stale")
    expect(stale).to_contain_text("Connection to the console lost", timeout=10000)
    expect(stale).to_contain_text("was read")
    expect(page.locator("#freshness")).to_contain_text("not updating")
    page.screenshot(path=str(SHOTS / "cluster-connection-lost.png"))
    cable.cut = False
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=20000)
    expect(stale).to_be_hidden()
    expect(page.locator("#freshness")).not_to_contain_text("not updating")
    expect(page.locator("#resources li[data-resource='dummy1']")).to_have_attribute(
        "data-role", "Stopped"
    )
    expect(page.locator("#events")).to_contain_text("dummy1 stopped on node1")  # refetched
    assert len(cable.sockets) == 2
    assert_not_reloaded(page)
    page.goto("about:blank")  # close the routed sockets before Daphne stops


def test_unreachable_cluster_says_so_with_the_age(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/")
    push(mark_unreachable(made_up.pk, "node1: timeout"))
    freshness = page.locator("#freshness")
    expect(freshness).to_have_attribute("data-reachable", "false")
    expect(freshness).to_contain_text("UNREACHABLE")
    expect(freshness).to_contain_text("ago")
    expect(page.locator("#warnings li[data-warning]").first).to_have_attribute(
        "data-warning", "unreachable"
    )
    page.goto(f"{console.url}/")
    tile = page.locator("section[data-cluster='made-up']")
    # no node answers: old data, grey, never shown as the cluster being down
    expect(tile).to_have_attribute("data-health", "grey")
    expect(tile).to_contain_text("UNREACHABLE")
    expect(tile.locator(".word")).to_have_text("NOT CURRENT")


def test_overview_tiles_follow_pushed_changes(
    page: Page, console: Console, made_up: Cluster, errors: list[str]
) -> None:
    make_cluster("second", a_status(offline="node2"))
    sign_in(page, console)
    open_live(page, f"{console.url}/")
    tile = page.locator("section[data-cluster='made-up']")
    expect(tile).to_have_attribute("data-health", "amber")
    expect(tile.locator("tr[data-node]")).to_have_count(3)
    expect(tile.locator("[data-field='nodes']")).to_contain_text("3/3")
    expect(page.locator("section[data-cluster='second']")).to_have_attribute("data-health", "red")
    push(apply_status(made_up.pk, a_status(offline="node3"), "node1"))
    expect(tile).to_have_attribute("data-health", "red")
    expect(tile.locator("[data-field='nodes']")).to_contain_text("2/3")
    expect(tile).to_contain_text("Node node3 is offline.")
    assert_not_reloaded(page)
    page.set_viewport_size({"width": 1600, "height": 900})
    page.screenshot(path=str(SHOTS / "overview-live.png"), full_page=True)


def test_node_page(page: Page, console: Console, made_up: Cluster, errors: list[str]) -> None:
    node1 = Node.objects.get(cluster=made_up, name="node1")
    Event.objects.create(cluster=made_up, node=node1, kind="node_standby", message="node1 in sb")
    Event.objects.create(cluster=made_up, kind="dc_changed", message="not about node1")
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/nodes/node1/")
    expect(page.locator("#state")).to_have_attribute("data-online", "true")
    expect(page.locator("#state [data-flag='DC']")).to_be_visible()
    expect(page.locator("#attributes tr[data-attribute='site']")).to_contain_text("paris")
    expect(page.locator("#node-resources tr[data-runs='dummy1']")).to_contain_text("Started")
    expect(page.locator("#history tr")).to_have_count(2)  # header + dummy1's monitor
    expect(page.locator("#events li")).to_have_count(1)
    expect(page.locator("#events")).to_contain_text("node1 in sb")
    push(apply_status(made_up.pk, a_status(dummy1_on=("node2",)), "node1"))
    expect(page.locator("#node-resources tr[data-runs='dummy1']")).to_have_count(0)
    expect(page.locator("#events li")).to_have_count(1)  # "dummy1 moved" is about node2
    assert_not_reloaded(page)


def test_resource_pages(page: Page, console: Console, made_up: Cluster, errors: list[str]) -> None:
    sign_in(page, console)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/resources/db-clone/")
    expect(page.locator("#about [data-field='kind']")).to_contain_text("clone (promotable)")
    placement = page.locator("#placement tr[data-on-node]")
    expect(placement).to_have_count(3)
    expect(page.locator("#placement tr[data-on-node='node1']")).to_have_attribute(
        "data-role", "Promoted"
    )
    expect(page.locator("#members li[data-member='db']")).to_have_count(1)
    open_live(page, f"{console.url}/clusters/{made_up.pk}/resources/dummy2/")
    expect(page.locator("#about [data-field='failed']")).to_contain_text("yes")
    expect(page.locator("#resource-failures")).to_contain_text("pid file vanished")
    expect(page.locator("#about")).to_contain_text("ocf:heartbeat:Dummy")
    open_live(page, f"{console.url}/clusters/{made_up.pk}/resources/dummy1/")
    expect(page.locator("#history tr")).to_have_count(2)  # header + its monitor on node1
    expect(page.locator("#history tr[data-op^='dummy1_monitor']")).to_contain_text("node1")


# --- the real lab ----------------------------------------------------------------------


@pytest.mark.lab
def test_cluster_page_follows_the_lab_without_reload(
    page: Page, console: Console, monitor: object, quiet_lab: Lab, errors: list[str]
) -> None:
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    wait_until_watched(cluster_id)
    sign_in(page, console)
    page.set_viewport_size({"width": 1600, "height": 1000})
    open_live(page, f"{console.url}/clusters/{cluster_id}/")
    dummy1 = page.locator("#resources li[data-resource='dummy1']")
    expect(dummy1).to_have_attribute("data-role", "Started")
    try:
        started = time.monotonic()
        quiet_lab.exec(1, "pcs", "resource", "disable", "dummy1")
        expect(dummy1).to_have_attribute("data-role", "Stopped", timeout=10000)
        expect(dummy1).to_contain_text("disabled")
        print(f"dummy1 shown stopped {time.monotonic() - started:.1f} s after pcs was run")
        expect(page.locator("#events")).to_contain_text("dummy1 stopped on")
        page.screenshot(path=str(SHOTS / "cluster-live-dummy1-disabled.png"), full_page=True)
        started = time.monotonic()
        quiet_lab.exec(1, "pcs", "resource", "enable", "dummy1")
        expect(dummy1).to_have_attribute("data-role", "Started", timeout=10000)
        print(f"dummy1 shown started {time.monotonic() - started:.1f} s after pcs was run")
        expect(page.locator("#events li[data-kind='resource_started']")).to_contain_text(
            "dummy1 started on"
        )
        assert_not_reloaded(page)
        page.screenshot(path=str(SHOTS / "cluster-live.png"), full_page=True)
    finally:
        quiet_lab.exec(1, "pcs", "resource", "enable", "dummy1", check=False)
