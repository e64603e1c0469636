"""In a browser: what the console knows and what it does not. A cluster whose watcher
falls silent turns grey ("NO CONTACT for N s") on its page and on the wall within 5 s,
never red, and comes back when the heartbeats resume; a split shows each side; an action
the cluster's pcs cannot make is disabled with the reason; on the lab, a move that would
not hold offers to keep its constraint, and the move so planned is applied."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from playwright.sync_api import Page, expect

from clusters.contact import Contact
from clusters.mirror import apply_partitions, apublish_contact
from clusters.models import Cluster, KioskToken
from hacore.pacemaker.partitions import Partition
from operations.capabilities import NEEDS
from tests.browser.conftest import Console, add_lab_cluster, sign_in
from tests.browser.test_wall import push
from tests.integration.test_pages import make_cluster
from tests.labutil import Lab, lab
from tests.statusfactory import in_contact

pytestmark = [pytest.mark.browser]
GREY_WITHIN_MS = 8000  # 5 s without a heartbeat, plus the page's 1 s check, plus slack


def beat(cluster: Cluster) -> None:
    """One heartbeat of the cluster's watcher, noted and pushed (from a thread of its own:
    Playwright holds this one's event loop)."""
    in_contact(cluster.pk)
    thread = threading.Thread(
        target=async_to_sync(apublish_contact), args=(cluster.pk, Contact(time.time(), "node2"))
    )
    thread.start()
    thread.join(10)


def test_a_silent_watcher_turns_the_page_grey_not_red_and_back(
    page: Page, console: Console, errors: list[str]
) -> None:
    cluster = make_cluster("quiet")
    console.silent.add("quiet")
    sign_in(page, console, f"/clusters/{cluster.pk}/")
    body, freshness = page.locator("body"), page.locator("#freshness")
    expect(body).to_have_attribute("data-health", "amber")
    expect(freshness).to_have_attribute("data-contact", "live")
    expect(body).to_have_attribute("data-health", "grey", timeout=GREY_WITHIN_MS)
    expect(freshness).to_have_attribute("data-contact", "stale")
    expect(freshness.locator(".no-contact")).to_contain_text(" s")
    expect(freshness).to_contain_text("NO CONTACT for")
    expect(freshness).not_to_contain_text("UNREACHABLE")
    beat(cluster)
    expect(body).to_have_attribute("data-health", "amber")
    expect(freshness).to_have_attribute("data-contact", "live")
    expect(freshness.locator(".no-contact")).to_have_count(0)
    assert errors == []


def test_a_silent_watcher_turns_the_wall_tile_grey_and_back(page: Page, console: Console) -> None:
    quiet, busy = make_cluster("quiet"), make_cluster("busy")
    console.silent.add("quiet")
    token = KioskToken.objects.create(name="NOC wall")
    token.clusters.set([quiet, busy])
    page.goto(f"{console.url}/wall/?token={token.key}")
    tile = page.locator("section[data-cluster='quiet']")
    expect(tile).to_have_attribute("data-health", "grey", timeout=GREY_WITHIN_MS)
    expect(tile).to_have_attribute("data-contact", "stale")
    expect(tile.locator(".word")).to_have_text("NOT CURRENT")
    expect(tile.locator(".no-contact")).to_contain_text("NO CONTACT for")
    other = page.locator("section[data-cluster='busy']")
    expect(other).to_have_attribute("data-health", "amber")  # its heartbeat goes on
    expect(other).to_have_attribute("data-contact", "live")
    beat(quiet)
    expect(tile).to_have_attribute("data-health", "amber")
    expect(tile).to_have_attribute("data-contact", "live")


def test_a_split_shows_each_side(page: Page, console: Console) -> None:
    cluster = make_cluster("split")
    sign_in(page, console, f"/clusters/{cluster.pk}/")
    expect(page.locator("#summary")).to_have_attribute("data-partitions", "0")
    sides = [
        Partition(("node1", "node2"), "node1", True, "node1"),
        Partition(("node3",), "node3", False, "node3"),
    ]
    push(apply_partitions(cluster.pk, sides))
    summary = page.locator("#summary")
    expect(summary).to_have_attribute("data-partitions", "2")
    expect(summary).to_contain_text("SPLIT in 2")
    first, second = (
        summary.locator("[data-partition='node1 node2']"),
        summary.locator("[data-partition='node3']"),
    )
    expect(first).to_contain_text("quorum")
    expect(first).to_contain_text("(the status shown)")
    expect(second).to_contain_text("NO QUORUM")
    expect(page.locator("#warnings [data-warning='split']")).to_contain_text("The cluster is split")


def test_what_the_clusters_pcs_cannot_do_is_disabled_with_the_reason(
    page: Page, console: Console
) -> None:
    cluster = make_cluster("old-pcs")
    everything = {c for needed in NEEDS.values() for c in needed}
    cluster.pcs_capabilities = sorted(everything - {"pcmk.resource.ban-move-clear"})
    cluster.save(update_fields=["pcs_capabilities"])
    sign_in(page, console, f"/clusters/{cluster.pk}/resources/dummy1/")
    move = page.locator("[data-do=move]")
    expect(move).to_be_disabled()
    why = "This cluster's pcs cannot do this: it lacks pcmk.resource.ban-move-clear."
    expect(move).to_have_attribute("title", why)
    expect(page.locator("[data-do=ban]")).to_be_disabled()
    expect(page.locator("[data-do=disable]")).to_be_enabled()


@pytest.mark.lab
def test_a_move_that_would_not_hold_offers_to_keep_its_constraint(
    page: Page, console: Console, worker: subprocess.Popen[bytes], quiet_lab: Lab
) -> None:
    cluster_id = add_lab_cluster(page, console, quiet_lab)
    sign_in(page, console, f"/clusters/{cluster_id}/resources/dummy2/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    where = page.locator("#placement [data-on-node]").first
    expect(where).not_to_have_attribute("data-on-node", "")
    here = where.get_attribute("data-on-node")
    target = next(n for n in ("node1", "node2", "node3") if n != here)
    page.locator("[data-move-to]").select_option(target)
    page.locator("[data-do=move]").click()
    dialog = page.locator("#op-dialog")
    try:
        expect(dialog.locator("[data-error]")).to_contain_text("would not", timeout=30000)
        replan = dialog.locator("[data-replan]")
        expect(replan).to_be_disabled()
        dialog.locator("[data-keep-constraint]").check()
        dialog.locator("[data-lifetime]").fill("PT1H")
        replan.click()
        expect(dialog.locator("[data-diff]")).to_contain_text("cli-prefer-dummy2", timeout=30000)
        dialog.locator("[data-apply]").click()
        expect(dialog.locator("[data-op-status]")).to_have_text("succeeded", timeout=60000)
        where_now = lab("exec", "1", "crm_resource", "--locate", "--resource", "dummy2").stdout
        assert f"running on: {target}" in where_now
        constraints = lab("exec", "1", "cibadmin", "--query", "--scope", "constraints").stdout
        assert 'id="cli-prefer-dummy2"' in constraints, "the constraint was kept"
    finally:
        lab("exec", "1", "pcs", "resource", "clear", "dummy2", check=False)
