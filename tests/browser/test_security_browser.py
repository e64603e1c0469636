"""In a browser: logging out in one tab closes the live feed in another; a revoked
kiosk token blanks its wall within 5 s; the login page throttles. Every page here runs
under the Content-Security-Policy: a violation is a console error, which fails the test."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from clusters.models import KioskToken
from tests.browser.conftest import Console, sign_in
from tests.integration.test_pages import make_cluster

pytestmark = [pytest.mark.browser]
FIVE_S = 5000


def in_a_thread(work: object) -> None:
    """Run work (Django signals publish with async_to_sync) off Playwright's event loop."""
    thread = threading.Thread(target=work)  # type: ignore[arg-type]
    thread.start()
    thread.join(10)


def test_logout_in_one_tab_closes_the_live_feed_in_another(
    page: Page, console: Console, errors: list[str]
) -> None:
    cluster = make_cluster("lab")
    sign_in(page, console, f"/clusters/{cluster.pk}/")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("#summary")).to_be_visible()
    other = page.context.new_page()
    other.goto(f"{console.url}/")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url(f"{console.url}/login/")
    expect(page.locator("body")).to_have_attribute("data-access", "ended", timeout=FIVE_S)
    expect(page.locator("#access-ended")).to_contain_text("Access ended")
    expect(page.locator("#summary")).to_be_hidden()
    other.close()
    page.goto("about:blank")


def test_a_revoked_kiosk_token_blanks_the_wall_within_5s(
    page: Page, console: Console, errors: list[str]
) -> None:
    token = KioskToken(name="NOC wall")
    token.save()
    token.clusters.set([make_cluster("shown")])
    page.goto(f"{console.url}/wall/?token={token.key}")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("section[data-cluster='shown']")).to_be_visible()
    in_a_thread(token.revoke)
    expect(page.locator("section[data-cluster]")).to_have_count(0, timeout=FIVE_S)
    expect(page.locator("body")).to_have_attribute("data-access", "ended")
    expect(page.locator("body")).not_to_contain_text("shown")
    page.goto("about:blank")


def test_the_login_page_throttles(page: Page, console: Console) -> None:
    User.objects.create_user("victim", password="victim-pass-123-long")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{console.url}/login/")
        page.get_by_label("User name").fill("victim")
        page.get_by_label("Password").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="Log in").click()
        if attempt < settings.AXES_FAILURE_LIMIT - 1:
            expect(page.get_by_role("alert")).to_contain_text("Wrong user name or password")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    page.goto(f"{console.url}/login/")
    page.get_by_label("User name").fill("victim")
    page.get_by_label("Password").fill("victim-pass-123-long")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    assert page.url.startswith(f"{console.url}/login/"), "the right password is refused too"
