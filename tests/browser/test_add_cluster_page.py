"""In a browser: log in over HTTPS, add the lab cluster through the page, see its nodes."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.conftest import Console
from tests.labutil import REPO, Lab

pytestmark = [pytest.mark.browser, pytest.mark.lab]
SHOTS = Path(os.environ.get("HACONSOLE_SCREENSHOTS", REPO / "test-results"))


def log_in(page: Page, console: Console) -> None:
    User.objects.create_superuser("operator", password="operator-pass-123")
    page.goto(console.url + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    assert page.url.startswith("https://")
    page.get_by_label("User name").fill("operator")
    page.get_by_label("Password").fill("operator-pass-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Clusters")).to_be_visible()


def trust_all_shown(page: Page) -> list[str]:
    boxes = page.locator("table.hostkeys input[type=checkbox]:not([disabled])")
    addresses = [boxes.nth(i).get_attribute("name") or "" for i in range(boxes.count())]
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_role("button", name="Trust checked keys and continue").click()
    return addresses


def test_wrong_password_stays_out(page: Page, console: Console) -> None:
    User.objects.create_superuser("operator", password="operator-pass-123")
    page.goto(console.url + "/login/")
    page.get_by_label("User name").fill("operator")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    page.goto(console.url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_add_lab_cluster_through_the_page(page: Page, console: Console, the_lab: Lab) -> None:
    log_in(page, console)
    page.get_by_role("link", name="Add cluster").click()
    page.get_by_label("Address").fill(the_lab.nodes[0].address)
    page.get_by_label("Private key").fill(the_lab.private_key)
    page.get_by_role("button", name="Connect").click()

    seed_row = page.locator(f"tr[data-address='{the_lab.nodes[0].address}']")
    expect(seed_row).to_contain_text(the_lab.host_key(the_lab.nodes[0].address).fingerprint)
    assert trust_all_shown(page) == [f"trust:{the_lab.nodes[0].address}"]

    expect(page.get_by_role("heading", name=re.compile("haconsole-lab"))).to_be_visible()
    for node in the_lab.nodes:
        row = page.locator(f"tr[data-address='{node.address}']")
        expect(row).to_contain_text(the_lab.host_key(node.address).fingerprint)
    trust_all_shown(page)

    expect(page.get_by_role("heading", name="haconsole-lab")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("added with 3 nodes")
    for node in the_lab.nodes:
        row = page.locator(f"tr[data-node='{node.name}']")
        expect(row).to_contain_text(node.address)
        expect(row).to_contain_text("online")
        expect(row).to_contain_text(the_lab.host_key(node.address).fingerprint)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "cluster-added.png"), full_page=True)

    page.get_by_role("link", name="Clusters").click()
    cluster = page.locator("section[data-cluster='haconsole-lab']")
    expect(cluster.locator("tr[data-node]")).to_have_count(3)
    expect(cluster).not_to_contain_text("offline")
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
